package metrics_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/jwtguard/jwtguard"
	"github.com/jwtguard/jwtguard/examples/internal/metrics"
)

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestListenServesMetricsOnly: /metrics answers with what the observer
// saw; every other path, and another method, does not.
func TestListenServesMetricsOnly(t *testing.T) {
	s, err := metrics.Listen("127.0.0.1:0", slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	s.Observer.Observe(context.Background(), jwtguard.Event{Kind: jwtguard.EventSignIn, Outcome: jwtguard.OutcomeFailed})
	base := "http://" + s.Addr()
	status, body := get(t, base+"/metrics")
	if status != http.StatusOK || !strings.Contains(body, `jwtguard_signins_total{otel_scope_name="github.com/jwtguard/jwtguard/otel",otel_scope_schema_url="",otel_scope_version="",outcome="failed"} 1`) {
		t.Errorf("GET /metrics: %d\n%s", status, body)
	}
	for _, path := range []string{"/", "/metrics/", "/debug/pprof/", "/api/token/"} {
		if status, _ := get(t, base+path); status != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", path, status)
		}
	}
	resp, err := http.Post(base+"/metrics", "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST /metrics: %d, want 405", resp.StatusCode)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := http.Get(base + "/metrics"); err == nil {
		t.Error("the listener still answers after Close")
	}
}

// TestListenRefusesTakenAddress: a bad or taken address fails at once.
func TestListenRefusesTakenAddress(t *testing.T) {
	s, err := metrics.Listen("127.0.0.1:0", slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := metrics.Listen(s.Addr(), slog.New(slog.DiscardHandler)); err == nil {
		t.Error("Listen on a taken address succeeded")
	}
	if _, err := metrics.Listen("not an address", slog.New(slog.DiscardHandler)); err == nil {
		t.Error("Listen on a bad address succeeded")
	}
}
