package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"time"
)

// The schema's version is kept in a table of its own, <prefix>store_migrations,
// with a row per step applied:
//
//	store_migrations  version PRIMARY KEY, applied_ms
//
// The version is the highest row's. Steps are numbered from 1 and applied
// in order, each once; a database with no row is version 0, or version 1
// when it has the tokens table, as a release without this table left it:
// that version 1 is recorded with applied_ms 0, found rather than applied.

// migrationStep returns the statements of one step of the schema, each a
// no-op when its object exists, so that a step also completes tables that
// were made by hand from [CreateTablesSQL].
type migrationStep func(t tables) []string

// migrations are the schema's steps; version n is migrations[:n] applied.
var migrations = []migrationStep{
	// 1: the tokens, families and subjects tables.
	func(t tables) []string { return t.revocationStatements() },
	// 2: PostgreSQL's shared throttle buckets; nothing on SQLite.
	func(t tables) []string { return t.throttleStatements() },
}

// SchemaVersion is the version of the schema this release's [New] brings a
// database to. New refuses a database at a higher version, which a newer
// release made, rather than use or downgrade it.
const SchemaVersion = 2

// execer runs a statement: a transaction on PostgreSQL, a connection on
// SQLite.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// migrate brings the tables to SchemaVersion, or reports why not. Migrators
// in every process run one after the other: on PostgreSQL each holds a
// transaction-scoped advisory lock, on SQLite each holds the database's
// write lock from the start (BEGIN IMMEDIATE). A migrator that runs after
// another finds the version current and applies nothing.
func (t tables) migrate(ctx context.Context, db *sql.DB) error {
	if err := t.migrateLocked(ctx, db); err != nil {
		return fmt.Errorf("sqlstore: migrating the schema: %w", err)
	}
	return nil
}

func (t tables) migrateLocked(ctx context.Context, db *sql.DB) error {
	if t.dialect == PostgreSQL {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		defer tx.Rollback() // a no-op after Commit
		if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1)", t.lockKey()); err != nil {
			return err
		}
		if err := t.applyMigrations(ctx, tx); err != nil {
			return err
		}
		return tx.Commit()
	}
	// database/sql begins SQLite transactions DEFERRED, which take the
	// write lock only at the first write and can then fail rather than
	// wait; BEGIN IMMEDIATE on a connection of its own waits for it.
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		return err
	}
	err = t.applyMigrations(ctx, conn)
	if err == nil {
		_, err = conn.ExecContext(ctx, "COMMIT")
	}
	if err != nil {
		return errors.Join(err, rollback(ctx, conn))
	}
	return nil
}

// rollback ends the transaction open on conn, without ctx, which may be
// done. Should that fail, the connection is closed rather than returned to
// the pool inside a transaction that holds the write lock.
func rollback(ctx context.Context, conn *sql.Conn) error {
	_, err := conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
	if err != nil {
		conn.Raw(func(any) error { return driver.ErrBadConn })
	}
	return err
}

// applyMigrations reads the version under the migrators' lock and applies
// the steps after it, recording each.
func (t tables) applyMigrations(ctx context.Context, ex execer) error {
	if _, err := ex.ExecContext(ctx, t.createMigrationsTable()); err != nil {
		return err
	}
	version, err := t.version(ctx, ex)
	if err != nil {
		return err
	}
	if err := checkVersion(version); err != nil {
		return err
	}
	applied := time.Now().UnixMilli()
	if version == 0 {
		legacy, err := t.hasTokensTable(ctx, ex)
		if err != nil {
			return err
		}
		if legacy {
			// Tables of a release that kept no version: version 1.
			if err := t.recordVersion(ctx, ex, 1, 0); err != nil {
				return err
			}
			version = 1
		}
	}
	for v := version + 1; v <= len(migrations); v++ {
		for _, stmt := range migrations[v-1](t) {
			if _, err := ex.ExecContext(ctx, stmt); err != nil {
				return fmt.Errorf("step %d: %w", v, err)
			}
		}
		if err := t.recordVersion(ctx, ex, v, applied); err != nil {
			return err
		}
	}
	return nil
}

// checkVersion refuses a schema newer than this release knows.
func checkVersion(version int) error {
	if version > SchemaVersion {
		return fmt.Errorf("the database's schema is at version %d, newer than this release's %d: refusing to use or downgrade it (run a release that knows version %d)",
			version, SchemaVersion, version)
	}
	return nil
}

// createMigrationsTable returns the statement that creates the version
// table when it does not exist.
func (t tables) createMigrationsTable() string {
	integer := "BIGINT"
	if t.dialect == SQLite {
		integer = "INTEGER"
	}
	return fmt.Sprintf("CREATE TABLE IF NOT EXISTS %s (version %s NOT NULL PRIMARY KEY, applied_ms %s NOT NULL)",
		t.migrations, integer, integer)
}

// version returns the highest version recorded, 0 for none.
func (t tables) version(ctx context.Context, ex execer) (int, error) {
	var v int
	err := ex.QueryRowContext(ctx, "SELECT COALESCE(MAX(version), 0) FROM "+t.migrations).Scan(&v)
	return v, err
}

func (t tables) recordVersion(ctx context.Context, ex execer, v int, appliedMs int64) error {
	_, err := ex.ExecContext(ctx, t.dialect.bind("INSERT INTO "+t.migrations+" (version, applied_ms) VALUES ($1, $2)"), v, appliedMs)
	if err != nil {
		return fmt.Errorf("recording version %d: %w", v, err)
	}
	return nil
}

// hasTokensTable reports whether the tokens table exists, asking the
// catalog, since a failed probe would abort a PostgreSQL transaction.
func (t tables) hasTokensTable(ctx context.Context, ex execer) (bool, error) {
	var n int
	var err error
	if t.dialect == PostgreSQL {
		// to_regclass resolves the name as the store's queries do,
		// through the search path when there is no schema.
		err = ex.QueryRowContext(ctx, "SELECT CASE WHEN to_regclass($1) IS NULL THEN 0 ELSE 1 END", t.tokens).Scan(&n)
	} else {
		err = ex.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+qualify(t.schema, "sqlite_master")+" WHERE type = 'table' AND name = ?",
			t.prefix+"tokens").Scan(&n)
	}
	return n > 0, err
}

// checkSchemaVersion refuses, for a store made with WithoutCreateTables,
// tables whose recorded version is newer than this release's. Tables with
// no version table are taken as they are.
func (t tables) checkSchemaVersion(ctx context.Context, db *sql.DB) error {
	var v int
	err := db.QueryRowContext(ctx, "SELECT COALESCE(MAX(version), 0) FROM "+t.migrations).Scan(&v)
	if err != nil {
		return nil // no version table: the tables' probes decide
	}
	if err := checkVersion(v); err != nil {
		return fmt.Errorf("sqlstore: %w", err)
	}
	return nil
}
