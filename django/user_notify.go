package jwtguarddjango

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/stdlib"
)

// userChannel is the PostgreSQL notification channel of user changes.
const userChannel = "jwtguard_user_changed"

// unlistenTimeout bounds the UNLISTEN of a connection going back to the
// pool.
const unlistenTimeout = 2 * time.Second

// ErrNotPostgreSQL: user change notifications need PostgreSQL's
// LISTEN/NOTIFY; on SQLite the user check's bound ([jwtguard.WithUserLookup])
// is what limits how long a deactivated user still passes.
var ErrNotPostgreSQL = errors.New("jwtguarddjango: user change notifications need PostgreSQL")

// InstallUserTrigger adds, on PostgreSQL, a trigger to the user table that
// announces (NOTIFY) the ID of a user whose is_active or password changed,
// or who was deleted, when the change commits, whichever side made it:
// Django's admin, a management command, raw SQL. It adds no column and
// changes no row; it is the one addition this package makes to a table of
// Django's, and it is optional. Running it again replaces the trigger.
func (d *DB) InstallUserTrigger(ctx context.Context) error {
	if d.dialect != PostgreSQL {
		return ErrNotPostgreSQL
	}
	fn := d.t.State + "_user_changed" // a name of ours, beside our table
	users := quote(d.t.Users)
	id, active, password := quote(d.t.UserID), quote(d.t.IsActive), quote(d.t.Password)
	stmts := []string{
		`CREATE OR REPLACE FUNCTION ` + quote(fn) + `() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'DELETE' THEN
		PERFORM pg_notify('` + userChannel + `', OLD.` + id + `::text);
	ELSIF OLD.` + active + ` IS DISTINCT FROM NEW.` + active + ` OR OLD.` + password + ` IS DISTINCT FROM NEW.` + password + ` THEN
		PERFORM pg_notify('` + userChannel + `', NEW.` + id + `::text);
	END IF;
	RETURN NULL;
END $$`,
		`DROP TRIGGER IF EXISTS ` + quote(fn) + ` ON ` + users,
		`CREATE TRIGGER ` + quote(fn) + ` AFTER UPDATE OR DELETE ON ` + users +
			` FOR EACH ROW EXECUTE PROCEDURE ` + quote(fn) + `()`,
	}
	return d.inTx(ctx, func(tx *sql.Tx) error {
		for _, s := range stmts {
			if _, err := tx.ExecContext(ctx, s); err != nil {
				return fmt.Errorf("jwtguarddjango: installing the user trigger: %w", err)
			}
		}
		return nil
	})
}

// ListenUserChanges calls changed with the ID of every user the trigger of
// [DB.InstallUserTrigger] announces: pass [jwtguard.Issuer.UserChanged], and
// a user deactivated in Django is refused at once instead of within the
// user check's bound. It holds one connection of the pool and blocks until
// ctx is done (returning ctx's error) or the connection fails; the caller
// runs it in a goroutine it owns and calls it again after a failure.
// Changes made while no call listens are not replayed: the user check's
// bound still covers them. changed must be quick and safe for concurrent
// use.
func (d *DB) ListenUserChanges(ctx context.Context, changed func(id string)) error {
	if d.dialect != PostgreSQL {
		return ErrNotPostgreSQL
	}
	conn, err := d.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(driverConn any) error {
		c, ok := driverConn.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("jwtguarddjango: listening needs the pgx driver, not %T", driverConn)
		}
		pc := c.Conn()
		if _, err := pc.Exec(ctx, "LISTEN "+userChannel); err != nil {
			return err
		}
		// The connection goes back to the pool; leave it listening to
		// nothing. A canceled ctx may have broken it: then it is closed.
		defer func() {
			ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), unlistenTimeout)
			defer cancel()
			_, _ = pc.Exec(ctx, "UNLISTEN "+userChannel)
		}()
		for {
			n, err := pc.WaitForNotification(ctx)
			if err != nil {
				return err
			}
			changed(n.Payload)
		}
	})
}
