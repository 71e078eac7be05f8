package sqlstore

import (
	"fmt"
	"strings"
)

// Dialect is the SQL dialect of the database behind a [Store]. The zero
// value is no dialect: pass [SQLite] or [PostgreSQL].
type Dialect int

const (
	// SQLite is SQLite 3.24 or later (for upserts), through any
	// database/sql driver; [OpenSQLite] uses modernc.org/sqlite, which
	// needs no cgo. One process, or a few on one machine, share the file.
	SQLite Dialect = iota + 1
	// PostgreSQL is PostgreSQL 9.5 or later (for upserts), through any
	// database/sql driver, such as github.com/jackc/pgx/v5/stdlib. Every
	// instance of a service may share one database.
	PostgreSQL
)

// String returns "sqlite", "postgresql", or "Dialect(n)" for anything else.
func (d Dialect) String() string {
	switch d {
	case SQLite:
		return "sqlite"
	case PostgreSQL:
		return "postgresql"
	}
	return fmt.Sprintf("Dialect(%d)", int(d))
}

func (d Dialect) valid() bool {
	return d == SQLite || d == PostgreSQL
}

// bind turns the $n placeholders the queries are written with into the
// dialect's: PostgreSQL's own, or SQLite's ?n, which every SQLite driver
// binds by position. Identifiers never contain '$' (see validIdent).
func (d Dialect) bind(query string) string {
	if d == SQLite {
		return strings.ReplaceAll(query, "$", "?")
	}
	return query
}

// quote returns name as a quoted identifier. The names quoted here are
// validated first, so they hold no quotes of their own.
func quote(name string) string {
	return `"` + name + `"`
}

// validIdent reports whether s is a lowercase SQL identifier of at most max
// bytes: ASCII letters, digits and underscores, not starting with a digit.
// Lowercase keeps a name the same whether or not a tool quotes it.
func validIdent(s string, max int) bool {
	if s == "" || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c == '_':
		case c >= '0' && c <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}
