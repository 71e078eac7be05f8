package serve

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"syscall"
	"testing"
	"time"
)

// TestRunDrains holds a request in flight, asks the server to stop, and
// checks that the request completes and Run returns cleanly.
func TestRunDrains(t *testing.T) {
	started, release := make(chan struct{}), make(chan struct{})
	h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		close(started)
		<-release
		w.Write([]byte("done"))
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan error, 1)
	go func() { ran <- Run(ctx, NewServer(ln.Addr().String(), h, log), ln, 5*time.Second, log) }()

	got := make(chan string, 1)
	go func() {
		resp, err := http.Get("http://" + ln.Addr().String())
		if err != nil {
			got <- err.Error()
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		got <- string(b)
	}()
	<-started
	cancel()
	select {
	case err := <-ran:
		t.Fatalf("Run returned %v with a request in flight", err)
	case <-time.After(50 * time.Millisecond):
	}
	close(release)
	if body := <-got; body != "done" {
		t.Errorf("in-flight request got %q", body)
	}
	if err := <-ran; err != nil {
		t.Errorf("Run = %v", err)
	}
}

// TestRunDrainsOnSIGTERM: after SIGTERM the server still accepts new
// connections and serves them, /readyz answers 503, and every response
// closes its connection; after the drain period Run returns cleanly.
func TestRunDrainsOnSIGTERM(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok " + r.URL.Path)) })
	base, term, ran := runOnSIGTERM(t, h, 2*time.Second)
	get := func(path string) (int, string, bool) {
		t.Helper()
		client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}} // a new connection each time
		res, err := client.Get(base + path)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		return res.StatusCode, string(b), res.Close // Connection: close
	}
	if status, body, _ := get("/readyz"); status != 200 || body != "ok /readyz" {
		t.Fatalf("before SIGTERM, /readyz: %d %s", status, body)
	}
	term <- syscall.SIGTERM
	deadline := time.Now().Add(time.Second)
	for {
		status, _, closed := get("/readyz")
		if status == http.StatusServiceUnavailable {
			if !closed {
				t.Errorf("draining /readyz without Connection: close")
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz still %d after SIGTERM", status)
		}
	}
	if status, body, closed := get("/tasks/"); status != 200 || body != "ok /tasks/" || !closed {
		t.Errorf("a new connection while draining: %d %q, Connection: close %v", status, body, closed)
	}
	if err := <-ran; err != nil {
		t.Errorf("Run = %v", err)
	}
}

// TestResponseBegunWhileDrainingCloses: a request that arrived before
// SIGTERM and is answered during the drain closes its connection too, so
// that it does not stay idle in a proxy's pool until the shutdown closes
// it under the proxy's next request.
func TestResponseBegunWhileDrainingCloses(t *testing.T) {
	started, release := make(chan struct{}), make(chan struct{})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			close(started)
			<-release
		}
		w.Write([]byte("ok"))
	})
	base, term, ran := runOnSIGTERM(t, h, time.Second)
	type answer struct {
		closed bool
		err    error
	}
	got := make(chan answer, 1)
	go func() {
		res, err := http.Get(base + "/slow") // a keep-alive client
		if err != nil {
			got <- answer{err: err}
			return
		}
		io.ReadAll(res.Body)
		res.Body.Close()
		got <- answer{closed: res.Close}
	}()
	<-started
	term <- syscall.SIGTERM
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	for deadline := time.Now().Add(time.Second); ; {
		res, err := client.Get(base + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode == http.StatusServiceUnavailable {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("not draining a second after SIGTERM")
		}
	}
	close(release)
	if a := <-got; a.err != nil || !a.closed {
		t.Errorf("the response begun during the drain: Connection: close %v, %v", a.closed, a.err)
	}
	if err := <-ran; err != nil {
		t.Errorf("run = %v", err)
	}
}

// runOnSIGTERM runs h on a loopback port with the drain period drain and
// a grace of 5 s, and returns its base URL, the channel that stands for
// SIGTERM, and run's result.
func runOnSIGTERM(t *testing.T, h http.Handler, drain time.Duration) (base string, term chan<- os.Signal, ran <-chan error) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	sig := make(chan os.Signal, 1)
	result := make(chan error, 1)
	go func() {
		result <- run(context.Background(), sig, NewServer(ln.Addr().String(), h, log), ln, 5*time.Second, log, WithDrain(drain))
	}()
	return "http://" + ln.Addr().String(), sig, result
}
