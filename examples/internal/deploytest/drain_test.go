//go:build unix

package deploytest

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestRestartDropsNothing opens 40 connections to the tasks binary, each
// with a request on it, and sends SIGTERM halfway through opening them:
// the connections opened after the signal, and any still in the
// listener's backlog, must be served as well as the others, because the
// server drains (accepting and serving, /readyz 503) before it closes
// its listener. 0 of 40 may be dropped.
func TestRestartDropsNothing(t *testing.T) {
	const conns = 40
	app := startTasks(t, buildTasks(t), "-drain", "2s")
	res, err := http.Post("http://"+app.addr+"/api/token/", "application/json", strings.NewReader(`{"username":"vitor","password":"123"}`))
	if err != nil {
		t.Fatal(err)
	}
	var pair struct{ Access string }
	err = json.NewDecoder(res.Body).Decode(&pair)
	res.Body.Close()
	if err != nil || pair.Access == "" {
		t.Fatalf("login: %d %v", res.StatusCode, err)
	}
	request := "GET /hello/ HTTP/1.1\r\nHost: tasks\r\nAuthorization: Bearer " + pair.Access + "\r\n\r\n"

	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		dropped []string
	)
	drop := func(i int, why string) {
		mu.Lock()
		dropped = append(dropped, fmt.Sprintf("connection %d: %s", i, why))
		mu.Unlock()
	}
	for i := range conns {
		if i == conns/2 {
			if err := app.cmd.Process.Signal(syscall.SIGTERM); err != nil {
				t.Fatal(err)
			}
		}
		c, err := net.Dial("tcp", app.addr)
		if err != nil {
			drop(i, err.Error())
			continue
		}
		if _, err := io.WriteString(c, request); err != nil {
			drop(i, err.Error())
			c.Close()
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer c.Close()
			c.SetDeadline(time.Now().Add(30 * time.Second))
			res, err := http.ReadResponse(bufio.NewReader(c), nil)
			if err != nil {
				drop(i, "no answer: "+err.Error())
				return
			}
			b, err := io.ReadAll(res.Body)
			if err != nil || res.StatusCode != 200 || string(b) != `{"message":"Hello, vitor"}` {
				drop(i, fmt.Sprintf("%d %q %v", res.StatusCode, b, err))
			}
		}()
	}
	// Draining: the readiness check says so, on a new connection, once
	// the signal has arrived.
	for deadline := time.Now().Add(time.Second); ; {
		res, err := http.Get("http://" + app.addr + "/readyz")
		if err != nil {
			t.Errorf("/readyz while draining: %v", err)
			break
		}
		res.Body.Close()
		if res.StatusCode == http.StatusServiceUnavailable {
			break
		}
		if time.Now().After(deadline) {
			t.Errorf("/readyz while draining: %d, want 503", res.StatusCode)
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	wg.Wait()
	t.Logf("%d of %d connections dropped", len(dropped), conns)
	if len(dropped) > 0 {
		t.Errorf("dropped:\n%s", strings.Join(dropped, "\n"))
	}
	select {
	case <-app.done:
	case <-time.After(30 * time.Second):
		t.Fatal("tasks did not exit after SIGTERM")
	}
	if app.err != nil {
		t.Errorf("tasks exited with %v; its output:\n%s", app.err, app.out)
	}
}
