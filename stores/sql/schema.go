package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"hash/fnv"
)

// The store keeps three tables (and its schema's version, migrate.go).
// Times are Unix milliseconds.
//
//	tokens    id TEXT PRIMARY KEY, revoked 0 (spent) or 1, expires_ms
//	families  family TEXT PRIMARY KEY, expires_ms
//	subjects  subject TEXT PRIMARY KEY, before_ms, expires_ms
//
// before_ms is a subject's cutoff truncated to its whole second. Every table
// has an index on expires_ms for purging.

// tables holds the names of the store's tables and indexes.
type tables struct {
	dialect                    Dialect
	schema                     string // "" for none
	prefix                     string
	tokens, families, subjects string // qualified and quoted, for queries
	throttle                   string // PostgreSQL's shared throttle buckets
	migrations                 string // the schema's version (migrate.go)
}

func newTables(d Dialect, schema, prefix string) tables {
	return tables{
		dialect:    d,
		schema:     schema,
		prefix:     prefix,
		tokens:     qualify(schema, prefix+"tokens"),
		families:   qualify(schema, prefix+"families"),
		subjects:   qualify(schema, prefix+"subjects"),
		throttle:   qualify(schema, prefix+"throttle"),
		migrations: qualify(schema, prefix+"store_migrations"),
	}
}

func qualify(schema, name string) string {
	if schema == "" {
		return quote(name)
	}
	return quote(schema) + "." + quote(name)
}

// createStatements returns the statements that create the tables and their
// indexes as the last migration step leaves them, each of them a no-op when
// its object exists.
func (t tables) createStatements() []string {
	var stmts []string
	for _, step := range migrations {
		stmts = append(stmts, step(t)...)
	}
	return stmts
}

// revocationStatements returns the statements of the tokens, families and
// subjects tables and their indexes: the schema's version 1.
func (t tables) revocationStatements() []string {
	integer, revoked, suffix := "BIGINT", "SMALLINT", ""
	if t.dialect == SQLite {
		// A WITHOUT ROWID table stores rows in its primary key's b-tree:
		// one lookup and one copy of the key instead of two.
		integer, revoked, suffix = "INTEGER", "INTEGER", " WITHOUT ROWID"
	}
	return []string{
		fmt.Sprintf("CREATE TABLE IF NOT EXISTS %s (id TEXT NOT NULL PRIMARY KEY, revoked %s NOT NULL, expires_ms %s NOT NULL)%s",
			t.tokens, revoked, integer, suffix),
		t.createIndex("tokens"),
		fmt.Sprintf("CREATE TABLE IF NOT EXISTS %s (family TEXT NOT NULL PRIMARY KEY, expires_ms %s NOT NULL)%s",
			t.families, integer, suffix),
		t.createIndex("families"),
		fmt.Sprintf("CREATE TABLE IF NOT EXISTS %s (subject TEXT NOT NULL PRIMARY KEY, before_ms %s NOT NULL, expires_ms %s NOT NULL)%s",
			t.subjects, integer, integer, suffix),
		t.createIndex("subjects"),
	}
}

// throttleStatements returns the statements of the shared throttle buckets
// (throttle.go), PostgreSQL's only: the schema's version 2.
func (t tables) throttleStatements() []string {
	if t.dialect != PostgreSQL {
		return nil
	}
	return []string{
		fmt.Sprintf("CREATE TABLE IF NOT EXISTS %s (key TEXT NOT NULL PRIMARY KEY, tokens DOUBLE PRECISION NOT NULL, at_ms BIGINT NOT NULL, expires_ms BIGINT NOT NULL)",
			t.throttle),
		t.createIndex("throttle"),
	}
}

// createIndex returns the statement that indexes table's expires_ms.
// PostgreSQL puts an index in its table's schema and takes no schema on the
// index name; SQLite takes the schema on the index name and none on the
// table's.
func (t tables) createIndex(table string) string {
	index := t.prefix + table + "_expires"
	if t.dialect == SQLite {
		return fmt.Sprintf("CREATE INDEX IF NOT EXISTS %s ON %s (expires_ms)",
			qualify(t.schema, index), quote(t.prefix+table))
	}
	return fmt.Sprintf("CREATE INDEX IF NOT EXISTS %s ON %s (expires_ms)",
		quote(index), qualify(t.schema, t.prefix+table))
}

// lockKey is the advisory lock that serializes migrators of these tables.
// Its text is the one releases before versioned migrations locked for
// creating the tables, so that they and this one run one after the other.
func (t tables) lockKey() int64 {
	h := fnv.New64a()
	h.Write([]byte("jwtguard/stores/sql create " + t.tokens))
	return int64(h.Sum64())
}

// check reports an error unless the tables exist with the columns the
// store uses.
func (t tables) check(ctx context.Context, db *sql.DB) error {
	probes := []string{
		"SELECT id, revoked, expires_ms FROM " + t.tokens + " WHERE 1 = 0",
		"SELECT family, expires_ms FROM " + t.families + " WHERE 1 = 0",
		"SELECT subject, before_ms, expires_ms FROM " + t.subjects + " WHERE 1 = 0",
	}
	var errs []error
	for _, probe := range probes {
		rows, err := db.QueryContext(ctx, probe)
		if err == nil {
			for rows.Next() {
			}
			err = errors.Join(rows.Err(), rows.Close())
		}
		if err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("sqlstore: checking tables (WithoutCreateTables is set): %w", err)
	}
	return nil
}

// CreateTablesSQL returns the statements that create a store's tables as
// [SchemaVersion] has them, for the dialect and the naming options among
// opts ([WithTablePrefix], [WithSchema]), for use in migrations together
// with [WithoutCreateTables]. Each statement is a no-op when its table or
// index exists. They record no version: a later New without
// WithoutCreateTables takes the tables as version 1 and records the later
// steps, which find their objects there. It reports every problem with the
// arguments at once.
func CreateTablesSQL(dialect Dialect, opts ...Option) ([]string, error) {
	c := newConfig(opts)
	if !dialect.valid() {
		c.fail("unknown dialect %v", dialect)
	}
	if err := errors.Join(c.errs...); err != nil {
		return nil, err
	}
	return newTables(dialect, c.schema, c.prefix).createStatements(), nil
}
