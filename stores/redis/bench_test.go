package redisstore_test

import (
	"context"
	"errors"
	"testing"

	"github.com/jwtguard/jwtguard"
	redisstore "github.com/jwtguard/jwtguard/stores/redis"
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

// BenchmarkRevocationCheckFeed is the revocation check's cached path with
// the change feed (feed=on) and without it (feed=off): a hit costs the
// same.
func BenchmarkRevocationCheckFeed(b *testing.B) {
	c := newClient(b)
	for _, f := range []struct {
		name string
		opts []redisstore.Option
	}{{"feed=on", nil}, {"feed=off", []redisstore.Option{redisstore.WithoutChangeFeed()}}} {
		b.Run(f.name, func(b *testing.B) {
			s, err := redisstore.New(c, append(f.opts, redisstore.WithKeyPrefix(newPrefix(b, c)))...)
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { s.Close() })
			storetest.BenchmarkRevocationCheck(b, s)
		})
	}
}

// BenchmarkChangeFeed is revocation to refusal across two clients of one
// Redis: the PUBLISH's way to the other client's subscription (p50-ms,
// p99-ms).
func BenchmarkChangeFeed(b *testing.B) {
	ca, cb := newClient(b), newClient(b)
	prefix := newPrefix(b, ca)
	sa, sb := newStore(b, ca, prefix), newStore(b, cb, prefix)
	b.Cleanup(func() { sa.Close(); sb.Close() })
	storetest.BenchmarkChangeFeed(b, sa, sb)
}

// BenchmarkChangeRate is 10 000 revocations a minute through one client,
// received by the other's subscription: messages per second and heap (see
// storetest.BenchmarkChangeRate).
func BenchmarkChangeRate(b *testing.B) {
	ca, cb := newClient(b), newClient(b)
	prefix := newPrefix(b, ca)
	sa, sb := newStore(b, ca, prefix), newStore(b, cb, prefix)
	b.Cleanup(func() { sa.Close(); sb.Close() })
	storetest.BenchmarkChangeRate(b, sa, sb)
}
