package jwtguarddjango_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard/django"
)

// The trigger announces a user whose is_active or password changed, or
// who was deleted, and nothing else; ListenUserChanges hands the IDs over
// and returns when its context ends.
func TestListenUserChanges(t *testing.T) {
	u := postgresProject(t)
	d := openProject(t, u)
	addUser(t, u, "auth_user", userCols, 1, "vitor", djangoHashes[0].encoded, true)
	addUser(t, u, "auth_user", userCols, 2, "other", djangoHashes[0].encoded, true)
	ctx := context.Background()
	if err := d.InstallUserTrigger(ctx); err != nil {
		t.Fatal(err)
	}
	if err := d.InstallUserTrigger(ctx); err != nil {
		t.Fatalf("installing again: %v", err)
	}
	ids := make(chan string, 16)
	lctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- d.ListenUserChanges(lctx, func(id string) { ids <- id }) }()

	db, err := sql.Open("pgx", u)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	exec := func(q string) {
		t.Helper()
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	// The listener may not listen yet: repeat the first change until it
	// is heard.
	deadline := time.Now().Add(10 * time.Second)
	for heard := false; !heard; {
		exec(`UPDATE auth_user SET is_active = NOT is_active WHERE id = 1`)
		select {
		case id := <-ids:
			if id != "1" {
				t.Fatalf("announced %q, want 1", id)
			}
			heard = true
		case <-time.After(200 * time.Millisecond):
			if time.Now().After(deadline) {
				t.Fatal("no announcement of a deactivation within 10 s")
			}
		}
	}
	for len(ids) > 0 {
		<-ids
	}
	exec(`UPDATE auth_user SET last_login = CURRENT_TIMESTAMP, first_name = 'V' WHERE id = 1`) // not announced
	exec(`UPDATE auth_user SET password = 'pbkdf2_sha256$1$x$eA==' WHERE id = 2`)
	exec(`DELETE FROM auth_user WHERE id = 1`)
	for _, want := range []string{"2", "1"} {
		select {
		case id := <-ids:
			if id != want {
				t.Fatalf("announced %q, want %q (a change to other columns is not announced)", id, want)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("no announcement for user %s within 10 s", want)
		}
	}
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("ListenUserChanges after cancel: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("ListenUserChanges did not return after its context was canceled")
	}
	// The pool still works.
	if _, err := d.Users().LookupUser(ctx, "2"); err != nil {
		t.Fatal(err)
	}
}

func TestUserChangesNeedPostgreSQL(t *testing.T) {
	d := openProject(t, sqliteProject(t))
	ctx := context.Background()
	if err := d.InstallUserTrigger(ctx); !errors.Is(err, jwtguarddjango.ErrNotPostgreSQL) {
		t.Errorf("InstallUserTrigger on SQLite: %v", err)
	}
	if err := d.ListenUserChanges(ctx, func(string) {}); !errors.Is(err, jwtguarddjango.ErrNotPostgreSQL) {
		t.Errorf("ListenUserChanges on SQLite: %v", err)
	}
}
