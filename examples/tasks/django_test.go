package main

import (
	"database/sql"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// djangoPassword is "correct horse" as Django 3.2's default hasher wrote it.
const djangoPassword = "pbkdf2_sha256$260000$uZBL7xCEerpUCWmhHxfiSn$pmjHCpmQmk8d6ABWa0XGwauwya5NSwzp2TZ0ZMwRTik="

// djangoProject returns the path of a SQLite file with a Django project's
// tables and the user vitor (id 1), as Django's migrate and admin leave
// them.
func djangoProject(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "db.sqlite3")
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ddl, err := os.ReadFile(filepath.Join("testdata", "django.sql"))
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, l := range strings.Split(string(ddl), "\n") {
		if !strings.HasPrefix(l, "--") {
			lines = append(lines, l)
		}
	}
	for _, stmt := range strings.Split(strings.Join(lines, "\n"), ";") {
		if strings.TrimSpace(stmt) != "" {
			if _, err := db.Exec(stmt); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := db.Exec(`INSERT INTO auth_user (id, username, password, is_active, is_superuser, last_name, email, is_staff, date_joined, first_name)
VALUES (1, 'vitor', ?, 1, 0, '', '', 0, '2026-01-01 00:00:00', '')`, djangoPassword); err != nil {
		t.Fatal(err)
	}
	return path
}

// With -django-database the tutorial runs on a Django project's database:
// Django's user signs in, its tasks are kept beside Django's tables, its
// refresh tokens are Django's outstanding tokens and logout blacklists
// them there; registration, which would write a user, is refused.
func TestTasksDjangoDatabase(t *testing.T) {
	path := djangoProject(t)
	h, closeApp := openApp(t, io.Discard, "-django-database", "sqlite://"+path)
	t.Cleanup(closeApp)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)

	access, refresh := login(t, srv, "vitor", "correct horse")
	if r := call(t, srv, "GET", "/hello/", access, ""); r.status != 200 || r.body != `{"message":"Hello, vitor"}` {
		t.Errorf("hello: %d %s", r.status, r.body)
	}
	if r := call(t, srv, "POST", "/tasks/", access, `{"title":"Move to Go","person":1,"due_to":"2030-01-01T10:00:00Z"}`); r.status != 201 {
		t.Errorf("create task: %d %s", r.status, r.body)
	}
	if r := call(t, srv, "POST", "/api-register/", "", `{"username":"new","password":"a long password"}`); r.status != 403 {
		t.Errorf("register: %d %s, want 403", r.status, r.body)
	}
	if r := call(t, srv, "POST", "/api/token/blacklist/", "", `{"refresh":"`+refresh+`"}`); r.status != 200 {
		t.Fatalf("logout: %d %s", r.status, r.body)
	}

	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var tasks, outstanding, blacklisted int
	err = db.QueryRow(`SELECT (SELECT COUNT(*) FROM tasks_task WHERE person = 1),
	(SELECT COUNT(*) FROM token_blacklist_outstandingtoken WHERE user_id = 1),
	(SELECT COUNT(*) FROM token_blacklist_blacklistedtoken)`).Scan(&tasks, &outstanding, &blacklisted)
	if err != nil {
		t.Fatal(err)
	}
	if tasks != 1 || outstanding != 1 || blacklisted != 1 {
		t.Errorf("in Django's database: %d tasks, %d outstanding and %d blacklisted tokens; want 1, 1, 1", tasks, outstanding, blacklisted)
	}
}

// -django-database leaves no room for users or state of the tutorial's.
func TestTasksDjangoDatabaseFlags(t *testing.T) {
	for _, args := range [][]string{
		{"-django-database", "sqlite:///x.db", "-create-user", "a:b"},
		{"-django-database", "sqlite:///x.db", "-database-url", "postgres://x/y"},
	} {
		if _, err := parseFlags(args, func(string) string { return "" }, io.Discard); err == nil {
			t.Errorf("%v: accepted", args)
		}
	}
}
