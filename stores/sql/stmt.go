package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// stmt is one of a store's statements. On SQLite it is prepared once,
// since the driver would otherwise compile it on every call; database/sql
// prepares it again on each connection of the pool that runs it. On
// PostgreSQL it is sent as text: drivers cache prepared statements per
// connection themselves, or are told not to, as behind a proxy that pools
// transactions, and the store leaves that choice to the connection string.
type stmt struct {
	text     string
	prepared *sql.Stmt // nil: run text on the pool
}

func (st *stmt) exec(ctx context.Context, db *sql.DB, args ...any) (sql.Result, error) {
	if st.prepared != nil {
		return st.prepared.ExecContext(ctx, args...)
	}
	return db.ExecContext(ctx, st.text, args...)
}

func (st *stmt) queryRow(ctx context.Context, db *sql.DB, args ...any) *sql.Row {
	if st.prepared != nil {
		return st.prepared.QueryRowContext(ctx, args...)
	}
	return db.QueryRowContext(ctx, st.text, args...)
}

// prepare prepares q's statements on db when the dialect gains by it.
func (q queries) prepare(ctx context.Context, db *sql.DB, d Dialect) error {
	if d != SQLite {
		return nil
	}
	for _, st := range q.all() {
		p, err := db.PrepareContext(ctx, st.text)
		if err != nil {
			return errors.Join(fmt.Errorf("sqlstore: preparing statements: %w", err), q.close())
		}
		st.prepared = p
	}
	return nil
}

// close releases the prepared statements.
func (q queries) close() error {
	var errs []error
	for _, st := range q.all() {
		if st.prepared != nil {
			errs = append(errs, st.prepared.Close())
		}
	}
	return errors.Join(errs...)
}
