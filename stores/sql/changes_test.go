package sqlstore_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	sqlstore "github.com/jwtguard/jwtguard/stores/sql"
	"github.com/jwtguard/jwtguard/storetest"
)

// listenRetry is how long the second handle's listener stays away after
// its connection is terminated: time for RunChangeFeed to write what it
// must miss.
const listenRetry = 2 * time.Second

// Revocations and user changes written through one pool reach the
// verifier of another at once, through LISTEN/NOTIFY; with the listener's
// backend terminated, the cache time still bounds what passes, and the
// listener's return catches up.
func TestPostgreSQLChangeFeed(t *testing.T) {
	t.Parallel()
	a, b, schema := postgresPair(t, sqlstore.WithListenRetry(listenRetry))
	admin := postgresDB(t, postgresDSN(t))
	listening(t, admin, schema, 2)
	storetest.RunChangeFeed(t, a, b, func(tb testing.TB) {
		terminateListeners(tb, admin, schema)
	})
}

// The PostgreSQL listeners of schema's store: their backends' ids.
func listenerPIDs(tb testing.TB, db *sql.DB, schema string) []int {
	tb.Helper()
	rows, err := db.Query(`SELECT pid FROM pg_stat_activity WHERE query = $1`,
		`LISTEN "`+schema+`.jwtguard_changes"`)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	var pids []int
	for rows.Next() {
		var pid int
		if err := rows.Scan(&pid); err != nil {
			tb.Fatal(err)
		}
		pids = append(pids, pid)
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	return pids
}

// listening waits until n stores of schema listen.
func listening(tb testing.TB, db *sql.DB, schema string, n int) {
	tb.Helper()
	for deadline := time.Now().Add(5 * time.Second); len(listenerPIDs(tb, db, schema)) < n; {
		if time.Now().After(deadline) {
			tb.Fatalf("fewer than %d listeners on %s's channel after 5s", n, schema)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// terminateListeners terminates the newest listener's backend with
// pg_terminate_backend, and returns once it is gone.
func terminateListeners(tb testing.TB, db *sql.DB, schema string) {
	tb.Helper()
	pids := listenerPIDs(tb, db, schema)
	if len(pids) == 0 {
		tb.Fatal("no listener to terminate")
	}
	ctx := context.Background()
	for _, pid := range pids {
		if _, err := db.ExecContext(ctx, `SELECT pg_terminate_backend($1)`, pid); err != nil {
			tb.Fatal(err)
		}
	}
	for deadline := time.Now().Add(5 * time.Second); len(listenerPIDs(tb, db, schema)) > 0; {
		if time.Now().After(deadline) {
			tb.Fatal("the terminated listeners are still there after 5s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// A pool of one connection is not given to the listener: the store still
// answers.
func TestPostgreSQLOneConnectionPool(t *testing.T) {
	t.Parallel()
	dsn := postgresDSN(t)
	schema := postgresSchema(t, dsn)
	db := postgresDB(t, dsn)
	db.SetMaxOpenConns(1)
	s := postgresStore(t, db, sqlstore.WithSchema(schema))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for range 3 {
		if err := s.Check(ctx, record()); err != nil {
			t.Fatalf("a check on a pool of one: %v", err)
		}
	}
}
