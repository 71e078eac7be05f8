package main

import (
	"context"
	"database/sql"
	"testing"
)

// When as many requests as the pool holds use it at once and then finish,
// no connection is closed for being one idle too many, to be opened again
// by the next burst: the pool keeps as many idle connections as it opens.
func TestPoolKeepsItsConnections(t *testing.T) {
	ctx := context.Background()
	d, err := openDB(ctx, "", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	for range 3 {
		conns := make([]*sql.Conn, sqliteConns)
		for i := range conns {
			if conns[i], err = d.Conn(ctx); err != nil {
				t.Fatal(err)
			}
		}
		for _, c := range conns {
			c.Close()
		}
	}
	st := d.Stats()
	if st.MaxIdleClosed != 0 || st.OpenConnections != sqliteConns {
		t.Errorf("pool: %d connections closed as idle ones too many, %d open (want %d kept)",
			st.MaxIdleClosed, st.OpenConnections, sqliteConns)
	}
}
