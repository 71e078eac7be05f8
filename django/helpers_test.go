package jwtguarddjango_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard/django"
)

// dsnEnv names the variable that holds the PostgreSQL tests' server.
const dsnEnv = "JWTGUARD_POSTGRES_DSN"

// schemaOf runs the statements of testdata/name on db.
func schemaOf(tb testing.TB, db *sql.DB, name string) {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	var lines []string
	for _, l := range strings.Split(string(b), "\n") {
		if !strings.HasPrefix(l, "--") {
			lines = append(lines, l)
		}
	}
	for _, stmt := range strings.Split(strings.Join(lines, "\n"), ";") {
		if strings.TrimSpace(stmt) == "" {
			continue
		}
		if _, err := db.Exec(stmt); err != nil {
			tb.Fatalf("%s: %v", stmt, err)
		}
	}
}

// sqliteProject returns the URL of a new SQLite file holding a Django
// project's tables.
func sqliteProject(tb testing.TB) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "db.sqlite3")
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	schemaOf(tb, db, "sqlite.sql")
	return "sqlite://" + path
}

// postgresProject returns the URL of a new schema of the tests' PostgreSQL
// server holding a Django project's tables, dropped at cleanup. Without a
// server the test is skipped, or fails under CI=true.
func postgresProject(tb testing.TB) string {
	tb.Helper()
	dsn := os.Getenv(dsnEnv)
	if dsn == "" {
		skipOrFail(tb, dsnEnv+" is empty, so the PostgreSQL tests do not run; "+
			"set it to a postgres:// URL, or source scripts/ci/postgres.sh to start a local server and set it")
	}
	admin, err := sql.Open("pgx", dsn)
	if err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err = admin.PingContext(ctx)
		cancel()
	}
	if err != nil {
		skipOrFail(tb, "the PostgreSQL server named by "+dsnEnv+" does not answer, so the PostgreSQL tests do not run: "+err.Error())
	}
	schema := "django_" + randomHex(6)
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if _, err := admin.Exec("DROP SCHEMA " + schema + " CASCADE"); err != nil {
			tb.Error(err)
		}
		admin.Close()
	})
	u, err := url.Parse(dsn)
	if err != nil {
		tb.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	db, err := sql.Open("pgx", u.String())
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	schemaOf(tb, db, "postgres.sql")
	return u.String()
}

func skipOrFail(tb testing.TB, msg string) {
	tb.Helper()
	if os.Getenv("CI") == "true" {
		tb.Fatal(msg + " (CI=true: failing instead of skipping)")
	}
	tb.Skip(msg)
}

// openProject opens the project at rawURL, migrated, closed at cleanup.
func openProject(tb testing.TB, rawURL string) *jwtguarddjango.DB {
	tb.Helper()
	ctx := context.Background()
	d, err := jwtguarddjango.Open(ctx, rawURL)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := d.Close(); err != nil {
			tb.Error(err)
		}
	})
	if err := d.Migrate(ctx); err != nil {
		tb.Fatal(err)
	}
	return d
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// projects are the databases every test runs on.
var projects = []struct {
	name string
	url  func(testing.TB) string
}{
	{"SQLite", sqliteProject},
	{"PostgreSQL", postgresProject},
}

// eachProject runs f on a new migrated project on each database, with the
// project's URL.
func eachProject(t *testing.T, f func(t *testing.T, url string, d *jwtguarddjango.DB)) {
	for _, p := range projects {
		t.Run(p.name, func(t *testing.T) {
			u := p.url(t)
			f(t, u, openProject(t, u))
		})
	}
}
