package sqlstore_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"sync"
	"testing"

	sqlstore "github.com/jwtguard/jwtguard/stores/sql"
	"github.com/jwtguard/jwtguard/storetest"
)

func TestSQLite(t *testing.T) {
	t.Parallel()
	s, _ := newSQLite(t)
	storetest.Run(t, s)
}

// Two stores, as two processes would have, on one SQLite file.
func TestSQLiteShared(t *testing.T) {
	t.Parallel()
	a, path := newSQLite(t)
	b := openSQLite(t, path)
	storetest.RunShared(t, a, b)
}

// New on a pool the caller opened, with its own prefix and the main
// database's name as the schema.
func TestSQLiteNew(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "own.db")
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	s, err := sqlstore.New(context.Background(), db, sqlstore.SQLite,
		sqlstore.WithTablePrefix("auth_"), sqlstore.WithSchema("main"))
	if err != nil {
		t.Fatal(err)
	}
	storetest.Run(t, s)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := db.Ping(); err != nil {
		t.Errorf("Close closed a database the store did not open: %v", err)
	}
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name LIKE 'auth\_%' ESCAPE '\'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 4 { // tokens, families, subjects, store_migrations
		t.Errorf("%d tables named auth_*, want 4", n)
	}
}

func TestPostgreSQL(t *testing.T) {
	t.Parallel()
	s, _ := newPostgres(t)
	storetest.Run(t, s)
}

// Two pools, as two processes would have, on one PostgreSQL database.
func TestPostgreSQLShared(t *testing.T) {
	t.Parallel()
	dsn := postgresDSN(t)
	schema := postgresSchema(t, dsn)
	a := postgresStore(t, postgresDB(t, dsn), sqlstore.WithSchema(schema))
	b := postgresStore(t, postgresDB(t, dsn), sqlstore.WithSchema(schema))
	storetest.RunShared(t, a, b)
}

// Processes that start at once all create the tables: none may fail.
func TestNewConcurrently(t *testing.T) {
	const n = 8
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		path := filepath.Join(t.TempDir(), "race.db")
		race(t, n, func() error {
			s, err := sqlstore.OpenSQLite(context.Background(), path)
			if err == nil {
				err = s.Close()
			}
			return err
		})
	})
	t.Run("postgresql", func(t *testing.T) {
		t.Parallel()
		dsn := postgresDSN(t)
		schema := postgresSchema(t, dsn)
		race(t, n, func() error {
			db, err := sql.Open("pgx", dsn)
			if err != nil {
				return err
			}
			defer db.Close()
			_, err = sqlstore.New(context.Background(), db, sqlstore.PostgreSQL, sqlstore.WithSchema(schema))
			return err
		})
	})
}

// race runs fn from n goroutines at once and fails t on any error.
func race(t *testing.T, n int, fn func() error) {
	t.Helper()
	start := make(chan struct{})
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			errs[i] = fn()
		})
	}
	close(start)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}
