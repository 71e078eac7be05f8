package sqlstore_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard"
	sqlstore "github.com/jwtguard/jwtguard/stores/sql"
)

// versions returns the schema versions recorded in the migrations table
// of the default prefix, in order. schema is "" or the PostgreSQL schema.
func versions(t *testing.T, db *sql.DB, schema string) []int {
	t.Helper()
	return recorded(t, db, schema, "version")
}

// appliedMs returns the applied_ms column of the migrations table, in the
// versions' order.
func appliedMs(t *testing.T, db *sql.DB, schema string) []int {
	t.Helper()
	return recorded(t, db, schema, "applied_ms")
}

// recorded returns a column of the migrations table, in the versions'
// order.
func recorded(t *testing.T, db *sql.DB, schema, column string) []int {
	t.Helper()
	table := `"jwtguard_store_migrations"`
	if schema != "" {
		table = `"` + schema + `".` + table
	}
	rows, err := db.Query("SELECT " + column + " FROM " + table + " ORDER BY version")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var vs []int
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		vs = append(vs, v)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return vs
}

// allVersions is what a database migrated by this release records.
func allVersions() []int {
	var vs []int
	for v := 1; v <= sqlstore.SchemaVersion; v++ {
		vs = append(vs, v)
	}
	return vs
}

// A fresh database gets every step, each recorded once.
func TestMigrateFresh(t *testing.T) {
	dialects(t, func(t *testing.T, s *sqlstore.Store, db *sql.DB, schema string) {
		if schema == "main" {
			schema = ""
		}
		if got := versions(t, db, schema); !slices.Equal(got, allVersions()) {
			t.Errorf("versions %v, want %v", got, allVersions())
		}
		if applied := appliedMs(t, db, schema); slices.Contains(applied, 0) {
			t.Errorf("applied_ms %v: a step of a fresh database recorded as found", applied)
		}
		if err := s.Revoke(context.Background(), record()); err != nil {
			t.Fatal(err)
		}
	})
}

// legacyDDL is the schema the release before versioned migrations created,
// statement for statement, on tables with the default prefix: on SQLite
// unqualified, on PostgreSQL in schema.
func legacyDDL(dialect sqlstore.Dialect, schema string) []string {
	if dialect == sqlstore.SQLite {
		return []string{
			`CREATE TABLE IF NOT EXISTS "jwtguard_tokens" (id TEXT NOT NULL PRIMARY KEY, revoked INTEGER NOT NULL, expires_ms INTEGER NOT NULL) WITHOUT ROWID`,
			`CREATE INDEX IF NOT EXISTS "jwtguard_tokens_expires" ON "jwtguard_tokens" (expires_ms)`,
			`CREATE TABLE IF NOT EXISTS "jwtguard_families" (family TEXT NOT NULL PRIMARY KEY, expires_ms INTEGER NOT NULL) WITHOUT ROWID`,
			`CREATE INDEX IF NOT EXISTS "jwtguard_families_expires" ON "jwtguard_families" (expires_ms)`,
			`CREATE TABLE IF NOT EXISTS "jwtguard_subjects" (subject TEXT NOT NULL PRIMARY KEY, before_ms INTEGER NOT NULL, expires_ms INTEGER NOT NULL) WITHOUT ROWID`,
			`CREATE INDEX IF NOT EXISTS "jwtguard_subjects_expires" ON "jwtguard_subjects" (expires_ms)`,
		}
	}
	q := `"` + schema + `".`
	return []string{
		`CREATE TABLE IF NOT EXISTS ` + q + `"jwtguard_tokens" (id TEXT NOT NULL PRIMARY KEY, revoked SMALLINT NOT NULL, expires_ms BIGINT NOT NULL)`,
		`CREATE INDEX IF NOT EXISTS "jwtguard_tokens_expires" ON ` + q + `"jwtguard_tokens" (expires_ms)`,
		`CREATE TABLE IF NOT EXISTS ` + q + `"jwtguard_families" (family TEXT NOT NULL PRIMARY KEY, expires_ms BIGINT NOT NULL)`,
		`CREATE INDEX IF NOT EXISTS "jwtguard_families_expires" ON ` + q + `"jwtguard_families" (expires_ms)`,
		`CREATE TABLE IF NOT EXISTS ` + q + `"jwtguard_subjects" (subject TEXT NOT NULL PRIMARY KEY, before_ms BIGINT NOT NULL, expires_ms BIGINT NOT NULL)`,
		`CREATE INDEX IF NOT EXISTS "jwtguard_subjects_expires" ON ` + q + `"jwtguard_subjects" (expires_ms)`,
	}
}

// sqliteDB opens a plain pool on the SQLite file at path, closed at
// cleanup.
func sqliteDB(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// execAll runs stmts on db in order.
func execAll(t *testing.T, db *sql.DB, stmts []string) {
	t.Helper()
	for _, stmt := range stmts {
		if _, err := db.Exec(stmt); err != nil {
			t.Fatal(err)
		}
	}
}

// legacyRows writes, into the legacy tables, a revoked token, a revoked
// family and a subject cut off now, all kept for an hour, and returns
// records the upgraded store must refuse for each of them.
func legacyRows(t *testing.T, db *sql.DB, schema string) []jwtguard.Record {
	t.Helper()
	q := ""
	if schema != "" {
		q = `"` + schema + `".`
	}
	revokedToken, revokedFamily, cutSubject := record(), record(), record()
	now := time.Now()
	expires := now.Add(time.Hour).UnixMilli()
	before := now.Truncate(time.Second).UnixMilli() + 1000 // the whole second after the records' issue
	for _, stmt := range []struct {
		text string
		args []any
	}{
		{`INSERT INTO ` + q + `"jwtguard_tokens" (id, revoked, expires_ms) VALUES ($1, 1, $2)`, []any{revokedToken.ID, expires}},
		{`INSERT INTO ` + q + `"jwtguard_families" (family, expires_ms) VALUES ($1, $2)`, []any{revokedFamily.Family, expires}},
		{`INSERT INTO ` + q + `"jwtguard_subjects" (subject, before_ms, expires_ms) VALUES ($1, $2, $3)`, []any{cutSubject.Subject, before, expires}},
	} {
		if _, err := db.Exec(stmt.text, stmt.args...); err != nil {
			t.Fatal(err)
		}
	}
	return []jwtguard.Record{revokedToken, revokedFamily, cutSubject}
}

// upgradeFromLegacy creates the legacy schema with rows on db, opens a
// store with open, and checks that the rows still revoke and that the
// versions are all recorded.
func upgradeFromLegacy(t *testing.T, db *sql.DB, dialect sqlstore.Dialect, schema string, open func() *sqlstore.Store) {
	t.Helper()
	execAll(t, db, legacyDDL(dialect, schema))
	refused := legacyRows(t, db, schema)
	s := open()
	if got := versions(t, db, schema); !slices.Equal(got, allVersions()) {
		t.Errorf("versions %v, want %v", got, allVersions())
	}
	// Version 1 was found, not applied; the later steps were applied.
	applied := appliedMs(t, db, schema)
	if len(applied) > 0 && applied[0] != 0 || slices.Contains(applied[min(1, len(applied)):], 0) {
		t.Errorf("applied_ms %v, want 0 (found) for version 1 only", applied)
	}
	for i, r := range refused {
		if err := s.Spend(context.Background(), r); !errors.Is(err, jwtguard.ErrTokenRevoked) {
			t.Errorf("legacy row %d: Spend = %v, want ErrTokenRevoked", i, err)
		}
	}
	if err := s.Spend(context.Background(), record()); err != nil {
		t.Errorf("a fresh token after the upgrade: %v", err)
	}
}

// A SQLite file of the release before versioned migrations is taken as
// version 1 and upgraded, its rows kept.
func TestMigrateSQLiteFromLegacy(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "jwtguard.db")
	db := sqliteDB(t, path)
	upgradeFromLegacy(t, db, sqlstore.SQLite, "", func() *sqlstore.Store { return openSQLite(t, path) })
}

// A PostgreSQL schema of the release before versioned migrations is taken
// as version 1 and upgraded: the throttle table is added, the rows kept.
func TestMigratePostgreSQLFromLegacy(t *testing.T) {
	t.Parallel()
	dsn := postgresDSN(t)
	schema := postgresSchema(t, dsn)
	db := postgresDB(t, dsn)
	var s *sqlstore.Store
	upgradeFromLegacy(t, db, sqlstore.PostgreSQL, schema, func() *sqlstore.Store {
		s = postgresStore(t, db, sqlstore.WithSchema(schema))
		return s
	})
	if _, err := db.Exec(`SELECT key FROM "` + schema + `"."jwtguard_throttle" WHERE 1 = 0`); err != nil {
		t.Errorf("no throttle table after the upgrade: %v", err)
	}
}

// Stores starting at once on one fresh PostgreSQL schema, each on a pool
// of its own as separate processes would be, all succeed, and each step is
// applied once: a second run of a step would fail on its recorded version.
func TestMigratePostgreSQLConcurrentNew(t *testing.T) {
	t.Parallel()
	dsn := postgresDSN(t)
	schema := postgresSchema(t, dsn)
	startPostgresAtOnce(t, dsn, schema)
	if got := versions(t, postgresDB(t, dsn), schema); !slices.Equal(got, allVersions()) {
		t.Errorf("versions %v, want %v", got, allVersions())
	}
}

// Processes opening one fresh SQLite file at once all succeed, each step
// applied once.
func TestMigrateSQLiteConcurrentOpen(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "jwtguard.db")
	startAtOnce(t, 8, func(int) (*sqlstore.Store, error) {
		return sqlstore.OpenSQLite(context.Background(), path)
	})
	db := sqliteDB(t, path)
	if got := versions(t, db, ""); !slices.Equal(got, allVersions()) {
		t.Errorf("versions %v, want %v", got, allVersions())
	}
}

// startAtOnce runs open n times at once, as n processes starting together
// would, closes the stores, and fails the test for every error.
func startAtOnce(t *testing.T, n int, open func(i int) (*sqlstore.Store, error)) {
	t.Helper()
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := open(i)
			if err == nil {
				err = s.Close()
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("start %d: %v", i, err)
		}
	}
}

// startPostgresAtOnce starts eight stores on schema at once, each on a pool
// of its own, as eight processes would.
func startPostgresAtOnce(t *testing.T, dsn, schema string) {
	t.Helper()
	pools := make([]*sql.DB, 8)
	for i := range pools {
		pools[i] = postgresDB(t, dsn)
		pools[i].SetMaxOpenConns(2)
	}
	startAtOnce(t, len(pools), func(i int) (*sqlstore.Store, error) {
		return sqlstore.New(context.Background(), pools[i], sqlstore.PostgreSQL,
			sqlstore.WithSchema(schema), sqlstore.WithoutChangeFeed())
	})
}

// A database a newer release migrated is refused, with and without
// WithoutCreateTables, and left as it is.
func TestMigrateRefusesNewerVersion(t *testing.T) {
	dialects(t, func(t *testing.T, s *sqlstore.Store, db *sql.DB, schema string) {
		table := `"` + schema + `"."jwtguard_store_migrations"`
		newer := sqlstore.SchemaVersion + 1
		if _, err := db.Exec(fmt.Sprintf("INSERT INTO %s (version, applied_ms) VALUES (%d, 0)", table, newer)); err != nil {
			t.Fatal(err)
		}
		dialect, opts := sqlstore.PostgreSQL, []sqlstore.Option{sqlstore.WithSchema(schema), sqlstore.WithoutChangeFeed()}
		if schema == "main" {
			dialect, opts = sqlstore.SQLite, nil
		}
		for _, extra := range [][]sqlstore.Option{nil, {sqlstore.WithoutCreateTables()}} {
			s2, err := sqlstore.New(context.Background(), db, dialect, append(slices.Clone(opts), extra...)...)
			if err == nil {
				s2.Close()
				t.Fatalf("New (%d extra options) accepted schema version %d", len(extra), newer)
			}
			want := fmt.Sprintf("version %d, newer than this release's %d", newer, sqlstore.SchemaVersion)
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not say %q", err, want)
			}
		}
		want := append(allVersions(), newer)
		if got := versions(t, db, schema); !slices.Equal(got, want) {
			t.Errorf("versions %v, want %v (untouched)", got, want)
		}
	})
}

// Processes upgrading one SQLite file from version 1 at once all succeed:
// each waits for the write lock before it reads the version, rather than
// read first and fail on a write another made meanwhile.
func TestMigrateSQLiteConcurrentUpgrade(t *testing.T) {
	t.Parallel()
	_, path := newSQLite(t)
	db := sqliteDB(t, path)
	for range 5 {
		// Version 1 with the migrations table: step 2 does nothing on
		// SQLite but record itself.
		if _, err := db.Exec(`DELETE FROM "jwtguard_store_migrations" WHERE version > 1`); err != nil {
			t.Fatal(err)
		}
		startAtOnce(t, 8, func(int) (*sqlstore.Store, error) {
			return sqlstore.OpenSQLite(context.Background(), path)
		})
		if got := versions(t, db, ""); !slices.Equal(got, allVersions()) {
			t.Fatalf("versions %v, want %v", got, allVersions())
		}
	}
}

// Stores upgrading one PostgreSQL schema of the release before versioned
// migrations at once all succeed, and the throttle table is added once.
func TestMigratePostgreSQLConcurrentUpgrade(t *testing.T) {
	t.Parallel()
	dsn := postgresDSN(t)
	schema := postgresSchema(t, dsn)
	db := postgresDB(t, dsn)
	execAll(t, db, legacyDDL(sqlstore.PostgreSQL, schema))
	startPostgresAtOnce(t, dsn, schema)
	if got := versions(t, db, schema); !slices.Equal(got, allVersions()) {
		t.Errorf("versions %v, want %v", got, allVersions())
	}
}

// Tables made from CreateTablesSQL, which record no version, are taken as
// version 1 by a later New, whose step 2 finds the throttle table there.
func TestMigratePostgreSQLAfterCreateTablesSQL(t *testing.T) {
	t.Parallel()
	dsn := postgresDSN(t)
	schema := postgresSchema(t, dsn)
	db := postgresDB(t, dsn)
	stmts, err := sqlstore.CreateTablesSQL(sqlstore.PostgreSQL, sqlstore.WithSchema(schema))
	if err != nil {
		t.Fatal(err)
	}
	execAll(t, db, stmts)
	postgresStore(t, db, sqlstore.WithSchema(schema), sqlstore.WithoutChangeFeed())
	if got := versions(t, db, schema); !slices.Equal(got, allVersions()) {
		t.Errorf("versions %v, want %v", got, allVersions())
	}
	if applied := appliedMs(t, db, schema); len(applied) == 0 || applied[0] != 0 {
		t.Errorf("applied_ms %v, want version 1 recorded as found (0)", applied)
	}
}

// A migration that fails (here a version table of other columns, made by
// something else) reports why and leaves no transaction open: another
// handle on the file writes at once.
func TestMigrateSQLiteFailureReleasesLock(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "jwtguard.db")
	db := sqliteDB(t, path)
	execAll(t, db, []string{`CREATE TABLE "jwtguard_store_migrations" (name TEXT)`})
	if s, err := sqlstore.New(context.Background(), db, sqlstore.SQLite); err == nil {
		s.Close()
		t.Fatal("New migrated over a foreign version table")
	} else if !strings.Contains(err.Error(), "migrating the schema") {
		t.Errorf("error %q does not say what failed", err)
	}
	other := sqliteDB(t, path)
	execAll(t, other, []string{`CREATE TABLE after_failure (a INTEGER)`})
}
