package drfjwt_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/jwtguard/jwtguard"
)

// Hostile requests get the contract's refusals, never a 5xx, and neither
// a token nor a password reaches the logs.
func TestHostile(t *testing.T) {
	clk := &clock{}
	clk.set(at(16, 1, 44))
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	users := newAccounts()
	p := newProfile(t, users, clk, withLogger(log))
	guard, err := p.Guard(jwtguard.WithLogger(log))
	must(t, err)
	srv := contractServerWith(t, p, guard)

	huge := "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9." + strings.Repeat("A", 9000) + ".x"
	for name, c := range map[string]struct {
		method, path, ctype, body, auth string
		status                          int
		want                            string
	}{
		"huge token":      {"GET", "/hello/", "", "", "JWT " + huge, 401, decode},
		"huge body":       {"POST", "/auth/obtain_token/", ctJSON, `{"username":"` + strings.Repeat("a", 70000) + `"}`, "", 413, `{"detail":"Request body too large."}`},
		"deep JSON":       {"POST", "/auth/verify_token/", ctJSON, strings.Repeat("[", 50000), "", 400, ""},
		"token not str":   {"POST", "/auth/verify_token/", ctJSON, `{"token":{"a":1}}`, "", 400, `{"token":["Not a valid string."]}`},
		"two headers":     {"GET", "/hello/", "", "", "", 401, `{"detail":"Invalid Authorization header. Credentials string should not contain spaces."}`},
		"unicode prefix":  {"GET", "/hello/", "", "", "\u212aWT " + recToken, 401, noCreds},
		"tab separator":   {"GET", "/hello/", "", "", "JWT\t" + recToken, 200, hello},
		"unknown media":   {"POST", "/auth/obtain_token/", "application/xml", "<a/>", "", 415, `{"detail":"Unsupported media type \"application/xml\" in request."}`},
		"password in log": {"POST", "/auth/obtain_token/", ctJSON, `{"username":"vitor","password":"hunter2-secret"}`, "", 400, ""},
	} {
		var header []string
		if c.auth != "" {
			header = []string{"Authorization", c.auth}
		}
		if name == "two headers" {
			header = []string{"Authorization", "JWT " + recToken, "Authorization", "JWT " + recToken}
		}
		r := do(t, c.method, srv.URL+c.path, c.ctype, c.body, header...)
		if r.status != c.status || c.want != "" && r.body != c.want {
			t.Errorf("%s: %d %s, want %d %s", name, r.status, r.body, c.status, c.want)
		}
	}

	// A flood of concurrent requests of every kind: only contract answers.
	var wg sync.WaitGroup
	bodies := []string{vitor, `{"token":"` + recToken + `"}`, `{"token":"abc"}`, `{}`}
	for i := range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			path := []string{"/auth/obtain_token/", "/auth/refresh_token/", "/auth/verify_token/"}[i%3]
			r := do(t, "POST", srv.URL+path, ctJSON, bodies[i%len(bodies)])
			if r.status >= 500 {
				t.Errorf("%s: %d %s", path, r.status, r.body)
			}
			if r := do(t, "GET", srv.URL+"/hello/", "", "", "Authorization", "JWT "+recToken); r.status != 200 {
				t.Errorf("hello under load: %d %s", r.status, r.body)
			}
		}()
	}
	wg.Wait()

	// Accounts down: 503 with Retry-After everywhere, the cause logged.
	users.fail.Store(true)
	for _, c := range []struct{ method, path, body, auth string }{
		{"POST", "/auth/obtain_token/", vitor, ""},
		{"POST", "/auth/verify_token/", `{"token":"` + recToken + `"}`, ""},
		{"POST", "/auth/refresh_token/", `{"token":"` + recToken + `"}`, ""},
		{"GET", "/hello/", "", "JWT " + recToken},
	} {
		var header []string
		if c.auth != "" {
			header = []string{"Authorization", c.auth}
		}
		r := do(t, c.method, srv.URL+c.path, ctJSON, c.body, header...)
		if r.status != http.StatusServiceUnavailable || r.header.Get("Retry-After") != "1" ||
			r.body != `{"detail":"Service temporarily unavailable, try again later."}` {
			t.Errorf("%s with accounts down: %d %s", c.path, r.status, r.body)
		}
	}
	if !strings.Contains(logs.String(), "database is down") {
		t.Errorf("the cause of the 503 is not logged:\n%s", logs.String())
	}
	for _, secret := range []string{recToken, "hunter2-secret", strings.Split(recToken, ".")[2]} {
		if strings.Contains(logs.String(), secret) {
			t.Fatalf("a secret in the logs:\n%s", logs.String())
		}
	}
}

// The Guard's other refusals through the profile's error handler: a
// policy's denial of an authenticated request is DRF's 403 without a
// challenge.
func TestForbidden(t *testing.T) {
	clk := &clock{}
	clk.set(at(16, 1, 44))
	p := newProfile(t, newAccounts(), clk)
	guard, err := p.Guard()
	must(t, err)
	h := guard.Require(jwtguard.IsAdmin())(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	req := newPost("")
	req.Header.Set("Authorization", "JWT "+recToken)
	r := serve(h, req)
	if r.status != 403 || r.body != `{"detail":"You do not have permission to perform this action."}` || r.header.Get("WWW-Authenticate") != "" {
		t.Fatalf("%d %s %q", r.status, r.body, r.header.Get("WWW-Authenticate"))
	}
}
