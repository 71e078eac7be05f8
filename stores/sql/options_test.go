package sqlstore_test

import (
	"context"
	"database/sql"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	sqlstore "github.com/jwtguard/jwtguard/stores/sql"
)

// Every problem is reported at once, and none panics.
func TestNewReportsEveryProblem(t *testing.T) {
	t.Parallel()
	_, err := sqlstore.New(context.Background(), nil, sqlstore.Dialect(7),
		sqlstore.WithTablePrefix("Auth-"),
		sqlstore.WithSchema(""),
		sqlstore.WithPurgeInterval(-1),
		sqlstore.WithLogger(nil),
		nil,
	)
	if err == nil {
		t.Fatal("New accepted a nil db, an unknown dialect and bad options")
	}
	for _, want := range []string{
		`table prefix "Auth-"`,
		`schema ""`,
		"purge interval -1ns is negative",
		"nil logger",
		"option 4 is nil",
		"nil *sql.DB",
		"unknown dialect Dialect(7)",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not mention %q:\n%v", want, err)
		}
	}
}

func TestNames(t *testing.T) {
	t.Parallel()
	for _, prefix := range []string{"", "a", "_", "auth_", "jwt2_", strings.Repeat("p", 40)} {
		if _, err := sqlstore.CreateTablesSQL(sqlstore.SQLite, sqlstore.WithTablePrefix(prefix)); err != nil {
			t.Errorf("prefix %q refused: %v", prefix, err)
		}
	}
	for _, prefix := range []string{"2fa_", "Auth_", "auth-", "auth.", `a"b`, "a b", "é_", "a$", strings.Repeat("p", 41)} {
		if _, err := sqlstore.CreateTablesSQL(sqlstore.SQLite, sqlstore.WithTablePrefix(prefix)); err == nil {
			t.Errorf("prefix %q accepted", prefix)
		}
	}
	for _, schema := range []string{"", "Auth", "public.x", strings.Repeat("s", 64)} {
		if _, err := sqlstore.CreateTablesSQL(sqlstore.PostgreSQL, sqlstore.WithSchema(schema)); err == nil {
			t.Errorf("schema %q accepted", schema)
		}
	}
	if _, err := sqlstore.CreateTablesSQL(0); err == nil {
		t.Error("CreateTablesSQL accepted the zero dialect")
	}
}

func TestCreateTablesSQL(t *testing.T) {
	t.Parallel()
	stmts, err := sqlstore.CreateTablesSQL(sqlstore.PostgreSQL, sqlstore.WithSchema("auth"), sqlstore.WithTablePrefix("x_"))
	if err != nil {
		t.Fatal(err)
	}
	all := strings.Join(stmts, "\n")
	for _, want := range []string{`"auth"."x_tokens"`, `"auth"."x_families"`, `"auth"."x_subjects"`, `"x_tokens_expires"`} {
		if !strings.Contains(all, want) {
			t.Errorf("statements do not mention %s:\n%s", want, all)
		}
	}
}

// WithoutCreateTables checks the tables instead of creating them, and
// CreateTablesSQL creates what it checks.
func TestWithoutCreateTables(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "migrated.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := sqlstore.New(ctx, db, sqlstore.SQLite, sqlstore.WithoutCreateTables()); err == nil {
		t.Fatal("New accepted a database without the tables")
	}
	stmts, err := sqlstore.CreateTablesSQL(sqlstore.SQLite)
	if err != nil {
		t.Fatal(err)
	}
	for _, stmt := range stmts {
		if _, err := db.Exec(stmt); err != nil {
			t.Fatal(err)
		}
	}
	s, err := sqlstore.New(ctx, db, sqlstore.SQLite, sqlstore.WithoutCreateTables())
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Check(ctx, record()); err != nil {
		t.Fatal(err)
	}
}

func TestOpenSQLiteRefusesNonFiles(t *testing.T) {
	t.Parallel()
	for _, path := range []string{"", ":memory:", "file:x.db?mode=memory"} {
		if s, err := sqlstore.OpenSQLite(context.Background(), path); err == nil {
			s.Close()
			t.Errorf("OpenSQLite(%q) succeeded", path)
		}
	}
}

// Bad options are reported before the file is created.
func TestOpenSQLiteBadOption(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "never.db")
	_, err := sqlstore.OpenSQLite(context.Background(), path, sqlstore.WithPurgeInterval(-1))
	if err == nil {
		t.Fatal("OpenSQLite accepted a negative purge interval")
	}
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("OpenSQLite created the file despite a bad option (stat: %v)", err)
	}
}

// A path is a path, whatever characters it holds.
func TestOpenSQLitePathCharacters(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "odd dir?#%41", "tokens?x=1#y.db")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	s := openSQLite(t, path)
	r := record()
	if err := s.Revoke(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Errorf("database not created at %q: %v", path, err)
	}
}

func TestDialectString(t *testing.T) {
	t.Parallel()
	for d, want := range map[sqlstore.Dialect]string{
		sqlstore.SQLite:     "sqlite",
		sqlstore.PostgreSQL: "postgresql",
		0:                   "Dialect(0)",
	} {
		if got := d.String(); got != want {
			t.Errorf("Dialect(%d).String() = %q, want %q", int(d), got, want)
		}
	}
}

// A store whose database is gone answers with an error, never nil.
func TestClosedDatabaseFailsClosed(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, err := sqlstore.OpenSQLite(ctx, filepath.Join(t.TempDir(), "closed.db"))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	r := record()
	for name, err := range map[string]error{
		"Check":         s.Check(ctx, r),
		"Spend":         s.Spend(ctx, r),
		"Revoke":        s.Revoke(ctx, r),
		"RevokeFamily":  s.RevokeFamily(ctx, r.Family, r.ExpiresAt),
		"RevokeSubject": s.RevokeSubject(ctx, r.Subject, r.IssuedAt, r.ExpiresAt),
	} {
		if err == nil {
			t.Errorf("%s on a closed database returned nil", name)
		}
	}
	if _, err := s.Purge(ctx); err == nil {
		t.Error("Purge on a closed database returned nil")
	}
	if err := errors.Unwrap(s.Check(ctx, r)); err == nil {
		t.Error("Check's error does not wrap its cause")
	}
}
