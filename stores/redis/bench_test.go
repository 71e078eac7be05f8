package redisstore_test

import (
	"context"
	"errors"
	"testing"

	"github.com/jwtguard/jwtguard"
	"github.com/jwtguard/jwtguard/storetest"
)

// BenchmarkSpend spends a new token each time: one script run that reads
// the token's, family's and subject's keys and writes the token's.
func BenchmarkSpend(b *testing.B) {
	c := newClient(b)
	s := newStore(b, c, newPrefix(b, c))
	ctx := context.Background()
	r := record()
	ids := make([]string, b.N)
	for i := range ids {
		ids[i] = randomID()
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		r.ID = ids[i]
		if err := s.Spend(ctx, r); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCheck checks a spent token, which reads all three keys.
func BenchmarkCheck(b *testing.B) {
	c := newClient(b)
	s := newStore(b, c, newPrefix(b, c))
	ctx := context.Background()
	r := record()
	if err := s.Spend(ctx, r); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if err := s.Check(ctx, r); !errors.Is(err, jwtguard.ErrTokenSpent) {
			b.Fatal(err)
		}
	}
}

// BenchmarkRefresh is a refresh through an Issuer on this store.
func BenchmarkRefresh(b *testing.B) {
	c := newClient(b)
	storetest.BenchmarkRefresh(b, newStore(b, c, newPrefix(b, c)))
}

// BenchmarkRevocationCheck is the access-token revocation check on the hot
// path, asked of Redis every time and behind the verifier's cache.
func BenchmarkRevocationCheck(b *testing.B) {
	c := newClient(b)
	storetest.BenchmarkRevocationCheck(b, newStore(b, c, newPrefix(b, c)))
}
