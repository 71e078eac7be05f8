package main

import (
	"bytes"
	"context"
	"net"
	"net/http/httptest"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// The commands a first start prints run as they are, in a shell, against
// the real server: sign in, call, create a task, refresh, and log out with
// the refreshed token. A later start on the same database says where the
// credentials went instead of staying silent.
func TestFirstRunCommands(t *testing.T) {
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("curl is not installed: the printed commands use it")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	data := t.TempDir()
	start := func(notes *bytes.Buffer) *httptest.Server {
		return httptest.NewUnstartedServer(startApp(t, notes, "-addr", ln.Addr().String(), "-data", data))
	}

	var notes bytes.Buffer
	srv := start(&notes)
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	defer srv.Close()

	var script []string
	for _, line := range strings.Split(notes.String(), "\n") {
		if strings.HasPrefix(line, "  ") {
			script = append(script, line)
		}
	}
	if len(script) < 5 {
		t.Fatalf("no commands in the first run's notes:\n%s", notes.String())
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, "bash", "-c", "set -eu\n"+strings.Join(script, "\n")).CombinedOutput()
	if err != nil {
		t.Fatalf("the printed commands: %v\n%s\n%s", err, strings.Join(script, "\n"), out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != 3 || !strings.Contains(lines[0], "demo") || !strings.Contains(lines[1], `"title":"Try jwtguard"`) || lines[2] != "{}" {
		t.Fatalf("the printed commands answered:\n%s\nwant the greeting, the new task and {} (logged out)", out)
	}

	// A restart on the same database.
	var later bytes.Buffer
	start(&later)
	if got := later.String(); !strings.Contains(got, "first start only") || !strings.Contains(got, data) || strings.Contains(got, "was created") {
		t.Errorf("a restart says: %s", got)
	}
}
