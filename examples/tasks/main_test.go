package main

import (
	"context"
	"encoding/json"
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

// server starts the app on a fresh SQLite database with the contract's
// tutorial user vitor / 123 (id 1).
func server(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(newTestApp(t))
	t.Cleanup(srv.Close)
	return srv
}

// newTestApp returns the app on a fresh SQLite database with the user
// vitor / 123 and the extra flags args, closed when the test ends.
func newTestApp(t *testing.T, args ...string) http.Handler {
	t.Helper()
	h, closeApp := openTestApp(t, args...)
	t.Cleanup(closeApp)
	return h
}

// openTestApp is newTestApp, and returns the function that closes the app
// and its database.
func openTestApp(t testing.TB, args ...string) (http.Handler, func()) {
	t.Helper()
	return openApp(t, io.Discard, append([]string{"-data", t.TempDir(), "-create-user", "vitor:123"}, args...)...)
}

// startApp returns the app of the flags args, its notes to out, closed
// when the test ends.
func startApp(t *testing.T, out io.Writer, args ...string) http.Handler {
	t.Helper()
	h, closeApp := openApp(t, out, args...)
	t.Cleanup(closeApp)
	return h
}

// openApp returns the app of the flags args, its notes to out, and the
// function that closes it.
func openApp(t testing.TB, out io.Writer, args ...string) (http.Handler, func()) {
	t.Helper()
	c, err := parseFlags(args, func(k string) string {
		if k == "JWT_SIGNING_KEY" {
			return "drf-anchor-shared-test-secret"
		}
		return ""
	}, out)
	if err != nil {
		t.Fatal(err)
	}
	h, closeApp, err := newApp(context.Background(), c, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	return h, closeApp
}

type resp struct {
	status int
	header http.Header
	body   string
}

func call(t *testing.T, srv *httptest.Server, method, path, token, body string) resp {
	t.Helper()
	return callURL(t, srv.URL, method, path, token, body)
}

// callURL is call on a server at base (http://host:port).
func callURL(t *testing.T, base, method, path, token, body string) resp {
	t.Helper()
	req, err := http.NewRequest(method, base+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return resp{res.StatusCode, res.Header, string(b)}
}

func login(t *testing.T, srv *httptest.Server, user, pass string) (access, refresh string) {
	t.Helper()
	r := call(t, srv, "POST", "/api/token/", "", `{"username":"`+user+`","password":"`+pass+`"}`)
	var p struct{ Access, Refresh string }
	if r.status != 200 || json.Unmarshal([]byte(r.body), &p) != nil {
		t.Fatalf("login %s: %d %s", user, r.status, r.body)
	}
	return p.Access, p.Refresh
}

const (
	notProvided = `{"detail":"Authentication credentials were not provided."}`
	invalidTok  = `{"detail":"Given token not valid for any token type","code":"token_not_valid","messages":[{"token_class":"AccessToken","token_type":"access","message":"Token is invalid or expired"}]}`
)

// DRF-CONTRACT.md §1.5–1.6, request by request.
func TestTasksContract(t *testing.T) {
	srv := server(t)
	access, _ := login(t, srv, "vitor", "123")
	for _, c := range []struct {
		name, method, path, token, body string
		status                          int
		want                            string
		allow                           string
	}{
		{"hello anonymous", "GET", "/hello/", "", "", 401, notProvided, "GET, HEAD, OPTIONS"},
		{"hello", "GET", "/hello/", access, "", 200, `{"message":"Hello, vitor"}`, "GET, HEAD, OPTIONS"},
		{"hello POST", "POST", "/hello/", access, "", 405, `{"detail":"Method \"POST\" not allowed."}`, "GET, HEAD, OPTIONS"},
		{"hello other scheme", "GET", "/hello/", "", "", 401, notProvided, ""},
		{"tasks anonymous", "GET", "/tasks/", "", "", 200, `[]`, "GET, POST, HEAD, OPTIONS"},
		{"tasks POST anonymous", "POST", "/tasks/", "", `{"title":"anon","person":1,"due_to":"2030-01-01T10:00:00Z"}`, 401, notProvided, "GET, POST, HEAD, OPTIONS"},
		{"tasks POST", "POST", "/tasks/", access, `{"title":"Write the Go port","person":1,"due_to":"2030-01-01T10:00:00Z"}`, 201,
			`{"id":1,"title":"Write the Go port","due_to":"2030-01-01T10:00:00Z","person":1}`, "GET, POST, HEAD, OPTIONS"},
		{"tasks POST invalid", "POST", "/tasks/", access, `{"title":"","person":999999,"due_to":"tomorrow"}`, 400,
			`{"title":["This field may not be blank."],"due_to":["Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]."],"person":["Invalid pk \"999999\" - object does not exist."]}`, ""},
		{"tasks POST empty", "POST", "/tasks/", access, `{}`, 400,
			`{"title":["This field is required."],"due_to":["This field is required."],"person":["This field is required."]}`, ""},
		{"tasks list", "GET", "/tasks/", "", "", 200, `[{"id":1,"title":"Write the Go port","due_to":"2030-01-01T10:00:00Z","person":1}]`, ""},
		{"task detail", "GET", "/tasks/1/", "", "", 200, `{"id":1,"title":"Write the Go port","due_to":"2030-01-01T10:00:00Z","person":1}`, "GET, PUT, PATCH, DELETE, HEAD, OPTIONS"},
		{"task PATCH anonymous", "PATCH", "/tasks/1/", "", `{"title":"x"}`, 401, notProvided, "GET, PUT, PATCH, DELETE, HEAD, OPTIONS"},
		{"task DELETE anonymous", "DELETE", "/tasks/1/", "", "", 401, notProvided, ""},
		{"tasks with an invalid token", "GET", "/tasks/", "abc", "", 401, invalidTok, ""},
		{"task PATCH", "PATCH", "/tasks/1/", access, `{"title":"Write the Go port (v2)"}`, 200,
			`{"id":1,"title":"Write the Go port (v2)","due_to":"2030-01-01T10:00:00Z","person":1}`, ""},
		{"task PUT partial", "PUT", "/tasks/1/", access, `{"title":"x"}`, 400,
			`{"due_to":["This field is required."],"person":["This field is required."]}`, ""},
		{"task PUT", "PUT", "/tasks/1/", access, `{"title":"Put","person":"1","due_to":"2030-06-01 12:30:15.5+02:00"}`, 200,
			`{"id":1,"title":"Put","due_to":"2030-06-01T10:30:15.500000Z","person":1}`, ""},
		{"task missing", "GET", "/tasks/999999/", "", "", 404, `{"detail":"Not found."}`, ""},
		{"task not a number", "GET", "/tasks/abc/", "", "", 404, `{"detail":"Not found."}`, ""},
		{"tasks OPTIONS", "OPTIONS", "/tasks/", "", "", 200, "", "GET, POST, HEAD, OPTIONS"},
		{"task DELETE", "DELETE", "/tasks/1/", access, "", 204, "", ""},
		{"task deleted", "GET", "/tasks/1/", "", "", 404, `{"detail":"Not found."}`, ""},
	} {
		r := call(t, srv, c.method, c.path, c.token, c.body)
		if c.name == "hello other scheme" {
			req, _ := http.NewRequest("GET", srv.URL+"/hello/", nil)
			req.Header.Set("Authorization", "Token x")
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			r = resp{res.StatusCode, res.Header, string(b)}
		}
		if r.status != c.status || c.want != "" && r.body != c.want {
			t.Errorf("%s: %d %s\nwant %d %s", c.name, r.status, r.body, c.status, c.want)
		}
		if c.allow != "" && r.header.Get("Allow") != c.allow {
			t.Errorf("%s: Allow %q, want %q", c.name, r.header.Get("Allow"), c.allow)
		}
		if r.status == 401 && r.header.Get("Www-Authenticate") == "" {
			t.Errorf("%s: 401 without WWW-Authenticate", c.name)
		}
		if r.status == 204 && (r.body != "" || r.header.Get("Content-Type") != "") {
			t.Errorf("%s: 204 with a body or a content type", c.name)
		}
	}
}

// §1.7 register and activate, with an activation token of its own type.
func TestTasksRegisterActivate(t *testing.T) {
	srv := server(t)
	r := call(t, srv, "POST", "/api-register/", "", `{"username":"newuser","email":"new@example.com","password":"s3cret-pass"}`)
	var reg struct {
		Username, Email string
		URL             string `json:"confirmation_url"`
	}
	if r.status != 201 || json.Unmarshal([]byte(r.body), &reg) != nil || reg.Username != "newuser" || reg.Email != "new@example.com" {
		t.Fatalf("register: %d %s", r.status, r.body)
	}
	if !strings.HasPrefix(r.body, `{"username":"newuser","email":"new@example.com","confirmation_url":"`+srv.URL+`/api-activate/`) {
		t.Errorf("register body %s", r.body)
	}
	token := regexp.MustCompile(`/api-activate/([^/]+)/$`).FindStringSubmatch(reg.URL)[1]
	for _, c := range []struct {
		name, method, path, token, body string
		status                          int
		want                            string
	}{
		{"duplicate", "POST", "/api-register/", "", `{"username":"newuser","email":"x@example.com","password":"another-pass-9"}`, 400, `{"username":["A user with that username already exists."]}`},
		{"short password", "POST", "/api-register/", "", `{"username":"shorty","password":"p"}`, 400, `{"password":["This password is too short. It must contain at least 8 characters."]}`},
		{"common password", "POST", "/api-register/", "", `{"username":"common","password":" Password123"}`, 400, `{"password":["This password is too common."]}`},
		{"short password and blank username", "POST", "/api-register/", "", `{"username":"","password":"1234567"}`, 400, `{"username":["This field may not be blank."],"password":["This password is too short. It must contain at least 8 characters."]}`},
		{"missing fields", "POST", "/api-register/", "", `{}`, 400, `{"username":["This field is required."],"password":["This field is required."]}`},
		{"login before activation", "POST", "/api/token/", "", `{"username":"newuser","password":"s3cret-pass"}`, 401, `{"detail":"No active account found with the given credentials"}`},
		{"activation token as access token", "GET", "/hello/", token, "", 401, ""},
		{"activate garbage", "GET", "/api-activate/garbage/", "", "", 400, `{"error":"Invalid token"}`},
		{"activate", "GET", "/api-activate/" + token + "/", "", "", 200, `{"email":"Successfully activated"}`},
		{"activate again", "GET", "/api-activate/" + token + "/", "", "", 200, `{"email":"Successfully activated"}`},
		{"activation token as access token after activation", "GET", "/hello/", token, "", 401, ""},
	} {
		r := call(t, srv, c.method, c.path, c.token, c.body)
		if r.status != c.status || c.want != "" && r.body != c.want {
			t.Errorf("%s: %d %s, want %d %s", c.name, r.status, r.body, c.status, c.want)
		}
	}
	access, _ := login(t, srv, "newuser", "s3cret-pass")
	// An access token does not activate.
	if r := call(t, srv, "GET", "/api-activate/"+access+"/", "", ""); r.status != 400 {
		t.Errorf("an access token activated: %d %s", r.status, r.body)
	}
	if r := call(t, srv, "GET", "/hello/", access, ""); r.body != `{"message":"Hello, newuser"}` {
		t.Errorf("hello after activation: %s", r.body)
	}
}

// The token flow of the tutorial through the app: login, access, refresh,
// blacklist; and a deactivated user is refused at once.
func TestTasksTokenFlow(t *testing.T) {
	srv := server(t)
	access, refresh := login(t, srv, "vitor", "123")
	r := call(t, srv, "POST", "/api/token/refresh/", "", `{"refresh":"`+refresh+`"}`)
	var p struct{ Access, Refresh string }
	if r.status != 200 || json.Unmarshal([]byte(r.body), &p) != nil {
		t.Fatalf("refresh: %d %s", r.status, r.body)
	}
	if r := call(t, srv, "GET", "/hello/", p.Access, ""); r.status != 200 {
		t.Fatalf("refreshed access: %d %s", r.status, r.body)
	}
	if r := call(t, srv, "POST", "/api/token/blacklist/", "", `{"refresh":"`+p.Refresh+`"}`); r.status != 200 {
		t.Fatalf("blacklist: %d %s", r.status, r.body)
	}
	if r := call(t, srv, "POST", "/api/token/refresh/", "", `{"refresh":"`+p.Refresh+`"}`); r.status != 401 ||
		r.body != `{"detail":"Token is blacklisted","code":"token_not_valid"}` {
		t.Fatalf("refresh after blacklist: %d %s", r.status, r.body)
	}
	_ = access
}

// A user's activation takes effect at once: a client of the Django app
// that called /hello/ with the tutorial's confirmation token (an ordinary
// access token of the new, inactive user) left "inactive" in the user
// check's cache; activating tells the library, so the sign-in that follows
// is let in at once, not 5 s later.
func TestTasksActivationAtOnce(t *testing.T) {
	srv := server(t)
	r := call(t, srv, "POST", "/api-register/", "", `{"username":"newuser","email":"new@example.com","password":"s3cret-pass"}`)
	var reg struct {
		URL string `json:"confirmation_url"`
	}
	if r.status != 201 || json.Unmarshal([]byte(r.body), &reg) != nil {
		t.Fatalf("register: %d %s", r.status, r.body)
	}
	confirmation, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"token_type": "access",
		"exp": time.Now().Add(5 * time.Minute).Unix(), "iat": time.Now().Unix(), "jti": "0123456789abcdef0123456789abcdef",
		"user_id": 2}).SignedString([]byte("drf-anchor-shared-test-secret"))
	if err != nil {
		t.Fatal(err)
	}
	if r := call(t, srv, "GET", "/hello/", confirmation, ""); r.status != 401 || r.body != `{"detail":"User is inactive","code":"user_inactive"}` {
		t.Fatalf("before activation: %d %s", r.status, r.body)
	}
	token := regexp.MustCompile(`/api-activate/([^/]+)/$`).FindStringSubmatch(reg.URL)[1]
	if r := call(t, srv, "GET", "/api-activate/"+token+"/", "", ""); r.status != 200 {
		t.Fatalf("activate: %d %s", r.status, r.body)
	}
	access, _ := login(t, srv, "newuser", "s3cret-pass")
	if r := call(t, srv, "GET", "/hello/", access, ""); r.status != 200 || r.body != `{"message":"Hello, newuser"}` {
		t.Errorf("at once after activation: %d %s", r.status, r.body)
	}
}

// An activation link is single use: a second click answers as the first
// while the account is active, and a replay never activates an account
// that was deactivated since.
func TestTasksActivationSingleUse(t *testing.T) {
	dir := t.TempDir()
	srv := httptest.NewServer(newTestApp(t, "-data", dir))
	t.Cleanup(srv.Close)
	r := call(t, srv, "POST", "/api-register/", "", `{"username":"newuser","password":"s3cret-pass"}`)
	var reg struct {
		URL string `json:"confirmation_url"`
	}
	if r.status != 201 || json.Unmarshal([]byte(r.body), &reg) != nil {
		t.Fatalf("register: %d %s", r.status, r.body)
	}
	token := regexp.MustCompile(`/api-activate/([^/]+)/$`).FindStringSubmatch(reg.URL)[1]
	const activated = `{"email":"Successfully activated"}`
	for _, what := range []string{"activate", "activate again"} {
		if r := call(t, srv, "GET", "/api-activate/"+token+"/", "", ""); r.status != 200 || r.body != activated {
			t.Fatalf("%s: %d %s", what, r.status, r.body)
		}
	}
	d, err := openDB(context.Background(), "", dir)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := d.ExecContext(context.Background(), `UPDATE tasks_user SET is_active = FALSE WHERE username = 'newuser'`); err != nil {
		t.Fatal(err)
	}
	if r := call(t, srv, "GET", "/api-activate/"+token+"/", "", ""); r.status != 400 || r.body != `{"error":"Invalid token"}` {
		t.Errorf("a replay after deactivation: %d %s", r.status, r.body)
	}
	u, err := d.userByName(context.Background(), "newuser")
	if err != nil || u.Active {
		t.Errorf("the replay reactivated the account (lookup error: %v)", err)
	}
}
