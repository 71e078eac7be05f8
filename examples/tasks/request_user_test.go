package main

import (
	"context"
	"database/sql"
	"net/http/httptest"
	"path/filepath"
	"testing"
)

// /hello/ answers from the user that the Guard's user check loaded, and
// makes no query of its own: a rename written straight into the database
// does not show within the check's 5 s maxStale (the library's tests show
// that it does after it, and at once after UserChanged). A handler that
// queried would show the new name at once.
func TestHelloUsesTheCheckedUser(t *testing.T) {
	dir := t.TempDir()
	a, closeApp := openTestApp(t, "-data", dir)
	t.Cleanup(closeApp)
	srv := httptest.NewServer(a)
	t.Cleanup(srv.Close)
	access, _ := login(t, srv, "vitor", "123")
	if r := call(t, srv, "GET", "/hello/", access, ""); r.status != 200 || r.body != `{"message":"Hello, vitor"}` {
		t.Fatalf("first: %d %s", r.status, r.body)
	}
	side, err := sql.Open("sqlite", "file:"+filepath.ToSlash(filepath.Join(dir, "tasks.sqlite3"))+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer side.Close()
	if _, err := side.ExecContext(context.Background(), `UPDATE tasks_user SET username = 'renamed' WHERE id = 1`); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if r := call(t, srv, "GET", "/hello/", access, ""); r.status != 200 || r.body != `{"message":"Hello, vitor"}` {
			t.Fatalf("within the check's maxStale: %d %s (the handler queried)", r.status, r.body)
		}
	}
}
