// Package redisproc gives a test a Redis server of its own.
package redisproc

import (
	"net"
	"os"
	"os/exec"
	"testing"
	"time"
)

// Durable starts a redis-server of the test's own on a free loopback
// port, with an append-only file (a store on it passes the durability
// check that -redis-url makes), stopped when the test ends, and returns
// its address. Without redis-server on the PATH the test is skipped, with
// a message that names what does not run, or fails when CI=true.
func Durable(t testing.TB, what string) string {
	t.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		msg := "redis-server is not on the PATH (scripts/ci/redis.sh installs it), so " + what + " does not run"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg + " (CI=true: failing instead of skipping)")
		}
		t.Skip(msg)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	_, port, _ := net.SplitHostPort(addr)
	cmd := exec.Command("redis-server", "--bind", "127.0.0.1", "--port", port, "--dir", t.TempDir(),
		"--appendonly", "yes", "--save", "", "--daemonize", "no", "--logfile", "")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	for deadline := time.Now().Add(10 * time.Second); ; {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return addr
		}
		if time.Now().After(deadline) {
			t.Fatal("redis-server does not accept connections after 10 s")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
