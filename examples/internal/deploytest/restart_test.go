//go:build unix

package deploytest

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard/examples/internal/serve"
)

// TestRestartsUnderRefreshLoad stops the tasks binary with SIGTERM and
// starts it again on the same database, five times, under a load of
// refreshes. No rotation may be lost: every refresh token a client holds
// at the end (the last one it was given) still refreshes, no refresh is
// ever refused as reuse, and no answer is a 5xx.
func TestRestartsUnderRefreshLoad(t *testing.T) {
	const (
		cycles  = 5
		workers = 8
	)
	bin, dir := buildTasks(t), t.TempDir()
	client := &http.Client{Timeout: 30 * time.Second}
	refresh := func(base, token string) (int, string) {
		res, err := client.Post(base+"/api/token/refresh/", "application/json",
			strings.NewReader(`{"refresh":"`+token+`"}`))
		if err != nil {
			return 0, "" // not accepted: the app was stopping or not yet up
		}
		defer res.Body.Close()
		var pair struct{ Refresh string }
		json.NewDecoder(res.Body).Decode(&pair)
		return res.StatusCode, pair.Refresh
	}

	var users []string
	for w := range workers {
		users = append(users, "-create-user", "user"+strconv.Itoa(w)+":pw-"+strconv.Itoa(w))
	}
	// A refresh-heavy load: far past the 5 refreshes a minute a session
	// gets by default.
	users = append(users, "-refreshes-per-minute", "0")
	app := startTasksIn(t, bin, dir, users...)
	tokens := make([]string, workers)
	for w := range tokens {
		res, err := client.Post("http://"+app.addr+"/api/token/", "application/json",
			strings.NewReader(`{"username":"user`+strconv.Itoa(w)+`","password":"pw-`+strconv.Itoa(w)+`"}`))
		if err != nil {
			t.Fatal(err)
		}
		var pair struct{ Refresh string }
		json.NewDecoder(res.Body).Decode(&pair)
		res.Body.Close()
		if res.StatusCode != 200 || pair.Refresh == "" {
			t.Fatalf("sign-in: %d", res.StatusCode)
		}
		tokens[w] = pair.Refresh
	}
	var mu sync.Mutex
	rotations, refused := 0, 0
	for cycle := range cycles {
		base := "http://" + app.addr
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					select {
					case <-stop:
						return
					default:
					}
					status, next := refresh(base, tokens[w])
					mu.Lock()
					switch {
					case status == 200 && next != "":
						tokens[w] = next
						rotations++
					case status == 0:
						refused++
					default:
						t.Errorf("cycle %d, worker %d: refresh answered %d", cycle, w, status)
					}
					mu.Unlock()
					if status != 200 {
						time.Sleep(20 * time.Millisecond)
					}
				}
			}()
		}
		time.Sleep(500 * time.Millisecond)
		app.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-app.done:
		case <-time.After(serve.Grace + 5*time.Second):
			t.Fatalf("cycle %d: tasks still running after SIGTERM", cycle)
		}
		close(stop)
		wg.Wait()
		if app.err != nil {
			t.Errorf("cycle %d: tasks exited with %v; its output:\n%s", cycle, app.err, app.out)
		}
		app = startTasksIn(t, bin, dir, users...)
	}
	for w, tok := range tokens {
		if status, _ := refresh("http://"+app.addr, tok); status != 200 {
			t.Errorf("worker %d's last refresh token after %d restarts: %d, want 200", w, cycles, status)
		}
	}
	t.Logf("%d restarts: %d rotations, %d refreshes not accepted while the app was down", cycles, rotations, refused)
	if rotations == 0 {
		t.Error("no rotation happened: the load did not run")
	}
}
