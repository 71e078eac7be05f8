package jwtguard_test

import (
	"context"
	"testing"

	"github.com/jwtguard/jwtguard"
	"github.com/jwtguard/jwtguard/storetest"
)

func BenchmarkIssue(b *testing.B) {
	k := keysForTest
	for _, c := range []struct {
		alg string
		key any
	}{{jwtguard.HS256, k.secret}, {jwtguard.RS256, k.rsa}, {jwtguard.ES256, k.ec}, {jwtguard.EdDSA, k.ed}} {
		b.Run("alg="+c.alg, func(b *testing.B) {
			sk, err := jwtguard.NewSigningKey("k", c.key, c.alg)
			must(b, err)
			iss, err := jwtguard.NewIssuer(sk, jwtguard.NewMemoryStore())
			must(b, err)
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := iss.Issue(ctx, "1"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkRefresh(b *testing.B) {
	b.Run("store=memory", func(b *testing.B) { storetest.BenchmarkRefresh(b, jwtguard.NewMemoryStore()) })
}

// BenchmarkRevocationCheck is the access-token revocation check on the hot
// path, against the memory store; the SQL and Redis stores run the same.
func BenchmarkRevocationCheck(b *testing.B) {
	storetest.BenchmarkRevocationCheck(b, jwtguard.NewMemoryStore())
}
