package sqlstore_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard"
	sqlstore "github.com/jwtguard/jwtguard/stores/sql"
)

// rows counts the entries in the store's three tables.
func rows(t *testing.T, db *sql.DB, schema string) int {
	t.Helper()
	total := 0
	for _, table := range []string{"tokens", "families", "subjects"} {
		var n int
		if err := db.QueryRow(`SELECT count(*) FROM "` + schema + `"."jwtguard_` + table + `"`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		total += n
	}
	return total
}

// writeExpired writes one expired entry of every kind, and one live token.
func writeExpired(t *testing.T, s *sqlstore.Store) {
	t.Helper()
	ctx := context.Background()
	past := time.Now().Add(-time.Minute)
	expired := func() jwtguard.Record {
		r := record()
		r.ExpiresAt = past
		return r
	}
	spent, revoked, family, subject := expired(), expired(), expired(), expired()
	must(t, s.Spend(ctx, spent))
	must(t, s.Revoke(ctx, revoked))
	must(t, s.RevokeFamily(ctx, family.Family, past))
	must(t, s.RevokeSubject(ctx, subject.Subject, subject.IssuedAt, past))
	must(t, s.Spend(ctx, record()))
}

func TestPurge(t *testing.T) {
	dialects(t, func(t *testing.T, s *sqlstore.Store, db *sql.DB, schema string) {
		writeExpired(t, s)
		if n := rows(t, db, schema); n != 5 {
			t.Fatalf("%d rows before Purge, want 5", n)
		}
		n, err := s.Purge(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if n != 4 {
			t.Errorf("Purge deleted %d rows, want 4", n)
		}
		if n := rows(t, db, schema); n != 1 {
			t.Errorf("%d rows after Purge, want the live one", n)
		}
	}, sqlstore.WithPurgeInterval(0))
}

// Writes purge by themselves, at most once per interval: the first write
// of a new store purges, and the next ones within the interval do not.
func TestPurgeLazily(t *testing.T) {
	dialects(t, func(t *testing.T, s *sqlstore.Store, db *sql.DB, schema string) {
		ctx := context.Background()
		r := record()
		r.ExpiresAt = time.Now().Add(-time.Minute)
		must(t, s.Spend(ctx, r)) // written, then purged
		if n := rows(t, db, schema); n != 0 {
			t.Fatalf("%d rows after the first write, want 0", n)
		}
		writeExpired(t, s)
		if n := rows(t, db, schema); n != 5 {
			t.Errorf("%d rows after more writes within the interval, want 5", n)
		}
	})
}
