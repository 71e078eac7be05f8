package jwtguarddjango

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver
)

// Dialect is the SQL dialect of the Django project's database.
type Dialect int

const (
	// SQLite is Django's django.db.backends.sqlite3 database (SQLite 3.24
	// or later, for upserts).
	SQLite Dialect = iota + 1
	// PostgreSQL is Django's django.db.backends.postgresql database
	// (PostgreSQL 9.5 or later).
	PostgreSQL
)

// DB is a Django project's database, seen by a Go service beside it: its
// users ([DB.Users]) and simplejwt's blacklist ([DB.Store]). It is safe for
// concurrent use.
type DB struct {
	db      *sql.DB
	dialect Dialect
	t       Tables
	ownsDB  bool
	now     func() time.Time
	q       queries
}

// Option configures [Open] and [New].
type Option func(*config)

type config struct {
	tables Tables
	now    func() time.Time
}

// WithTables names the project's tables and columns; the default is
// [DefaultTables].
func WithTables(t Tables) Option { return func(c *config) { c.tables = t } }

// sqliteBusyTimeout is how long a SQLite statement waits for Django's
// lock on the file (Django's own default is 5 seconds).
const sqliteBusyTimeout = 5000

// maxOpenConns bounds the pool Open opens.
const maxOpenConns = 8

// Open opens the Django project's database named by rawURL, as the
// examples' -django-database flag takes it: "sqlite:///path/to/db.sqlite3"
// (an absolute path) or "postgres://user:password@host/dbname?…"
// (search_path and other parameters as the pgx driver takes them). SQLite
// is opened with a busy timeout of 5 seconds and transactions that take
// the write lock at once; the file's journal mode is left as Django set it.
// The pool holds at most 8 connections, so that a service stays well
// within the server's max_connections beside Django's workers; open the
// pool yourself and call [New] for another bound. Open then checks the
// tables as [New] does. Close the DB when done.
func Open(ctx context.Context, rawURL string, opts ...Option) (*DB, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, errors.New("jwtguarddjango: the database URL does not parse")
	}
	var db *sql.DB
	var dialect Dialect
	switch u.Scheme {
	case "sqlite":
		if u.Host != "" || !strings.HasPrefix(u.Path, "/") || u.Path == "/" {
			return nil, errors.New("jwtguarddjango: want sqlite:///absolute/path/to/db.sqlite3")
		}
		dsn := "file:" + (&url.URL{Path: u.Path}).EscapedPath() +
			fmt.Sprintf("?mode=rw&_pragma=busy_timeout(%d)&_txlock=immediate", sqliteBusyTimeout)
		db, err = sql.Open("sqlite", dsn)
		dialect = SQLite
	case "postgres", "postgresql":
		db, err = sql.Open("pgx", rawURL)
		dialect = PostgreSQL
	default:
		return nil, fmt.Errorf("jwtguarddjango: database URL scheme %q: want sqlite or postgres", u.Scheme)
	}
	if err != nil {
		return nil, fmt.Errorf("jwtguarddjango: opening the database: %w", err)
	}
	db.SetMaxOpenConns(maxOpenConns)
	db.SetMaxIdleConns(maxOpenConns)
	d, err := New(ctx, db, dialect, opts...)
	if err != nil {
		db.Close()
		return nil, err
	}
	d.ownsDB = true
	return d, nil
}

// New returns a DB over db, a pool on the Django project's database that
// the caller opened and closes. It checks that the users table and
// simplejwt's tables are there, and reports every problem with the options
// at once. It does not create jwtguard's own table: call [DB.Migrate].
func New(ctx context.Context, db *sql.DB, dialect Dialect, opts ...Option) (*DB, error) {
	c := config{tables: DefaultTables, now: time.Now}
	for _, opt := range opts {
		opt(&c)
	}
	var errs []error
	if db == nil {
		errs = append(errs, errors.New("jwtguarddjango: nil database"))
	}
	if dialect != SQLite && dialect != PostgreSQL {
		errs = append(errs, fmt.Errorf("jwtguarddjango: unknown dialect %d", dialect))
	}
	errs = append(errs, c.tables.check()...)
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	d := &DB{db: db, dialect: dialect, t: c.tables, now: c.now}
	d.q = d.buildQueries()
	for _, table := range []string{d.t.Users, d.t.Outstanding, d.t.Blacklisted} {
		if _, err := db.ExecContext(ctx, "SELECT 1 FROM "+quote(table)+" WHERE 1 = 0"); err != nil {
			return nil, fmt.Errorf("jwtguarddjango: table %s is not readable (is this the Django project's database, migrated with simplejwt's token_blacklist app?): %w", table, err)
		}
	}
	return d, nil
}

// Close closes the database when [Open] opened it; a pool given to [New]
// is the caller's to close.
func (d *DB) Close() error {
	if d.ownsDB {
		return d.db.Close()
	}
	return nil
}

// quote returns a checked identifier quoted.
func quote(name string) string { return `"` + name + `"` }

// bind turns the ? placeholders the queries are written with into
// PostgreSQL's $n. No query holds a ? elsewhere.
func (d *DB) bind(query string) string {
	if d.dialect == SQLite {
		return query
	}
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			fmt.Fprintf(&b, "$%d", n)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// datetime returns t as Django stores a DateTimeField: a timestamptz on
// PostgreSQL, UTC text with microseconds on SQLite.
func (d *DB) datetime(t time.Time) any {
	if d.dialect == SQLite {
		return t.UTC().Format("2006-01-02 15:04:05.000000")
	}
	return t
}
