package sqlstore_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver

	"github.com/jwtguard/jwtguard"
	sqlstore "github.com/jwtguard/jwtguard/stores/sql"
)

// dsnEnv names the variable that holds the PostgreSQL tests' server.
const dsnEnv = "JWTGUARD_POSTGRES_DSN"

// newSQLite opens a store on a new SQLite file in a temporary directory and
// returns it with the file's path.
func newSQLite(tb testing.TB, opts ...sqlstore.Option) (*sqlstore.Store, string) {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "jwtguard.db")
	return openSQLite(tb, path, opts...), path
}

// openSQLite opens a store on the SQLite file at path, closed at cleanup.
func openSQLite(tb testing.TB, path string, opts ...sqlstore.Option) *sqlstore.Store {
	tb.Helper()
	s, err := sqlstore.OpenSQLite(context.Background(), path, opts...)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := s.Close(); err != nil {
			tb.Error(err)
		}
	})
	return s
}

// postgresDSN returns the PostgreSQL tests' server, after checking that it
// answers. When it is not set or does not answer, the test is skipped, or
// fails under CI=true, where skipping would hide that nothing was tested.
func postgresDSN(tb testing.TB) string {
	tb.Helper()
	dsn := os.Getenv(dsnEnv)
	if dsn == "" {
		skipOrFail(tb, dsnEnv+" is empty, so the PostgreSQL tests do not run; "+
			"set it to a postgres:// URL, or source scripts/ci/postgres.sh to start a local server and set it")
	}
	db, err := sql.Open("pgx", dsn)
	if err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err = db.PingContext(ctx)
		cancel()
		db.Close()
	}
	if err != nil {
		skipOrFail(tb, "the PostgreSQL server named by "+dsnEnv+" does not answer, so the PostgreSQL tests do not run: "+err.Error())
	}
	return dsn
}

func skipOrFail(tb testing.TB, msg string) {
	tb.Helper()
	if os.Getenv("CI") == "true" {
		tb.Fatal(msg + " (CI=true: failing instead of skipping)")
	}
	tb.Skip(msg)
}

// postgresDB opens a pool on the tests' server, closed at cleanup. The
// pool is bounded, as a service's should be, so that parallel tests stay
// under the server's max_connections.
func postgresDB(tb testing.TB, dsn string) *sql.DB {
	tb.Helper()
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		tb.Fatal(err)
	}
	db.SetMaxOpenConns(8)
	tb.Cleanup(func() { db.Close() })
	return db
}

// postgresSchema creates a schema of its own for one test, so that runs and
// tests sharing the server do not see each other's tables, and drops it at
// cleanup.
func postgresSchema(tb testing.TB, dsn string) string {
	tb.Helper()
	schema := "jwtguard_test_" + randomHex(6)
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := db.Exec("CREATE SCHEMA " + schema); err != nil {
		db.Close()
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		defer db.Close()
		if _, err := db.Exec("DROP SCHEMA " + schema + " CASCADE"); err != nil {
			tb.Errorf("dropping schema %s: %v", schema, err)
		}
	})
	return schema
}

// newPostgres returns a store in a schema of its own on a pool of its own.
func newPostgres(tb testing.TB, opts ...sqlstore.Option) (*sqlstore.Store, *sql.DB) {
	tb.Helper()
	dsn := postgresDSN(tb)
	schema := postgresSchema(tb, dsn)
	db := postgresDB(tb, dsn)
	return postgresStore(tb, db, append([]sqlstore.Option{sqlstore.WithSchema(schema)}, opts...)...), db
}

// postgresStore returns a store on db, closed at cleanup.
func postgresStore(tb testing.TB, db *sql.DB, opts ...sqlstore.Option) *sqlstore.Store {
	tb.Helper()
	s, err := sqlstore.New(context.Background(), db, sqlstore.PostgreSQL, opts...)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := s.Close(); err != nil {
			tb.Error(err)
		}
	})
	return s
}

// dialects runs fn once per dialect with a new, empty store and a pool on
// its database, whose tables are named with the default prefix.
func dialects(t *testing.T, fn func(t *testing.T, s *sqlstore.Store, db *sql.DB, schema string), opts ...sqlstore.Option) {
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		s, path := newSQLite(t, opts...)
		db, err := sql.Open("sqlite", path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		fn(t, s, db, "main")
	})
	t.Run("postgresql", func(t *testing.T) {
		t.Parallel()
		dsn := postgresDSN(t)
		schema := postgresSchema(t, dsn)
		db := postgresDB(t, dsn)
		s := postgresStore(t, db, append([]sqlstore.Option{sqlstore.WithSchema(schema)}, opts...)...)
		fn(t, s, db, schema)
	})
}

// record returns a record with fresh random identifiers, issued a minute
// ago and expiring in an hour.
func record() jwtguard.Record {
	now := time.Now()
	return jwtguard.Record{
		ID:        randomHex(16),
		Family:    randomHex(16),
		Subject:   randomHex(16),
		IssuedAt:  now.Add(-time.Minute),
		ExpiresAt: now.Add(time.Hour),
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// postgresPair returns two stores on one schema of their own, each on a
// pool of its own, as two instances of a service have them; bOpts are the
// second's extra options. It returns the schema too.
func postgresPair(tb testing.TB, bOpts ...sqlstore.Option) (a, b *sqlstore.Store, schema string) {
	tb.Helper()
	dsn := postgresDSN(tb)
	schema = postgresSchema(tb, dsn)
	a = postgresStore(tb, postgresDB(tb, dsn), sqlstore.WithSchema(schema))
	b = postgresStore(tb, postgresDB(tb, dsn), append([]sqlstore.Option{sqlstore.WithSchema(schema)}, bOpts...)...)
	return a, b, schema
}
