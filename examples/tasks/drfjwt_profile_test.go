package main

import (
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// drfServer starts the app with -profile drf-jwt and the extra flags.
func drfServer(t *testing.T, args ...string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(newTestApp(t, append([]string{"-profile", "drf-jwt"}, args...)...))
	t.Cleanup(srv.Close)
	return srv
}

// drfCall sends a request with an Authorization header auth (none when
// empty) and a JSON body (form-encoded when form).
func drfCall(t *testing.T, srv *httptest.Server, method, path, auth, body string, form ...bool) resp {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
		if len(form) > 0 && form[0] {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return resp{res.StatusCode, res.Header, string(b)}
}

func tokenOf(t *testing.T, r resp) string {
	t.Helper()
	var v struct{ Token string }
	if r.status != 200 || json.Unmarshal([]byte(r.body), &v) != nil || v.Token == "" {
		t.Fatalf("want {\"token\": …}, got %d %s", r.status, r.body)
	}
	return v.Token
}

// mintOld signs claims with the app's secret (the test's JWT_SIGNING_KEY)
// or another, as a client of the old library would have received them.
func mintOld(t *testing.T, method jwt.SigningMethod, key any, claims jwt.MapClaims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(method, claims).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

const (
	drfNoCreds  = `{"detail":"Authentication credentials were not provided."}`
	drfDecode   = `{"detail":"Error decoding signature."}`
	drfIncorr   = `{"detail":"Incorrect authentication credentials."}`
	drfDisabled = `{"detail":"User account is disabled."}`
)

// The seed's app on -profile drf-jwt, the transcript's sections A–G
// (DRFJWT-CONTRACT.md) in order, on the real clock: token views and
// aliases, /hello/, /tasks/, register and activate.
func TestDRFJWTProfile(t *testing.T) {
	srv := drfServer(t)
	secret := []byte("drf-anchor-shared-test-secret")
	tok := tokenOf(t, drfCall(t, srv, "POST", "/auth/obtain_token/", "", `{"username":"vitor","password":"123"}`))
	seg := strings.Split(tok, ".")
	payload, _ := base64.RawURLEncoding.DecodeString(seg[1])
	if seg[0] != "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9" ||
		!regexp.MustCompile(`^\{"user_id":1,"username":"vitor","exp":(\d+),"email":"","orig_iat":\d+\}$`).Match(payload) {
		t.Fatalf("token shape: %s %s", seg[0], payload)
	}
	now := time.Now().Unix()
	expired := mintOld(t, jwt.SigningMethodHS256, secret, jwt.MapClaims{"user_id": 2, "username": "newuser", "exp": now - 60, "orig_iat": now})
	wrongKey := mintOld(t, jwt.SigningMethodHS256, []byte("not-the-secret-at-all"), jwt.MapClaims{"user_id": 2, "username": "newuser", "exp": now + 60})
	none := mintOld(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, jwt.MapClaims{"user_id": 2, "username": "newuser", "exp": now + 60})
	ghost := mintOld(t, jwt.SigningMethodHS256, secret, jwt.MapClaims{"user_id": 999999, "username": "ghost", "exp": now + 60})
	jwtH := "JWT " + tok

	steps := []struct {
		name, method, path, auth, body string
		form                           bool
		status                         int
		want                           string // exact body; "" checks the status only
		challenge                      string
	}{
		{name: "15 alias", method: "POST", path: "/api-token-auth/", body: `{"username":"vitor","password":"123"}`, status: 200},
		{name: "16 alias", method: "POST", path: "/api-auth/", body: `{"username":"vitor","password":"123"}`, status: 200},
		{name: "17 no $", method: "POST", path: "/auth/obtain_token/anything", body: `{"username":"vitor","password":"123"}`, status: 200},
		{name: "13 no slash", method: "POST", path: "/auth/obtain_token", body: `{"username":"vitor","password":"123"}`, status: 307},
		{name: "4 wrong password", method: "POST", path: "/auth/obtain_token/", body: `{"username":"vitor","password":"wrong"}`, status: 400, want: `{"non_field_errors":["Unable to log in with provided credentials."]}`},
		{name: "21 refresh form", method: "POST", path: "/auth/refresh_token/", body: "token=" + tok, form: true, status: 200},
		{name: "refresh alias", method: "POST", path: "/api-token-refresh/", body: `{"token":"` + tok + `"}`, status: 200},
		{name: "26 refresh expired", method: "POST", path: "/auth/refresh_token/", body: `{"token":"` + expired + `"}`, status: 400, want: `{"non_field_errors":["Signature has expired."]}`},
		{name: "46 verify alias", method: "POST", path: "/api-token-verify/", body: `{"token":"` + tok + `"}`, status: 200, want: `{"token":"` + tok + `"}`},
		{name: "12 GET obtain", method: "GET", path: "/auth/obtain_token/", status: 405, want: `{"detail":"Method \"GET\" not allowed."}`},
		{name: "47 hello", method: "GET", path: "/hello/", auth: jwtH, status: 200, want: `{"message":"Hello, vitor"}`},
		{name: "53 hello lower", method: "GET", path: "/hello/", auth: "jwt " + tok, status: 200, want: `{"message":"Hello, vitor"}`},
		{name: "55 hello Bearer", method: "GET", path: "/hello/", auth: "Bearer " + tok, status: 401, want: drfNoCreds, challenge: `JWT realm="api"`},
		{name: "50 prefix alone", method: "GET", path: "/hello/", auth: "JWT", status: 401, want: `{"detail":"Invalid Authorization header. No credentials provided."}`, challenge: `JWT realm="api"`},
		{name: "78 hello POST", method: "POST", path: "/hello/", auth: jwtH, status: 405, want: `{"detail":"Method \"POST\" not allowed."}`},
		{name: "79 hello no slash", method: "GET", path: "/hello", status: 307}, // Django: 301
		{name: "80 unknown", method: "GET", path: "/nope/", status: 404},
		{name: "81 tasks anonymous", method: "GET", path: "/tasks/", status: 200, want: `[]`},
		{name: "82 tasks POST anonymous", method: "POST", path: "/tasks/", body: `{"title":"anon","person":1,"due_to":"2030-01-01T10:00:00Z"}`, status: 401, want: drfNoCreds, challenge: `JWT realm="api"`},
		{name: "83 tasks POST", method: "POST", path: "/tasks/", auth: jwtH, body: `{"title":"Write the Go port","person":1,"due_to":"2030-01-01T10:00:00Z"}`, status: 201, want: `{"id":1,"title":"Write the Go port","due_to":"2030-01-01T10:00:00Z","person":1}`},
		{name: "84 tasks POST invalid", method: "POST", path: "/tasks/", auth: jwtH, body: `{"title":"","person":999999,"due_to":"tomorrow"}`, status: 400,
			want: `{"title":["This field may not be blank."],"due_to":["Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]."],"person":["Invalid pk \"999999\" - object does not exist."]}`},
		{name: "85 task detail anonymous", method: "GET", path: "/tasks/1/", status: 200, want: `{"id":1,"title":"Write the Go port","due_to":"2030-01-01T10:00:00Z","person":1}`},
		{name: "86 PATCH anonymous", method: "PATCH", path: "/tasks/1/", body: `{"title":"x"}`, status: 401, want: drfNoCreds, challenge: `JWT realm="api"`},
		{name: "87 invalid token", method: "GET", path: "/tasks/", auth: "JWT abc", status: 401, want: drfDecode, challenge: `JWT realm="api"`},
		{name: "88 expired token", method: "GET", path: "/tasks/", auth: "JWT " + expired, status: 401, want: `{"detail":"Signature has expired."}`, challenge: `JWT realm="api"`},
		{name: "89 other prefix", method: "GET", path: "/tasks/", auth: "Token x", status: 200},
		{name: "90 PATCH", method: "PATCH", path: "/tasks/1/", auth: jwtH, body: `{"title":"Write the Go port (v2)"}`, status: 200, want: `{"id":1,"title":"Write the Go port (v2)","due_to":"2030-01-01T10:00:00Z","person":1}`},
		{name: "91 DELETE", method: "DELETE", path: "/tasks/1/", auth: jwtH, status: 204},
		{name: "92 missing", method: "GET", path: "/tasks/999999/", status: 404, want: `{"detail":"Not found."}`},
		{name: "94 no tasks (JSON)", method: "POST", path: "/api-register/", body: `{"username":"newuser2","password":"s3cret-pass","email":"n2@example.com"}`, status: 400, want: `{"tasks":["This field is required."]}`},
		{name: "95 form without tasks", method: "POST", path: "/api-register/", body: "username=newuser3&password=s3cret-pass&email=n3@example.com", form: true, status: 201},
		{name: "96 without email", method: "POST", path: "/api-register/", body: `{"username":"newuser4","password":"s3cret-pass","tasks":[]}`, status: 201},
		{name: "tasks not empty", method: "POST", path: "/api-register/", body: `{"username":"newuser5","password":"s3cret-pass","tasks":[1]}`, status: 400, want: `{"tasks":["Tasks cannot be assigned at registration."]}`},
		{name: "98 missing fields", method: "POST", path: "/api-register/", body: `{}`, status: 400, want: `{"username":["This field is required."],"password":["This field is required."],"tasks":["This field is required."]}`},
		{name: "103 activate garbage", method: "GET", path: "/api-activate/garbage/", status: 401, want: drfDecode, challenge: `JWT realm="api"`},
		{name: "104 activate expired", method: "GET", path: "/api-activate/" + expired + "/", status: 401, want: `{"detail":"Signature has expired."}`, challenge: `JWT realm="api"`},
		{name: "105 activate wrong key", method: "GET", path: "/api-activate/" + wrongKey + "/", status: 401, want: drfDecode, challenge: `JWT realm="api"`},
		{name: "106 activate alg none", method: "GET", path: "/api-activate/" + none + "/", status: 401, want: drfIncorr, challenge: `JWT realm="api"`},
		{name: "107 activate no such user", method: "GET", path: "/api-activate/" + ghost + "/", status: 401, want: `{"detail":"Invalid signature."}`, challenge: `JWT realm="api"`},
	}
	for _, s := range steps {
		r := drfCall(t, srv, s.method, s.path, s.auth, s.body, s.form)
		if r.status != s.status || s.want != "" && r.body != s.want {
			t.Errorf("%s: %d %s, want %d %s", s.name, r.status, r.body, s.status, s.want)
		}
		if got := r.header.Get("WWW-Authenticate"); got != s.challenge {
			t.Errorf("%s: WWW-Authenticate %q, want %q", s.name, got, s.challenge)
		}
	}

	// 93, 97, 99–102, 108–112: a registration's confirmation link.
	r := drfCall(t, srv, "POST", "/api-register/", "", `{"username":"newuser","password":"s3cret-pass","email":"newuser@example.com","tasks":[]}`)
	m := regexp.MustCompile(`^\{"confirmation_url":"` + regexp.QuoteMeta(srv.URL) + `/api-activate/([^/"]+)/"\}$`).FindStringSubmatch(r.body)
	if r.status != 201 || m == nil {
		t.Fatalf("93 register: %d %s", r.status, r.body)
	}
	confirm := m[1]
	cp, _ := base64.RawURLEncoding.DecodeString(strings.Split(confirm, ".")[1])
	if !regexp.MustCompile(`^\{"user_id":\d+,"username":"newuser","exp":\d+,"email":"newuser@example.com","orig_iat":\d+\}$`).Match(cp) {
		t.Errorf("93 the confirmation token is not a login token: %s", cp)
	}
	for _, s := range []struct {
		name, method, path, auth, body string
		status                         int
		want                           string
	}{
		{"97 duplicate", "POST", "/api-register/", "", `{"username":"newuser","password":"s3cret-pass","email":"x@example.com","tasks":[]}`, 400, `{"username":["A user with that username already exists."]}`},
		{"99 obtain inactive", "POST", "/auth/obtain_token/", "", `{"username":"newuser","password":"s3cret-pass"}`, 400, `{"non_field_errors":["Unable to log in with provided credentials."]}`},
		{"100 hello inactive", "GET", "/hello/", "JWT " + confirm, "", 401, drfDisabled},
		{"101 verify inactive", "POST", "/auth/verify_token/", "", `{"token":"` + confirm + `"}`, 400, `{"non_field_errors":["User account is disabled."]}`},
		{"102 refresh inactive", "POST", "/auth/refresh_token/", "", `{"token":"` + confirm + `"}`, 400, `{"non_field_errors":["User account is disabled."]}`},
		{"108 bad header on the link", "GET", "/api-activate/" + confirm + "/", "JWT abc", "", 401, drfDecode},
		{"109 activate", "GET", "/api-activate/" + confirm + "/", "", "", 200, `["User Activated"]`},
		{"110 again", "GET", "/api-activate/" + confirm + "/", "", "", 200, `["User Activated"]`},
		{"111 obtain after", "POST", "/auth/obtain_token/", "", `{"username":"newuser","password":"s3cret-pass"}`, 200, ""},
		{"112 hello after", "GET", "/hello/", "JWT " + confirm, "", 200, `{"message":"Hello, newuser"}`},
	} {
		r := drfCall(t, srv, s.method, s.path, s.auth, s.body)
		if r.status != s.status || s.want != "" && r.body != s.want {
			t.Errorf("%s: %d %s, want %d %s", s.name, r.status, r.body, s.status, s.want)
		}
	}
}

// -jwt-prefix Bearer, as the seed set JWT_AUTH_HEADER_PREFIX.
func TestDRFJWTProfileBearer(t *testing.T) {
	srv := drfServer(t, "-jwt-prefix", "Bearer")
	tok := tokenOf(t, drfCall(t, srv, "POST", "/auth/obtain_token/", "", `{"username":"vitor","password":"123"}`))
	if r := drfCall(t, srv, "GET", "/hello/", "Bearer "+tok, ""); r.status != 200 {
		t.Errorf("Bearer: %d %s", r.status, r.body)
	}
	if r := drfCall(t, srv, "GET", "/hello/", "bearer  "+tok, ""); r.status != 200 {
		t.Errorf("bearer, two spaces: %d %s", r.status, r.body)
	}
	r := drfCall(t, srv, "GET", "/hello/", "JWT "+tok, "")
	if r.status != 401 || r.body != drfNoCreds || r.header.Get("WWW-Authenticate") != `Bearer realm="api"` {
		t.Errorf("JWT under Bearer: %d %s %q", r.status, r.body, r.header.Get("WWW-Authenticate"))
	}
}

// The profile's flags: unknown profiles and what drf-jwt does not serve
// are refused at start.
func TestDRFJWTProfileFlags(t *testing.T) {
	for _, args := range [][]string{
		{"-profile", "oauth"},
		{"-profile", "drf-jwt", "-cookies"},
		{"-profile", "drf-jwt", "-django-database", "sqlite:///x"},
		{"-profile", "drf-jwt", "-jwt-prefix", "J W T"},
	} {
		c, err := parseFlags(append([]string{"-data", t.TempDir()}, args...), func(string) string { return "" }, io.Discard)
		if err == nil && args[len(args)-1] == "J W T" {
			var closeApp func()
			if _, closeApp, err = newApp(t.Context(), c, slog.New(slog.DiscardHandler)); err == nil {
				closeApp()
			}
		}
		if err == nil {
			t.Errorf("%v: accepted", args)
		}
	}
}

// An activation link is a login token, so activation must not be a way
// back in: a login token of an account an administrator deactivated, a
// confirmation link used again after a deactivation, and a simplejwt-typed
// token never set is_active again; an active account's link answers as
// before without a write.
func TestDRFJWTActivationNoReactivation(t *testing.T) {
	dir := t.TempDir()
	srv := drfServer(t, "-data", dir)
	d, err := openDB(t.Context(), "", dir)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	deactivate := func(name string) {
		t.Helper()
		if _, err := d.ExecContext(t.Context(), `UPDATE tasks_user SET is_active = FALSE WHERE username = ?`, name); err != nil {
			t.Fatal(err)
		}
	}
	active := func(name string) bool {
		t.Helper()
		u, err := d.userByName(t.Context(), name)
		if err != nil {
			t.Fatal(err)
		}
		return u.Active
	}
	activate := func(tok string) resp {
		return drfCall(t, srv, "GET", "/api-activate/"+tok+"/", "", "")
	}

	// A login token of an account deactivated since.
	login := tokenOf(t, drfCall(t, srv, "POST", "/auth/obtain_token/", "", `{"username":"vitor","password":"123"}`))
	if r := activate(login); r.status != 200 || r.body != `["User Activated"]` {
		t.Errorf("an active account's token: %d %s", r.status, r.body)
	}
	deactivate("vitor")
	if r := activate(login); r.status != 401 || r.body != drfDisabled || r.header.Get("WWW-Authenticate") != `JWT realm="api"` {
		t.Errorf("a deactivated account's login token: %d %s", r.status, r.body)
	}
	if active("vitor") {
		t.Error("a login token reactivated a deactivated account")
	}

	// A confirmation link: activates once, answers again while active,
	// never after a deactivation.
	r := drfCall(t, srv, "POST", "/api-register/", "", `{"username":"newuser","password":"s3cret-pass","tasks":[]}`)
	m := regexp.MustCompile(`/api-activate/([^/"]+)/"`).FindStringSubmatch(r.body)
	if r.status != 201 || m == nil {
		t.Fatalf("register: %d %s", r.status, r.body)
	}
	confirm := m[1]
	for _, what := range []string{"activate", "again"} {
		if r := activate(confirm); r.status != 200 || r.body != `["User Activated"]` || !active("newuser") {
			t.Fatalf("%s: %d %s", what, r.status, r.body)
		}
	}
	deactivate("newuser")
	if r := activate(confirm); r.status != 401 || r.body != drfDisabled {
		t.Errorf("the link after a deactivation: %d %s", r.status, r.body)
	}
	if active("newuser") {
		t.Error("the confirmation link reactivated a deactivated account")
	}

	// simplejwt's tokens with the shared secret are not links.
	r = drfCall(t, srv, "POST", "/api-register/", "", `{"username":"newuser6","password":"s3cret-pass","tasks":[]}`)
	m = regexp.MustCompile(`/api-activate/([^/"]+)/"`).FindStringSubmatch(r.body)
	if r.status != 201 || m == nil {
		t.Fatalf("register: %d %s", r.status, r.body)
	}
	var claims struct {
		UserID int64 `json:"user_id"`
	}
	p, _ := base64.RawURLEncoding.DecodeString(strings.Split(m[1], ".")[1])
	if err := json.Unmarshal(p, &claims); err != nil {
		t.Fatal(err)
	}
	now := time.Now().Unix()
	for _, typ := range []string{"access", "refresh", "activation"} {
		tok := mintOld(t, jwt.SigningMethodHS256, []byte("drf-anchor-shared-test-secret"), jwt.MapClaims{
			"token_type": typ, "jti": "0a1b2c", "user_id": claims.UserID, "username": "newuser6", "exp": now + 600, "iat": now})
		if r := activate(tok); r.status != 401 || r.body != drfIncorr {
			t.Errorf("a %s token: %d %s", typ, r.status, r.body)
		}
	}
	if active("newuser6") {
		t.Error("a simplejwt token activated an account")
	}
}

// A tasks_user made before activated_at gets the column on SQLite and on
// PostgreSQL, filled for the active accounts only: a registration not yet
// confirmed still activates, an active account's link does not write.
func TestActivatedAtMigration(t *testing.T) {
	old := `CREATE TABLE tasks_user (id INTEGER PRIMARY KEY, username VARCHAR(150) NOT NULL UNIQUE,
		email VARCHAR(254) NOT NULL DEFAULT '', password VARCHAR(255) NOT NULL, is_active BOOLEAN NOT NULL,
		is_staff BOOLEAN NOT NULL DEFAULT FALSE)`
	for _, c := range []struct {
		name   string
		driver string
		source func(t *testing.T) (dsn, dir, conn string)
	}{
		{"sqlite", "sqlite", func(t *testing.T) (string, string, string) {
			dir := t.TempDir()
			return "", dir, "file:" + dir + "/tasks.sqlite3"
		}},
		{"postgres", "pgx", func(t *testing.T) (string, string, string) {
			dsn := fleetDSN(t)
			return dsn, "", dsn
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			dsn, dir, conn := c.source(t)
			raw, err := sql.Open(c.driver, conn)
			if err != nil {
				t.Fatal(err)
			}
			defer raw.Close()
			for _, q := range []string{old,
				`INSERT INTO tasks_user (id, username, password, is_active) VALUES (1, 'on', 'x', TRUE), (2, 'pending', 'x', FALSE)`} {
				if _, err := raw.Exec(q); err != nil {
					t.Fatal(err)
				}
			}
			for range 2 { // a second start finds the column
				d, err := openDB(t.Context(), dsn, dir)
				if err != nil {
					t.Fatal(err)
				}
				d.Close()
			}
			d, err := openDB(t.Context(), dsn, dir)
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			var on, pending sql.NullInt64
			if err := d.QueryRow(`SELECT (SELECT activated_at FROM tasks_user WHERE id = 1), (SELECT activated_at FROM tasks_user WHERE id = 2)`).Scan(&on, &pending); err != nil {
				t.Fatal(err)
			}
			if !on.Valid || pending.Valid {
				t.Fatalf("activated_at: active %v, pending %v", on, pending)
			}
			if err := d.activateFirst(t.Context(), 2); err != nil {
				t.Fatalf("the pending account: %v", err)
			}
			if err := d.activateFirst(t.Context(), 1); err != nil {
				t.Fatalf("an active account: %v", err)
			}
			if _, err := d.Exec(`UPDATE tasks_user SET is_active = FALSE`); err != nil {
				t.Fatal(err)
			}
			for id := int64(1); id <= 2; id++ {
				if err := d.activateFirst(t.Context(), id); !errors.Is(err, errDeactivated) {
					t.Errorf("account %d deactivated: %v", id, err)
				}
			}
			if err := d.activateFirst(t.Context(), 3); !errors.Is(err, errNoRow) {
				t.Errorf("no account: %v", err)
			}
		})
	}
}
