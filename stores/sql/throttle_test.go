package sqlstore_test

import (
	"context"
	"slices"
	"testing"

	sqlstore "github.com/jwtguard/jwtguard/stores/sql"

	"github.com/jwtguard/jwtguard/storetest"
)

// Two instances on one PostgreSQL database share the sign-in budget of a
// client address: 4 a minute in all, not 4 each.
func TestPostgreSQLSharedThrottle(t *testing.T) {
	t.Parallel()
	a, b, _ := postgresPair(t)
	storetest.RunSharedThrottle(t, a, b)
}

// SQLite keeps no shared buckets: a throttle given the store counts in
// its own, as without it.
func TestSQLiteThrottleCountsLocally(t *testing.T) {
	t.Parallel()
	s, _ := newSQLite(t)
	countsLocally(t, s)
}

// A PostgreSQL store made WithoutCreateTables on tables from before the
// throttle table purges as before, and a throttle on it counts locally.
func TestPostgreSQLWithoutThrottleTable(t *testing.T) {
	t.Parallel()
	dsn := postgresDSN(t)
	schema := postgresSchema(t, dsn)
	db := postgresDB(t, dsn)
	execAll(t, db, legacyDDL(sqlstore.PostgreSQL, schema))
	s := postgresStore(t, db, sqlstore.WithSchema(schema), sqlstore.WithoutCreateTables())
	if _, err := s.Purge(context.Background()); err != nil {
		t.Fatalf("Purge without the throttle table: %v", err)
	}
	countsLocally(t, s)
}

// countsLocally checks that a throttle on s counts in its own buckets:
// four wrong sign-ins a minute, then 429.
func countsLocally(t *testing.T, s *sqlstore.Store) {
	t.Helper()
	srv := storetest.ThrottledSignIn(t, s, nil)
	var statuses []int
	for range 5 {
		statuses = append(statuses, storetest.WrongSignIn(t, srv.URL))
	}
	if want := []int{401, 401, 401, 401, 429}; !slices.Equal(statuses, want) {
		t.Fatalf("statuses %v, want %v", statuses, want)
	}
}
