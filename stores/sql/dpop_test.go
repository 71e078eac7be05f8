package sqlstore_test

import (
	"testing"

	"github.com/jwtguard/jwtguard/storetest"
)

// TestDPoPReplayPostgreSQL: two instances, each with its own pool on one
// real PostgreSQL database, share the DPoP replay cache: a proof used at
// one is refused at the other.
func TestDPoPReplayPostgreSQL(t *testing.T) {
	t.Parallel()
	a, b, _ := postgresPair(t)
	storetest.RunDPoPReplay(t, a, b)
}

// TestDPoPReplaySQLite: the same with two stores on one SQLite file.
func TestDPoPReplaySQLite(t *testing.T) {
	t.Parallel()
	a, path := newSQLite(t)
	storetest.RunDPoPReplay(t, a, openSQLite(t, path))
}
