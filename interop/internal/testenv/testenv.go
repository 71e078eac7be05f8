// Package testenv finds what the interop harnesses run on outside Go: Node.js
// with the packages of interop/testdata/oidc, and the files of testdata.
//
// A harness that finds its tools missing calls [Unavailable]: the test is
// skipped, or fails when the environment variable CI is true, so that CI
// never passes by skipping.
package testenv

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// MinNodeVersion is the oldest Node.js that runs oidc-provider 9 and jose 6
// here.
var MinNodeVersion = [3]int{20, 19, 0}

// commandTimeout bounds `node --version`.
const commandTimeout = 30 * time.Second

// InCI reports whether the environment variable CI is true.
func InCI() bool {
	ci, _ := strconv.ParseBool(os.Getenv("CI"))
	return ci
}

// Unavailable stops t because something it needs is missing: it skips t,
// or fails it when CI is true. hint says how to install what is missing.
func Unavailable(t testing.TB, what string, err error, hint string) {
	t.Helper()
	msg := fmt.Sprintf("%s: %v; %s", what, err, hint)
	if InCI() {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// Testdata returns the directory interop/testdata/<name>, after checking that
// each of files is there. It stats every one of them, so that go test caches
// a result only for as long as they are unchanged.
func Testdata(name string, files ...string) (string, error) {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return "", errors.New("cannot locate the harness source")
	}
	dir := filepath.Join(filepath.Dir(file), "..", "..", "testdata", name)
	for _, f := range files {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			return "", fmt.Errorf("testdata/%s: %w", name, err)
		}
	}
	return dir, nil
}

// NodeHint says how to install Node.js and the packages.
const NodeHint = "install Node.js 20.19 or later and run `npm ci` in interop/testdata/oidc (`source scripts/ci/node.sh` does both)"

// Node returns the path of the node executable and the directory
// interop/testdata/oidc, whose node_modules hold the pinned versions of
// package.json. It reports why not when Node.js is missing or too old, or
// when node_modules is missing or holds other versions. It checks once per
// process.
func Node() (node, dir string, err error) {
	r := nodeOnce()
	return r.node, r.dir, r.err
}

type nodeResult struct {
	node, dir string
	err       error
}

var nodeOnce = sync.OnceValue(func() nodeResult {
	dir, err := Testdata("oidc", "package.json", "package-lock.json", "server.js", "mint.js")
	if err != nil {
		return nodeResult{err: err}
	}
	node, err := exec.LookPath("node")
	if err != nil {
		return nodeResult{err: err}
	}
	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	defer cancel()
	out, err := exec.CommandContext(ctx, node, "--version").Output()
	if err != nil {
		return nodeResult{err: fmt.Errorf("%s --version: %w", node, err)}
	}
	version := strings.TrimSpace(string(out))
	if !atLeast(version, MinNodeVersion) {
		return nodeResult{err: fmt.Errorf("node %s is older than %d.%d.%d", version,
			MinNodeVersion[0], MinNodeVersion[1], MinNodeVersion[2])}
	}
	if err := checkInstalled(dir); err != nil {
		return nodeResult{err: err}
	}
	return nodeResult{node: node, dir: dir}
})

// checkInstalled compares the versions in node_modules with the exact
// versions package.json asks for.
func checkInstalled(dir string) error {
	var pkg struct {
		Dependencies map[string]string `json:"dependencies"`
	}
	if err := readJSON(filepath.Join(dir, "package.json"), &pkg); err != nil {
		return err
	}
	for _, name := range slices.Sorted(maps.Keys(pkg.Dependencies)) {
		want := pkg.Dependencies[name]
		var installed struct {
			Version string `json:"version"`
		}
		if err := readJSON(filepath.Join(dir, "node_modules", name, "package.json"), &installed); err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return fmt.Errorf("%s is not installed in interop/testdata/oidc/node_modules", name)
			}
			return err
		}
		if installed.Version != want {
			return fmt.Errorf("node_modules has %s %s, package.json wants %s", name, installed.Version, want)
		}
	}
	return nil
}

func readJSON(path string, v any) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// atLeast reports whether version, "v20.20.2", is want or later.
func atLeast(version string, want [3]int) bool {
	parts := strings.SplitN(strings.TrimPrefix(version, "v"), ".", 3)
	if len(parts) != 3 {
		return false
	}
	for i, p := range parts {
		n, err := strconv.Atoi(strings.SplitN(p, "-", 2)[0])
		if err != nil {
			return false
		}
		if n != want[i] {
			return n > want[i]
		}
	}
	return true
}

// LogBuffer collects a process's output while tests read it, up to 1 MiB;
// the rest is dropped. It is safe for concurrent use.
type LogBuffer struct {
	mu  sync.Mutex
	buf []byte
}

// maxLogSize caps the output kept.
const maxLogSize = 1 << 20

// Write implements io.Writer. It never fails.
func (b *LogBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if room := maxLogSize - len(b.buf); room > 0 {
		b.buf = append(b.buf, p[:min(len(p), room)]...)
	}
	return len(p), nil
}

// String returns what was written so far.
func (b *LogBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return string(b.buf)
}
