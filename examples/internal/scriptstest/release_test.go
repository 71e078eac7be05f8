// Package scriptstest runs the repository's scripts: release.sh on the
// repository and on small repositories of the same shape, test.sh's
// set-up of services.
package scriptstest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// root is the repository's root, from this package's directory.
const root = "../../.."

// The repository as it is: every module agrees, so it can be released.
func TestRepositoryModulesAgree(t *testing.T) {
	out, err := exec.Command(filepath.Join(root, "scripts/release.sh"), "check").CombinedOutput()
	if err != nil {
		t.Fatalf("scripts/release.sh check: %v\n%s", err, out)
	}
}

// check, set and tag on a repository of three modules: the root, a
// published one that requires it, and an unpublished one (examples).
func TestReleaseScript(t *testing.T) {
	dir := t.TempDir()
	script, err := os.ReadFile(filepath.Join(root, "scripts/release.sh"))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		"scripts/release.sh": string(script),
		"go.mod":             "module github.com/jwtguard/jwtguard\n\ngo 1.25.0\n",
		"adapters/gin/go.mod": "module github.com/jwtguard/jwtguard/adapters/gin\n\ngo 1.25.0\n\n" +
			"require github.com/jwtguard/jwtguard v0.1.0\n",
		"examples/go.mod": "module github.com/jwtguard/jwtguard/examples\n\ngo 1.25.0\n\nrequire (\n" +
			"\tgithub.com/jwtguard/jwtguard v0.1.0\n\tgithub.com/jwtguard/jwtguard/adapters/gin v0.1.0\n)\n",
		"go.work": "go 1.25.0\n\nuse (\n\t.\n\t./adapters/gin\n\t./examples\n)\n\nreplace (\n" +
			"\tgithub.com/jwtguard/jwtguard v0.1.0 => ./\n" +
			"\tgithub.com/jwtguard/jwtguard/adapters/gin v0.1.0 => ./adapters/gin\n)\n",
	}
	for name, text := range files {
		write(t, dir, name, text)
	}
	must(t, os.Chmod(filepath.Join(dir, "scripts/release.sh"), 0o755))
	git(t, dir, "init", "-q")
	git(t, dir, "add", "-A")
	git(t, dir, "commit", "-qm", "start")

	run(t, dir, true, "agrees on v0.1.0", "check")

	// A module back on v0.0.0 through a replace, as before: refused, both ways.
	write(t, dir, "adapters/gin/go.mod", "module github.com/jwtguard/jwtguard/adapters/gin\n\ngo 1.25.0\n\n"+
		"require github.com/jwtguard/jwtguard v0.0.0\n\nreplace github.com/jwtguard/jwtguard => ../..\n")
	out := run(t, dir, false, "do not agree", "check")
	for _, want := range []string{"requires github.com/jwtguard/jwtguard v0.0.0", "replaces github.com/jwtguard/jwtguard", "different versions"} {
		if !strings.Contains(out, want) {
			t.Errorf("check does not say %q:\n%s", want, out)
		}
	}

	// set puts everything at one version, go.work included.
	run(t, dir, true, "every module is at v0.2.0", "set", "v0.2.0")
	run(t, dir, true, "agrees on v0.2.0", "check")
	if gomod := read(t, dir, "adapters/gin/go.mod"); strings.Contains(gomod, "replace") || !strings.Contains(gomod, "github.com/jwtguard/jwtguard v0.2.0") {
		t.Errorf("adapters/gin/go.mod after set:\n%s", gomod)
	}
	if work := read(t, dir, "go.work"); !strings.Contains(work, "github.com/jwtguard/jwtguard/adapters/gin v0.2.0 => ./adapters/gin") || strings.Contains(work, "v0.1.0") {
		t.Errorf("go.work after set:\n%s", work)
	}

	// tag refuses a dirty tree and another version; then tags the root first.
	run(t, dir, false, "commit them first", "tag", "v0.2.0")
	git(t, dir, "commit", "-qam", "v0.2.0")
	run(t, dir, false, "not v0.3.0", "tag", "v0.3.0")
	out = run(t, dir, true, "tagged v0.2.0\ntagged adapters/gin/v0.2.0\n", "tag", "v0.2.0")
	if strings.Contains(out, "examples/v0.2.0") {
		t.Errorf("an unpublished module was tagged:\n%s", out)
	}
	if tags := git(t, dir, "tag"); tags != "adapters/gin/v0.2.0\nv0.2.0\n" {
		t.Errorf("tags %q", tags)
	}
	run(t, dir, false, "exists already", "tag", "v0.2.0")
}

// run runs the script in dir and checks its outcome and that its output
// contains want.
func run(t *testing.T, dir string, ok bool, want string, args ...string) string {
	t.Helper()
	cmd := exec.Command("./scripts/release.sh", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=", "GOFLAGS=-mod=mod")
	out, err := cmd.CombinedOutput()
	if (err == nil) != ok || !strings.Contains(string(out), want) {
		t.Fatalf("release.sh %s: %v, want success %v and %q in:\n%s", strings.Join(args, " "), err, ok, want, out)
	}
	return string(out)
}

func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@localhost",
		"GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@localhost", "GIT_CONFIG_GLOBAL=/dev/null")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func write(t *testing.T, dir, name, text string) {
	t.Helper()
	must(t, os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755))
	must(t, os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644))
}

func read(t *testing.T, dir, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	must(t, err)
	return string(b)
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
