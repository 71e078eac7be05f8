package main

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/jwtguard/jwtguard/examples/internal/promtest"
)

// TestJWKSMetrics: with -metrics-addr, the key set's fetch and the Guard's
// decisions are counted on the metrics listener; the public one answers
// 404 for /metrics.
func TestJWKSMetrics(t *testing.T) {
	opURL, token, _ := fakeProvider(t)
	pub, met := promtest.FreeAddr(t), promtest.FreeAddr(t)
	promtest.RunExample(t, "http://"+pub+"/readyz", func(ctx context.Context) error {
		return run(ctx, []string{"-addr", pub, "-metrics-addr", met, "-jwks-url", opURL + "/jwks", "-audience", "api"}, io.Discard)
	})
	if status, body := promtest.Get(t, "http://"+pub+"/hello", token("read")); status != http.StatusOK {
		t.Fatalf("GET /hello: %d %s", status, body)
	}
	if status, _ := promtest.Get(t, "http://"+pub+"/metrics", ""); status != http.StatusNotFound {
		t.Errorf("GET /metrics on the public listener: %d, want 404", status)
	}
	status, body := promtest.Get(t, "http://"+met+"/metrics", "")
	if status != http.StatusOK {
		t.Fatalf("GET /metrics: %d", status)
	}
	for _, want := range []string{
		`jwtguard_keyset_fetches_total{` + promtest.ScopeLabels + `outcome="fetched",url="` + opURL + `/jwks"} 1`,
		`jwtguard_decisions_total{cached="false",decision="authenticate",` + promtest.ScopeLabels + `outcome="accepted"} 1`,
		`jwtguard_decisions_total{cached="false",decision="authorize",` + promtest.ScopeLabels + `outcome="accepted"} 1`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the scrape lacks %s\n%s", want, body)
		}
	}
}
