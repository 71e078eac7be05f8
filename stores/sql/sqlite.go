package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"strings"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// SQLite connection settings of OpenSQLite.
const (
	// sqliteBusyTimeoutMs is how long a connection waits for another
	// process's write lock before it fails with "database is locked".
	sqliteBusyTimeoutMs = 5000
	// sqliteMinConns is the least size of the pool: readers run in
	// parallel under WAL, while writers take turns (see Store.writes).
	sqliteMinConns = 4
)

// OpenSQLite opens, creating it when missing, the SQLite database file at
// path, and returns a store on it as [New] would, with the same options.
// [Store.Close] closes the database.
//
// The file is put in write-ahead-log mode, so that reads go on while one
// connection writes, with synchronous=FULL, so that a revocation that was
// acknowledged survives a power failure as well as a crash. Connections wait
// up to five seconds for other processes' writes (busy_timeout), and the
// store's own writers take turns in Go rather than contend for the file
// lock, so concurrent calls do not fail with "database is locked". The pool
// holds GOMAXPROCS connections, at least four, and keeps them open.
//
// path is a file path, not a URI or ":memory:": an in-memory database
// lives as long as one connection, and [jwtguard.MemoryStore] serves that
// need. Several processes on one machine may open the same file; SQLite's
// locking does not work over network file systems.
func OpenSQLite(ctx context.Context, path string, opts ...Option) (*Store, error) {
	switch {
	case path == "":
		return nil, errors.New("sqlstore: empty SQLite path")
	case path == ":memory:" || strings.HasPrefix(path, "file:"):
		return nil, fmt.Errorf("sqlstore: SQLite path %q: want a file path (use jwtguard.MemoryStore for a store in memory)", path)
	}
	dsn, err := sqliteDSN(path)
	if err != nil {
		return nil, err
	}
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: opening %s: %w", path, err)
	}
	conns := max(runtime.GOMAXPROCS(0), sqliteMinConns)
	db.SetMaxOpenConns(conns)
	db.SetMaxIdleConns(conns)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	s, err := New(ctx, db, SQLite, opts...)
	if err != nil {
		db.Close()
		return nil, err
	}
	s.ownsDB = true
	return s, nil
}

// sqliteDSN returns the data source name that opens path with the settings
// OpenSQLite documents. It is a "file:" URI, so that no character of the
// path is taken for a parameter; the driver runs the _pragma parameters on
// every new connection, busy_timeout first.
func sqliteDSN(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", fmt.Errorf("sqlstore: SQLite path %q: %w", path, err)
	}
	p := filepath.ToSlash(abs)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // a Windows drive letter: file:/C:/dir/file
	}
	p = strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(p)
	return fmt.Sprintf("file:%s?_pragma=busy_timeout(%d)&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)",
		p, sqliteBusyTimeoutMs), nil
}
