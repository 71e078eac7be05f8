package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard"
)

// BenchmarkRefresh measures a refresh through an HS256 [jwtguard.Issuer]
// on s: verify the refresh token, spend it in the store, sign a new pair.
// Call it from a store's benchmarks:
//
//	func BenchmarkRefresh(b *testing.B) { storetest.BenchmarkRefresh(b, newStore(b)) }
func BenchmarkRefresh(b *testing.B, s jwtguard.Store) {
	key, err := jwtguard.NewSigningKey("", jwtguard.HS256, []byte("a-benchmark-secret-of-32-bytes!!"))
	if err != nil {
		b.Fatal(err)
	}
	iss, err := jwtguard.NewIssuer(key, s)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	p, err := iss.Issue(ctx, "1")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if p, err = iss.Refresh(ctx, p.Refresh); err != nil {
			b.Fatal(err)
		}
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
			key, err := jwtguard.NewSigningKey("", jwtguard.HS256, []byte("a-benchmark-secret-of-32-bytes!!"))
			if err != nil {
				b.Fatal(err)
			}
			iss, err := jwtguard.NewIssuer(key, s, jwtguard.WithAccessRevocation(c.maxStale))
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			p, err := iss.Issue(ctx, "1")
			if err != nil {
				b.Fatal(err)
			}
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
