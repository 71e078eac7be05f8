package main

import (
	"context"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/jwtguard/jwtguard/examples/internal/promtest"
)

// TestBasicMetrics: with -metrics-addr, the Guard's decisions are counted
// on the metrics listener (the first token verified, the next ones from
// the cache, a forged one refused); the public listener answers 404 for
// /metrics.
func TestBasicMetrics(t *testing.T) {
	dir := t.TempDir()
	secret := writeJWKS(t, dir)
	pub, met := promtest.FreeAddr(t), promtest.FreeAddr(t)
	promtest.RunExample(t, "http://"+pub+"/readyz", func(ctx context.Context) error {
		return run(ctx, []string{"-addr", pub, "-metrics-addr", met, "-jwks-file", filepath.Join(dir, "jwks.json"), "-token-type", ""}, io.Discard)
	})
	tok := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"sub": "alice", "exp": time.Now().Add(time.Minute).Unix()})
	tok.Header["kid"] = "hs1"
	raw, err := tok.SignedString(secret)
	must(t, err)
	const accepted = 3
	for range accepted {
		if status, body := promtest.Get(t, "http://"+pub+"/hello", raw); status != http.StatusOK {
			t.Fatalf("GET /hello: %d %s", status, body)
		}
	}
	if status, _ := promtest.Get(t, "http://"+pub+"/hello", raw[:len(raw)-4]+"AAAA"); status != http.StatusUnauthorized {
		t.Fatalf("a forged token: %d, want 401", status)
	}
	if status, _ := promtest.Get(t, "http://"+pub+"/metrics", ""); status != http.StatusNotFound {
		t.Errorf("GET /metrics on the public listener: %d, want 404", status)
	}
	_, body := promtest.Get(t, "http://"+met+"/metrics", "")
	for _, want := range []string{
		`jwtguard_decisions_total{cached="false",decision="authenticate",` + promtest.ScopeLabels + `outcome="accepted"} 1`,
		`jwtguard_decisions_total{cached="true",decision="authenticate",` + promtest.ScopeLabels + `outcome="accepted"} 2`,
		`jwtguard_decisions_total{cached="false",decision="authenticate",` + promtest.ScopeLabels + `outcome="refused",refusal="token_invalid"} 1`,
		`jwtguard_verification_duration_seconds_count{` + promtest.ScopeLabels + `outcome="accepted"} 1`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the scrape lacks %s\n%s", want, body)
		}
	}
}
