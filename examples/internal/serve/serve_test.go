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
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	term := make(chan os.Signal, 1)
	ran := make(chan error, 1)
	go func() {
		ran <- run(context.Background(), term, NewServer(ln.Addr().String(), h, log), ln, 5*time.Second, log, WithDrain(2*time.Second))
	}()
	base := "http://" + ln.Addr().String()
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
