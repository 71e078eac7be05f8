package sqlstore_test

import (
	"slices"
	"testing"

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
	srv := storetest.ThrottledSignIn(t, s, nil)
	var statuses []int
	for range 5 {
		statuses = append(statuses, storetest.WrongSignIn(t, srv.URL))
	}
	if want := []int{401, 401, 401, 401, 429}; !slices.Equal(statuses, want) {
		t.Fatalf("statuses %v, want %v", statuses, want)
	}
}
