package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard"
)

// BenchmarkRefresh measures a refresh through an HS256 [jwtguard.Issuer]
// on s: verify the refresh token, spend it in the store, sign a new pair;
// with the default reuse grace window (grace=default: the store is also
// checked and the window's marker written) and without one (grace=off).
// Call it from a store's benchmarks:
//
//	func BenchmarkRefresh(b *testing.B) { storetest.BenchmarkRefresh(b, newStore(b)) }
func BenchmarkRefresh(b *testing.B, s jwtguard.Store) {
	for _, c := range []struct {
		name string
		opts []jwtguard.IssuerOption
	}{{"grace=default", nil}, {"grace=off", []jwtguard.IssuerOption{jwtguard.WithReuseGrace(0)}}} {
		b.Run(c.name, func(b *testing.B) {
			iss, p := benchIssuer(b, s, c.opts...)
			ctx := context.Background()
			var err error
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if p, err = iss.Refresh(ctx, p.Refresh); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkRevocationCheck measures the verification of a valid HS256
// access token by an issuer's verifier that checks revocation in s: asked
// every time (check=uncached) and behind a 5 s cache (check=cached).
func BenchmarkRevocationCheck(b *testing.B, s jwtguard.Store) {
	for _, c := range []struct {
		name     string
		maxStale time.Duration
	}{{"check=uncached", 0}, {"check=cached", 5 * time.Second}} {
		b.Run(c.name, func(b *testing.B) {
			iss, p := benchIssuer(b, s, jwtguard.WithAccessRevocation(c.maxStale))
			ctx := context.Background()
			v, err := iss.Verifier()
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := v.Verify(ctx, p.Access); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// benchIssuer returns an HS256 issuer on s and a first pair.
func benchIssuer(b *testing.B, s jwtguard.Store, opts ...jwtguard.IssuerOption) (*jwtguard.Issuer, *jwtguard.Pair) {
	b.Helper()
	key, err := jwtguard.NewSigningKey("", []byte("a-benchmark-secret-of-32-bytes!!"), jwtguard.HS256)
	if err != nil {
		b.Fatal(err)
	}
	iss, err := jwtguard.NewIssuer(key, s, opts...)
	if err != nil {
		b.Fatal(err)
	}
	p, err := iss.Issue(context.Background(), "1")
	if err != nil {
		b.Fatal(err)
	}
	return iss, p
}
