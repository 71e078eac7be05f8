package promtest

import (
	"context"
	"io"
	"net/http"
	"testing"
	"time"
)

// RunExample runs an example server's run function until the test ends,
// and waits until GET readyURL answers 200 (for at most 20 seconds).
func RunExample(t testing.TB, readyURL string, run func(ctx context.Context) error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("the example server: %v", err)
		}
	})
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if res, err := http.Get(readyURL); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case err := <-done:
			t.Fatalf("the example server ended: %v", err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not answer 200 within 20s", readyURL)
		}
	}
}

// Get sends GET url, with a bearer token when token is not empty, and
// returns the status and the body.
func Get(t testing.TB, url, token string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, string(b)
}

// ScopeLabels are the labels the OpenTelemetry exporter adds to each of
// jwtguard's series, as a scrape writes them, for tests that look for a
// series' line.
const ScopeLabels = `otel_scope_name="github.com/jwtguard/jwtguard/otel",otel_scope_schema_url="",otel_scope_version="",`
