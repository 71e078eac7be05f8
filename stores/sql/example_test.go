package sqlstore_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/jwtguard/jwtguard"
	sqlstore "github.com/jwtguard/jwtguard/stores/sql"
)

// A refresh token is spent once; presenting it again is reuse.
func ExampleOpenSQLite() {
	dir, err := os.MkdirTemp("", "sqlstore-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	ctx := context.Background()
	store, err := sqlstore.OpenSQLite(ctx, filepath.Join(dir, "tokens.db"))
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()

	now := time.Now()
	refresh := jwtguard.Record{
		ID:        "3f2a9c",
		Family:    "session-1",
		Subject:   "42",
		IssuedAt:  now,
		ExpiresAt: now.Add(24 * time.Hour),
	}
	fmt.Println("first use:", store.Spend(ctx, refresh))
	fmt.Println("second use:", store.Spend(ctx, refresh))

	// Reuse revokes the whole login session.
	if err := store.RevokeFamily(ctx, refresh.Family, refresh.ExpiresAt); err != nil {
		log.Fatal(err)
	}
	sibling := refresh
	sibling.ID = "7b1e04"
	fmt.Println("another token of the session:", store.Check(ctx, sibling))
	// Output:
	// first use: <nil>
	// second use: jwtguard: refresh token already used
	// another token of the session: jwtguard: token is revoked
}
