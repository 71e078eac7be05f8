package scriptstest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// scripts/test.sh run as the README says, without CI's variables, with a
// Redis installed: it starts (or finds) the Redis CI uses and points the
// tests at it, so that the Redis store's tests run instead of skipping.
func TestTestScriptFindsRedis(t *testing.T) {
	if _, err := os.Stat("/usr/bin/redis-server"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("redis-server is not installed (CI=true: scripts/ci/redis.sh installs it)")
		}
		t.Skip("redis-server is not installed; scripts/ci/redis.sh installs it")
	}
	cmd := exec.Command(filepath.Join(root, "scripts/test.sh"), "--env")
	cmd.Env = withoutVar(os.Environ(), "JWTGUARD_REDIS_ADDR")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("scripts/test.sh --env: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "JWTGUARD_REDIS_ADDR=127.0.0.1:6390\n") {
		t.Fatalf("scripts/test.sh --env does not point the tests at a Redis:\n%s", out)
	}
}

// withoutVar returns env without the variable name.
func withoutVar(env []string, name string) []string {
	out := env[:0:0]
	for _, kv := range env {
		if !strings.HasPrefix(kv, name+"=") {
			out = append(out, kv)
		}
	}
	return out
}

// The tasks example keeps its database under ./data, relative to where it
// runs: git ignores it there, from the root or from the example's directory.
func TestTasksDataIgnored(t *testing.T) {
	for _, p := range []string{"data/tasks.sqlite3", "examples/tasks/data/tasks.sqlite3"} {
		cmd := exec.Command("git", "check-ignore", "-q", p)
		cmd.Dir = root
		if err := cmd.Run(); err != nil {
			t.Errorf("git does not ignore %s: %v", p, err)
		}
	}
}
