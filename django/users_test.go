package jwtguarddjango_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard"
	"github.com/jwtguard/jwtguard/django"
)

// addUser inserts a user row as Django's admin would leave it.
func addUser(t *testing.T, rawURL, table string, cols [4]string, id int, name, hash string, active bool) {
	t.Helper()
	driver, dsn := "pgx", rawURL
	if path, ok := strings.CutPrefix(rawURL, "sqlite://"); ok {
		driver, dsn = "sqlite", "file:"+path
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	q := `INSERT INTO ` + table + ` (` + strings.Join(cols[:], ", ") + `) VALUES (` + map[bool]string{true: "$1, $2, $3, $4", false: "?, ?, ?, ?"}[driver == "pgx"] + `)`
	if table == "auth_user" {
		q = `INSERT INTO auth_user (id, username, password, is_active, is_superuser, last_name, email, is_staff, date_joined, first_name)
VALUES (` + map[bool]string{true: "$1, $2, $3, $4", false: "?, ?, ?, ?"}[driver == "pgx"] + `, false, '', '', false, CURRENT_TIMESTAMP, '')`
	}
	if _, err := db.Exec(q, id, name, hash, active); err != nil {
		t.Fatal(err)
	}
}

var userCols = [4]string{"id", "username", "password", "is_active"}

// The token endpoints sign Django's users in through Users: a good
// password, a wrong one, an unknown user, an inactive user and a hash of a
// hasher not supported, each answered as simplejwt answers; the hasher's
// error reaches the login hook only.
func TestUsersThroughEndpoints(t *testing.T) {
	eachProject(t, func(t *testing.T, u string, d *jwtguarddjango.DB) {
		addUser(t, u, "auth_user", userCols, 1, "vitor", djangoHashes[0].encoded, true)
		addUser(t, u, "auth_user", userCols, 2, "sleepy", djangoHashes[0].encoded, false)
		addUser(t, u, "auth_user", userCols, 3, "old", "md5$ExMZ7F5b4Pjdzct4fGRzl2$4d2eb442e71cfe889ce789c3a67cfd36", true)

		key, err := jwtguard.NewSigningKey("", strings.Repeat("k", 32), jwtguard.HS256)
		if err != nil {
			t.Fatal(err)
		}
		iss, err := jwtguard.NewIssuer(key, d.Store(), jwtguard.WithUserLookup(d.Users(), 0))
		if err != nil {
			t.Fatal(err)
		}
		var hookErrs []error
		e, err := jwtguard.NewEndpoints(iss, d.Users(), jwtguard.WithLoginHook(func(_ *http.Request, _, _ string, err error) {
			hookErrs = append(hookErrs, err)
		}))
		if err != nil {
			t.Fatal(err)
		}
		mux := http.NewServeMux()
		e.Register(mux, "/api/token/")
		srv := httptest.NewServer(mux)
		defer srv.Close()

		const refused = `{"detail":"No active account found with the given credentials"}`
		for _, c := range []struct {
			user, password string
			status         int
		}{
			{"vitor", "correct horse", 200},
			{"vitor", "wrong", 401},
			{"Vitor", "correct horse", 401}, // exact match, as Django's ModelBackend
			{"nobody", "correct horse", 401},
			{"sleepy", "correct horse", 401},
			{"old", "correct horse", 401},
			{"vit\x00or", "correct horse", 401}, // PostgreSQL refuses NUL in text: not a 503
		} {
			b, _ := json.Marshal(map[string]string{"username": c.user, "password": c.password})
			resp, err := http.Post(srv.URL+"/api/token/", "application/json", strings.NewReader(string(b)))
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != c.status || (c.status == 401 && string(body) != refused) {
				t.Errorf("%s/%s: %d %s, want %d", c.user, c.password, resp.StatusCode, body, c.status)
			}
		}
		if _, _, err := d.Users().Authenticate(context.Background(), "vitor\xff", "correct horse"); !errors.Is(err, jwtguard.ErrInvalidCredentials) {
			t.Errorf("a username of invalid UTF-8: %v, want ErrInvalidCredentials", err)
		}
		if last := hookErrs[len(hookErrs)-2]; !errors.Is(last, jwtguarddjango.ErrUnsupportedHasher) {
			t.Errorf("login hook for the md5 user: %v, want ErrUnsupportedHasher", last)
		}
	})
}

// LookupUser reads is_active by primary key; a user ID that cannot be a
// key is a user not found, not a database error.
func TestUsersLookup(t *testing.T) {
	eachProject(t, func(t *testing.T, u string, d *jwtguarddjango.DB) {
		addUser(t, u, "auth_user", userCols, 7, "vitor", djangoHashes[0].encoded, true)
		addUser(t, u, "auth_user", userCols, 8, "sleepy", djangoHashes[0].encoded, false)
		ctx := context.Background()
		for id, want := range map[string]error{"7": nil, "8": nil, "9": jwtguard.ErrUserNotFound,
			"abc": jwtguard.ErrUserNotFound, "07": jwtguard.ErrUserNotFound, "1e3": jwtguard.ErrUserNotFound,
			"99999999999999999999": jwtguard.ErrUserNotFound, "'; DROP TABLE auth_user; --": jwtguard.ErrUserNotFound} {
			active, err := d.Users().LookupUser(ctx, id)
			if !errors.Is(err, want) || (want == nil && active != (id == "7")) {
				t.Errorf("LookupUser(%q) = %v, %v; want error %v", id, active, err, want)
			}
		}
	})
}

// A custom user model: its own table, email as the username field.
func TestCustomUserTable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "db.sqlite3")
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	schemaOf(t, db, "sqlite.sql")
	if _, err := db.Exec(`CREATE TABLE accounts_person (pk integer PRIMARY KEY, email varchar(254) NOT NULL UNIQUE, pass varchar(128) NOT NULL, enabled bool NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	tables := jwtguarddjango.DefaultTables
	tables.Users, tables.UserID, tables.Username, tables.Password, tables.IsActive = "accounts_person", "pk", "email", "pass", "enabled"
	addUser(t, "sqlite://"+path, "accounts_person", [4]string{"pk", "email", "pass", "enabled"}, 5, "a@example.com", djangoHashes[0].encoded, true)

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	d, err := jwtguarddjango.Open(ctx, "sqlite://"+path, jwtguarddjango.WithTables(tables))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	id, active, err := d.Users().Authenticate(ctx, "a@example.com", "correct horse")
	if err != nil || id != "5" || !active {
		t.Fatalf("Authenticate: %q, %v, %v", id, active, err)
	}
}

// Open and New refuse what cannot work, with every problem at once and
// without touching the database.
func TestOpenRefuses(t *testing.T) {
	ctx := context.Background()
	for _, raw := range []string{"", "mysql://x/y", "sqlite://relative.db", "sqlite:///", "sqlite:relative", "%zz"} {
		if _, err := jwtguarddjango.Open(ctx, raw); err == nil {
			t.Errorf("Open(%q) succeeded", raw)
		}
	}
	// A database without Django's tables.
	empty := "sqlite://" + filepath.Join(t.TempDir(), "empty.db")
	if _, err := jwtguarddjango.Open(ctx, empty); err == nil || !strings.Contains(err.Error(), "auth_user") {
		t.Errorf("Open of a database without Django's tables: %v", err)
	}
	bad := jwtguarddjango.DefaultTables
	bad.Users, bad.State = `auth_user"; DROP TABLE x; --`, "Upper"
	_, err := jwtguarddjango.New(ctx, nil, 0, jwtguarddjango.WithTables(bad))
	for _, want := range []string{"nil database", "dialect", "users table", "state table"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("New: %v; want it to mention %q", err, want)
		}
	}
}
