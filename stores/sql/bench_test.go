package sqlstore_test

import (
	"context"
	"database/sql"
	"strconv"
	"sync/atomic"
	"testing"

	sqlstore "github.com/jwtguard/jwtguard/stores/sql"
	"github.com/jwtguard/jwtguard/storetest"
)

// benchStores runs fn on a new store of each dialect.
func benchStores(b *testing.B, fn func(b *testing.B, s *sqlstore.Store)) {
	b.Run("sqlite", func(b *testing.B) {
		s, _ := newSQLite(b)
		fn(b, s)
	})
	b.Run("postgresql", func(b *testing.B) {
		s, _ := newPostgres(b)
		fn(b, s)
	})
}

// A rotation: the refresh token is spent for the first time.
func BenchmarkSpend(b *testing.B) {
	benchStores(b, func(b *testing.B, s *sqlstore.Store) {
		ctx := context.Background()
		r := record()
		ids := make([]string, b.N)
		for i := range ids {
			ids[i] = r.ID + strconv.Itoa(i)
		}
		b.ReportAllocs()
		b.ResetTimer()
		for i := range b.N {
			r.ID = ids[i]
			if err := s.Spend(ctx, r); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// Rotations from many goroutines at once, as a busy service has them.
func BenchmarkSpendParallel(b *testing.B) {
	benchStores(b, func(b *testing.B, s *sqlstore.Store) {
		ctx := context.Background()
		base := record()
		var n atomic.Int64
		b.ReportAllocs()
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			r := base
			for pb.Next() {
				r.ID = base.ID + strconv.FormatInt(n.Add(1), 10)
				if err := s.Spend(ctx, r); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}

// A check of a token that is neither spent nor revoked: the common case.
func BenchmarkCheck(b *testing.B) {
	benchStores(b, func(b *testing.B, s *sqlstore.Store) {
		ctx := context.Background()
		r := record()
		b.ReportAllocs()
		b.ResetTimer()
		for range b.N {
			if err := s.Check(ctx, r); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// A refresh through an Issuer on each dialect.
func BenchmarkRefresh(b *testing.B) {
	benchStores(b, func(b *testing.B, s *sqlstore.Store) { storetest.BenchmarkRefresh(b, s) })
}

// The access-token revocation check on the hot path, asked of the
// database every time and behind the verifier's cache.
func BenchmarkRevocationCheck(b *testing.B) {
	benchStores(b, func(b *testing.B, s *sqlstore.Store) { storetest.BenchmarkRevocationCheck(b, s) })
}

// The revocation check's cached path on PostgreSQL with the change feed
// (feed=on) and without it (feed=off): a hit costs the same.
func BenchmarkRevocationCheckFeed(b *testing.B) {
	for _, f := range []struct {
		name string
		opts []sqlstore.Option
	}{{"feed=on", nil}, {"feed=off", []sqlstore.Option{sqlstore.WithoutChangeFeed()}}} {
		b.Run(f.name, func(b *testing.B) {
			s, _ := newPostgres(b, f.opts...)
			storetest.BenchmarkRevocationCheck(b, s)
		})
	}
}

// Revocation to refusal across two pools on one PostgreSQL database: the
// NOTIFY's way to the other pool's listener (p50-ms, p99-ms).
func BenchmarkChangeFeed(b *testing.B) {
	a, c, _ := postgresPair(b)
	storetest.BenchmarkChangeFeed(b, a, c)
}

// 10 000 revocations a minute through one pool, received by the other's
// listener: messages per second and heap (see storetest.BenchmarkChangeRate).
func BenchmarkChangeRate(b *testing.B) {
	a, c, _ := postgresPair(b)
	storetest.BenchmarkChangeRate(b, a, c)
}

// A start on a database already at SchemaVersion: the migration finds
// nothing to do (its lock, the version's read), then the statements are
// prepared.
func BenchmarkNewMigrated(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) {
		_, path := newSQLite(b)
		db, err := sql.Open("sqlite", path)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { db.Close() })
		benchNew(b, db, sqlstore.SQLite)
	})
	b.Run("postgresql", func(b *testing.B) {
		dsn := postgresDSN(b)
		schema := postgresSchema(b, dsn)
		benchNew(b, postgresDB(b, dsn), sqlstore.PostgreSQL, sqlstore.WithSchema(schema), sqlstore.WithoutChangeFeed())
	})
}

func benchNew(b *testing.B, db *sql.DB, dialect sqlstore.Dialect, opts ...sqlstore.Option) {
	ctx := context.Background()
	first, err := sqlstore.New(ctx, db, dialect, opts...)
	if err != nil {
		b.Fatal(err)
	}
	first.Close()
	b.ResetTimer()
	for range b.N {
		s, err := sqlstore.New(ctx, db, dialect, opts...)
		if err != nil {
			b.Fatal(err)
		}
		s.Close()
	}
}
