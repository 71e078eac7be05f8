package main

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard/examples/internal/promtest"
)

func get(t *testing.T, url, token string) (int, string) {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	must(t, err)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	must(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	must(t, err)
	return res.StatusCode, string(b)
}

// TestJWKSMetrics: with -metrics-addr, the key set's fetch and the Guard's
// decisions are counted on the metrics listener; the public one answers
// 404 for /metrics.
func TestJWKSMetrics(t *testing.T) {
	opURL, token := fakeProvider(t)
	pub, met := promtest.FreeAddr(t), promtest.FreeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-addr", pub, "-metrics-addr", met, "-jwks-url", opURL + "/jwks", "-audience", "api"}, io.Discard)
	}()
	defer func() {
		cancel()
		must(t, <-done)
	}()
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if res, err := http.Get("http://" + pub + "/readyz"); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("jwks did not get ready within 20s")
		}
	}
	if status, body := get(t, "http://"+pub+"/hello", token("read")); status != http.StatusOK {
		t.Fatalf("GET /hello: %d %s", status, body)
	}
	if status, _ := get(t, "http://"+pub+"/metrics", ""); status != http.StatusNotFound {
		t.Errorf("GET /metrics on the public listener: %d, want 404", status)
	}
	status, body := get(t, "http://"+met+"/metrics", "")
	if status != http.StatusOK {
		t.Fatalf("GET /metrics: %d", status)
	}
	scope := `otel_scope_name="github.com/jwtguard/jwtguard/otel",otel_scope_schema_url="",otel_scope_version="",`
	for _, want := range []string{
		`jwtguard_keyset_fetches_total{` + scope + `outcome="fetched",url="` + opURL + `/jwks"} 1`,
		`jwtguard_decisions_total{cached="false",decision="authenticate",` + scope + `outcome="accepted"} 1`,
		`jwtguard_decisions_total{cached="false",decision="authorize",` + scope + `outcome="accepted"} 1`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the scrape lacks %s\n%s", want, body)
		}
	}
}
