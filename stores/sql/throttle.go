package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/jwtguard/jwtguard"
)

// On PostgreSQL the store is a [jwtguard.ThrottleStore]: a throttle given
// it with [jwtguard.WithSharedThrottle] counts in token buckets every process
// shares, rows of the table prefix+"throttle" (migration step 2 creates it;
// with [WithoutCreateTables], create it from [CreateTablesSQL] before [New]
// runs, or the store keeps no shared buckets and the throttle counts per
// process and says so). A take is one statement; a
// refused one asks a second time for the wait. Times are the calling
// process's clock, as the store's expiries are. On SQLite, one process,
// Take and Refund return an error and the throttle counts locally.

var _ jwtguard.ThrottleStore = (*Store)(nil)

// errNoThrottleTable: the dialect keeps no shared buckets.
var errNoThrottleTable = errors.New("sqlstore: shared throttle buckets are kept on PostgreSQL only")

// throttleQueries are the bucket statements, PostgreSQL's only.
type throttleQueries struct {
	take, wait, refund *stmt
}

// newThrottleQueries writes the statements on t's throttle table. Each
// takes $1 key, $2 bucket size, $3 period in milliseconds, $4 now in Unix
// milliseconds.
func newThrottleQueries(t tables) throttleQueries {
	size, per, now := "CAST($2 AS DOUBLE PRECISION)", "CAST($3 AS DOUBLE PRECISION)", "CAST($4 AS BIGINT)"
	// The bucket's tokens now: refilled since at_ms, up to its size.
	refilled := "LEAST(" + size + ", b.tokens + GREATEST(0, " + now + " - b.at_ms) * " + size + " / " + per + ")"
	// When a bucket holding tokens x is full again.
	full := func(x string) string {
		return now + " + CAST(CEIL((" + size + " - (" + x + ")) * " + per + " / " + size + ") AS BIGINT)"
	}
	return throttleQueries{
		take: &stmt{text: `INSERT INTO ` + t.throttle + ` AS b (key, tokens, at_ms, expires_ms)
	VALUES ($1, ` + size + ` - 1, ` + now + `, ` + full(size+" - 1") + `)
	ON CONFLICT (key) DO UPDATE SET tokens = ` + refilled + ` - 1, at_ms = ` + now + `,
	expires_ms = ` + full(refilled+" - 1") + `
	WHERE ` + refilled + ` >= 1`},
		wait: &stmt{text: `SELECT CAST(CEIL((1 - ` + refilled + `) * ` + per + ` / ` + size + `) AS BIGINT)
	FROM ` + t.throttle + ` AS b WHERE key = $1`},
		refund: &stmt{text: `UPDATE ` + t.throttle + ` AS b SET tokens = LEAST(` + size + `, ` + refilled + ` + 1),
	at_ms = ` + now + `, expires_ms = ` + full("LEAST("+size+", "+refilled+" + 1)") + ` WHERE key = $1`},
	}
}

// Take implements [jwtguard.ThrottleStore] on PostgreSQL.
func (s *Store) Take(ctx context.Context, key string, burst int, per time.Duration) (time.Duration, error) {
	if s.throttle == nil {
		return 0, errNoThrottleTable
	}
	args := s.bucketArgs(key, burst, per)
	res, err := s.throttle.take.exec(ctx, s.db, args...)
	var n int64
	if err == nil {
		n, err = res.RowsAffected()
	}
	if err != nil {
		return 0, fmt.Errorf("sqlstore: throttle take: %w", err)
	}
	if n > 0 {
		return 0, nil
	}
	var ms int64
	err = s.throttle.wait.queryRow(ctx, s.db, args...).Scan(&ms)
	if errors.Is(err, sql.ErrNoRows) {
		ms = 0 // purged meanwhile: full again
	} else if err != nil {
		return 0, fmt.Errorf("sqlstore: throttle wait: %w", err)
	}
	// Refused: wait at least a millisecond, so that 0 always means taken.
	return time.Duration(max(ms, 1)) * time.Millisecond, nil
}

// Refund implements [jwtguard.ThrottleStore] on PostgreSQL.
func (s *Store) Refund(ctx context.Context, key string, burst int, per time.Duration) error {
	if s.throttle == nil {
		return errNoThrottleTable
	}
	if _, err := s.throttle.refund.exec(ctx, s.db, s.bucketArgs(key, burst, per)...); err != nil {
		return fmt.Errorf("sqlstore: throttle refund: %w", err)
	}
	return nil
}

func (s *Store) bucketArgs(key string, burst int, per time.Duration) []any {
	perMS := math.Max(float64(per.Milliseconds()), 1)
	return []any{key, float64(burst), perMS, floorMillis(s.now())}
}

// hasThrottle reports whether the throttle table exists, for a store made
// with WithoutCreateTables on tables that may predate it: without it the
// store keeps no shared buckets, and Purge leaves it out.
func (t tables) hasThrottle(ctx context.Context, db *sql.DB) bool {
	rows, err := db.QueryContext(ctx, "SELECT key FROM "+t.throttle+" WHERE 1 = 0")
	if err != nil {
		return false
	}
	return rows.Close() == nil
}
