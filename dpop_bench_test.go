package jwtguard_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/jwtguard/jwtguard"
)

// nopStore is a Store that remembers nothing: a replay cache that never
// refuses, to time a proof's checks without one.
type nopStore struct{ jwtguard.Store }

func (nopStore) Spend(context.Context, jwtguard.Record) error { return nil }

// BenchmarkDPoP compares a request with a DPoP-bound token and a fresh
// ES256 proof against a bearer request of the same kind of token, both
// with the token in the verified-token cache; then splits the proof's
// cost: its checks and signature without a replay cache (nop), and with
// the in-memory one (memory) or a MemoryStore (store). Proofs are made
// before the timer starts, one per iteration, as each is good once.
func BenchmarkDPoP(b *testing.B) {
	const url = "http://api.example/tasks"
	k := newDPoPKey(b, "ES256")
	bound, bearer := boundToken(b, k.thumbprint(b)), boundToken(b, "")
	proofs := func(n int, token string) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = k.proof(b, http.MethodGet, url, token, nil)
		}
		return out
	}
	ok := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	g, err := jwtguard.NewGuard(verifierFor(b))
	must(b, err)
	h := g.Require(jwtguard.IsAuthenticated())(ok)
	request := func(b *testing.B, scheme, token string, proofs []string) {
		req := httptest.NewRequest(http.MethodGet, url, nil)
		req.Header.Set("Authorization", scheme+" "+token)
		w := &discardWriter{h: http.Header{}, status: 200}
		h.ServeHTTP(w, req) // the token enters the cache
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if proofs != nil {
				req.Header["Dpop"] = proofs[i : i+1]
			}
			w.status = http.StatusOK
			h.ServeHTTP(w, req)
			if w.status != http.StatusOK {
				b.Fatalf("status %d", w.status)
			}
		}
	}
	b.Run("request=bearer", func(b *testing.B) { request(b, "Bearer", bearer, nil) })
	b.Run("request=dpop", func(b *testing.B) {
		request(b, "DPoP", bound, append([]string{k.proof(b, http.MethodGet, url, bound, nil)}, proofs(b.N, bound)...)[1:])
	})
	req := jwtguard.DPoPRequest{Method: http.MethodGet, URIs: []string{url}, AccessToken: bound, Thumbprint: k.thumbprint(b)}
	for _, c := range []struct {
		name string
		opts []jwtguard.DPoPOption
	}{
		{"proof/replay=nop", []jwtguard.DPoPOption{jwtguard.WithDPoPStore(nopStore{})}},
		{"proof/replay=memory", nil},
		{"proof/replay=store", []jwtguard.DPoPOption{jwtguard.WithDPoPStore(jwtguard.NewMemoryStore())}},
	} {
		b.Run(c.name, func(b *testing.B) {
			v := newDPoPVerifier(b, c.opts...)
			ps := proofs(b.N, bound)
			ctx := context.Background()
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := v.Verify(ctx, ps[i], req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
