// Package pgschema gives a test a PostgreSQL database of its own: a schema
// on the tests' server (JWTGUARD_POSTGRES_DSN, which
// scripts/ci/postgres.sh exports), dropped when the test ends.
package pgschema

import (
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
)

// DSN returns a URL of the tests' PostgreSQL whose connections work in a
// new schema named prefix and random hex digits, dropped when the test
// ends. Without JWTGUARD_POSTGRES_DSN the test is skipped, with a message
// that names what does not run, or fails when CI=true.
func DSN(t testing.TB, prefix, what string) string {
	t.Helper()
	dsn := os.Getenv("JWTGUARD_POSTGRES_DSN")
	if dsn == "" {
		msg := "JWTGUARD_POSTGRES_DSN is empty, so " + what + " does not run (source scripts/ci/postgres.sh)"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg + " (CI=true: failing instead of skipping)")
		}
		t.Skip(msg)
	}
	b := make([]byte, 6)
	rand.Read(b)
	schema := prefix + hex.EncodeToString(b)
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Exec("DROP SCHEMA " + schema + " CASCADE") })
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
