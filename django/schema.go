package jwtguarddjango

import (
	"context"
	"fmt"
)

// Migrate creates jwtguard's own table ([Tables.State]) and its index when
// they are missing. It never alters Django's tables. It is safe to run at
// every start.
func (d *DB) Migrate(ctx context.Context) error {
	for _, stmt := range []string{d.q.createState, d.q.createStateIndex} {
		if _, err := d.db.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("jwtguarddjango: creating table %s: %w", d.t.State, err)
		}
	}
	return nil
}
