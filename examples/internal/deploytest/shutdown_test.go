//go:build unix

package deploytest

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard/examples/internal/serve"
)

// TestShutdownUnderLoad sends SIGTERM to the tasks binary in the middle of
// a burst of authenticated requests. Every request the app accepted must
// get its whole 200 answer; requests sent after the listener closed may
// find nothing listening, and are counted apart. The process must exit 0
// within serve.Grace.
func TestShutdownUnderLoad(t *testing.T) {
	const (
		total   = 200
		workers = 20
		midway  = total / 2
		want    = `{"message":"Hello, vitor"}`
	)
	app := startTasks(t, buildTasks(t), "-drain", "1s")
	base := "http://" + app.addr
	client := &http.Client{
		Transport: &http.Transport{MaxIdleConnsPerHost: workers, DisableCompression: true},
		Timeout:   30 * time.Second,
	}
	res, err := client.Post(base+"/api/token/", "application/json", strings.NewReader(`{"username":"vitor","password":"123"}`))
	if err != nil {
		t.Fatal(err)
	}
	var pair struct{ Access string }
	err = json.NewDecoder(res.Body).Decode(&pair)
	res.Body.Close()
	if err != nil || res.StatusCode != 200 || pair.Access == "" {
		t.Fatalf("login: %d %v", res.StatusCode, err)
	}

	type outcome int
	const (
		ok      outcome = iota // a complete 200 with the expected body
		refused                // nothing listened any more: never accepted
		reset                  // the connection failed before any response byte
		broken                 // anything else: a wrong status, a cut body, ...
	)
	var (
		issued   atomic.Int64
		signaled = make(chan time.Time, 1)
		sigOnce  sync.Once
		mu       sync.Mutex
		counts   = map[outcome]int{}
		problems []string
		okAfter  int // complete 200s that finished after SIGTERM was sent
		sigTime  atomic.Pointer[time.Time]
	)
	one := func() (outcome, string) {
		req, err := http.NewRequest("GET", base+"/hello/", nil)
		if err != nil {
			return broken, err.Error()
		}
		req.Header.Set("Authorization", "Bearer "+pair.Access)
		res, err := client.Do(req)
		switch {
		case err != nil && isRefused(err):
			return refused, ""
		case err != nil && (errors.Is(err, syscall.ECONNRESET) || errors.Is(err, io.EOF)):
			return reset, err.Error()
		case err != nil:
			return broken, err.Error()
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		if err != nil {
			return broken, fmt.Sprintf("status %d, body cut after %q: %v", res.StatusCode, b, err)
		}
		if res.StatusCode != 200 || string(b) != want {
			return broken, fmt.Sprintf("status %d, body %q", res.StatusCode, b)
		}
		return ok, ""
	}
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				n := issued.Add(1)
				if n > total {
					return
				}
				if n == midway {
					sigOnce.Do(func() {
						now := time.Now()
						sigTime.Store(&now)
						signaled <- now
						if err := app.cmd.Process.Signal(syscall.SIGTERM); err != nil {
							t.Errorf("SIGTERM: %v", err)
						}
					})
				}
				o, why := one()
				mu.Lock()
				counts[o]++
				if o == ok && sigTime.Load() != nil {
					okAfter++
				}
				if o == broken || o == reset {
					problems = append(problems, fmt.Sprintf("request %d: %s", n, why))
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	sentAt := <-signaled

	select {
	case <-app.done:
	case <-time.After(serve.Grace + 5*time.Second):
		t.Fatalf("tasks still running %v after SIGTERM", time.Since(sentAt))
	}
	exitedAfter := time.Since(sentAt)
	if app.err != nil {
		t.Errorf("tasks exited with %v after SIGTERM, want status 0; its output:\n%s", app.err, app.out)
	}
	if exitedAfter > serve.Grace {
		t.Errorf("tasks took %v to exit, more than its grace period %v", exitedAfter, serve.Grace)
	}

	// The app's access log says which requests it accepted: exactly those
	// must have got their complete 200.
	logged, logged200 := 0, 0
	for _, rec := range app.requests("/hello/") {
		logged++
		if rec["status"] == 200.0 {
			logged200++
		}
	}
	t.Logf("%d requests: %d complete 200s (%d finished after SIGTERM), %d refused after the listener closed, %d reset before the app read them, %d broken; the app logged %d; exit %v after SIGTERM",
		total, counts[ok], okAfter, counts[refused], counts[reset], counts[broken], logged, exitedAfter.Round(time.Millisecond))
	if counts[broken] > 0 {
		t.Errorf("%d requests got a broken answer:\n%s", counts[broken], strings.Join(problems, "\n"))
	}
	if logged != counts[ok] || logged200 != logged {
		t.Errorf("the app accepted %d requests (%d answered 200) but the clients got %d complete 200s:\n%s",
			logged, logged200, counts[ok], strings.Join(problems, "\n"))
	}
	if okAfter == 0 {
		t.Errorf("no request finished after SIGTERM: nothing was in flight to drain")
	}
	if counts[ok] < midway-workers {
		t.Errorf("only %d requests succeeded: the burst did not run before the signal", counts[ok])
	}
	if counts[ok]+counts[refused]+counts[reset]+counts[broken] != total {
		t.Errorf("outcomes add up to %d, want %d", counts[ok]+counts[refused]+counts[reset]+counts[broken], total)
	}
	if !strings.Contains(app.out.String(), `"msg":"shutting down"`) {
		t.Errorf("no shutdown in the log:\n%s", app.out)
	}
}
