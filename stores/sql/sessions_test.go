package sqlstore_test

import (
	"testing"

	"github.com/jwtguard/jwtguard/storetest"
)

// The issuer's session rules (reuse grace, single-use tokens) over two
// stores on one SQLite file, as two processes would have.
func TestSQLiteSessions(t *testing.T) {
	t.Parallel()
	a, path := newSQLite(t)
	storetest.RunSessions(t, a, openSQLite(t, path))
}

// The same over two pools on one PostgreSQL database.
func TestPostgreSQLSessions(t *testing.T) {
	t.Parallel()
	a, b, _ := postgresPair(t)
	storetest.RunSessions(t, a, b)
}
