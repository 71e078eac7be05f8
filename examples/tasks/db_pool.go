package main

import (
	"context"
	"database/sql"
	"fmt"
)

// Pool sizes. database/sql keeps two idle connections unless told
// otherwise, so a pool of more open connections under more concurrent
// requests closes the extra ones as soon as they are idle and opens new
// ones moments later: a new SQLite connection parses the schema and runs
// the pragmas again; a new PostgreSQL one costs a round of authentication.
// The idle size is the open size, and connections are kept for good.
const (
	// sqliteConns: readers run in parallel under WAL; writers queue on
	// the file lock (busy_timeout), so more would only wait.
	sqliteConns = 4
	// postgresConns: what one instance of the example may hold of the
	// server's max_connections (100 by default).
	postgresConns = 10
)

// setPool sizes db's pool to n open connections, all kept when idle.
func setPool(db *sql.DB, n int) {
	db.SetMaxOpenConns(n)
	db.SetMaxIdleConns(n)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
}

// hotStatements are the queries of every sign-in, user check and task
// read, prepared once: SQLite would otherwise parse each at every call.
// database/sql prepares a statement again on each connection that first
// runs it; on PostgreSQL the driver keeps prepared statements per
// connection as well.
type hotStatements struct {
	userByName, userByID, tasks, task *sql.Stmt
}

// prepare prepares the hot statements.
func (d *db) prepare(ctx context.Context) error {
	for _, s := range []struct {
		to    **sql.Stmt
		query string
	}{
		{&d.hot.userByName, `SELECT id, username, email, password, is_active FROM ` + d.userTable + ` WHERE username = ?`},
		{&d.hot.userByID, `SELECT id, username, email, password, is_active FROM ` + d.userTable + ` WHERE id = ?`},
		{&d.hot.tasks, `SELECT id, title, due_to, person FROM tasks_task ORDER BY id`},
		{&d.hot.task, `SELECT id, title, due_to, person FROM tasks_task WHERE id = ?`},
	} {
		st, err := d.PrepareContext(ctx, d.q(s.query))
		if err != nil {
			return fmt.Errorf("preparing statements: %w", err)
		}
		*s.to = st
	}
	return nil
}
