package django_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/jwtguard/jwtguard/interop/internal/django"
)

// TestServer checks each helper against the running project, and that the
// project answers as the recorded contract says.
func TestServer(t *testing.T) {
	srv := django.Start(t, "harness-test-secret")
	if !strings.HasPrefix(srv.URL, "http://127.0.0.1:") || strings.HasSuffix(srv.URL, "/") {
		t.Errorf("URL = %q, want http://127.0.0.1:<port>", srv.URL)
	}

	access, refresh := srv.Obtain(t, django.Username, django.Password)

	const (
		invalid     = `{"detail":"Token is invalid or expired","code":"token_not_valid"}`
		blacklisted = `{"detail":"Token is blacklisted","code":"token_not_valid"}`
		wrongType   = `{"detail":"Token has wrong type","code":"token_not_valid"}`
		noAccount   = `{"detail":"No active account found with the given credentials"}`
	)

	t.Run("hello", func(t *testing.T) {
		expect(t, "Hello(access)", 200, `{"message":"Hello, vitor"}`)(srv.Hello(t, access))
		expect(t, "Hello(none)", 401, `{"detail":"Authentication credentials were not provided."}`)(srv.Hello(t, ""))
		expect(t, "Hello(refresh)", 401, `{"detail":"Given token not valid for any token type","code":"token_not_valid","messages":[{"token_class":"AccessToken","token_type":"access","message":"Token has wrong type"}]}`)(srv.Hello(t, refresh))
	})

	t.Run("login refusals", func(t *testing.T) {
		for _, c := range []struct{ user, pass string }{
			{django.Username, "wrong"},
			{"nobody", django.Password},
			{django.InactiveUsername, django.InactivePassword},
		} {
			r := srv.Login(t, c.user, c.pass)
			check(t, "Login("+c.user+")", r.Status, r.Body, 401, noAccount)
			if got := r.Header.Get("WWW-Authenticate"); got != `Bearer realm="api"` {
				t.Errorf("Login(%s): WWW-Authenticate = %q", c.user, got)
			}
		}
	})

	t.Run("verify", func(t *testing.T) {
		expect(t, "Verify(access)", 200, `{}`)(srv.Verify(t, access))
		expect(t, "Verify(refresh)", 200, `{}`)(srv.Verify(t, refresh))
		expect(t, "Verify(garbage)", 401, invalid)(srv.Verify(t, "garbage"))
	})

	t.Run("refresh rotates and blacklists", func(t *testing.T) {
		_, old := srv.Obtain(t, django.Username, django.Password)
		status, body := srv.Refresh(t, old)
		var pair map[string]string
		if status != 200 || json.Unmarshal([]byte(body), &pair) != nil || pair["access"] == "" || pair["refresh"] == "" {
			t.Fatalf("Refresh = %d %s, want 200 with access and refresh", status, body)
		}
		if pair["refresh"] == old {
			t.Error("Refresh returned the same refresh token")
		}
		expect(t, "Refresh(old again)", 401, blacklisted)(srv.Refresh(t, old))
		expect(t, "Verify(old)", 400, `{"non_field_errors":["Token is blacklisted"]}`)(srv.Verify(t, old))
		expect(t, "Refresh(access)", 401, wrongType)(srv.Refresh(t, pair["access"]))

		newAccess, newRefresh := srv.RefreshPair(t, pair["refresh"])
		expect(t, "Hello(refreshed access)", 200, `{"message":"Hello, vitor"}`)(srv.Hello(t, newAccess))
		if newRefresh == pair["refresh"] {
			t.Error("RefreshPair returned the same refresh token")
		}
	})

	t.Run("blacklist", func(t *testing.T) {
		_, r := srv.Obtain(t, django.Username, django.Password)
		expect(t, "Blacklist", 200, `{}`)(srv.Blacklist(t, r))
		expect(t, "Blacklist(again)", 401, blacklisted)(srv.Blacklist(t, r))
		expect(t, "Refresh(blacklisted)", 401, blacklisted)(srv.Refresh(t, r))
		expect(t, "Blacklist(access)", 401, wrongType)(srv.Blacklist(t, access))
	})

	t.Run("raw requests", func(t *testing.T) {
		r := srv.PostJSON(t, "/api/token", map[string]string{"username": django.Username, "password": django.Password})
		if r.Status != http.StatusMovedPermanently || r.Header.Get("Location") != "/api/token/" {
			t.Errorf("POST /api/token = %d Location %q, want 301 to /api/token/", r.Status, r.Header.Get("Location"))
		}
		r = srv.Get(t, "/api/token/", "")
		check(t, "GET /api/token/", r.Status, r.Body, 405, `{"detail":"Method \"GET\" not allowed."}`)
		if ct := r.Header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("Content-Type = %q, want application/json", ct)
		}
	})

	if logs := srv.Logs(); !strings.Contains(logs, `"POST /api/token/ HTTP/1.1" 200`) {
		t.Errorf("Logs() lacks the request lines:\n%s", logs)
	}
}

// TestServersAreIndependent starts two servers with different secrets: each
// has its own port and database, and refuses the other's tokens.
func TestServersAreIndependent(t *testing.T) {
	a := django.Start(t, "secret-a")
	b := django.Start(t, "secret-b")
	if a.URL == b.URL {
		t.Fatalf("both servers on %s", a.URL)
	}
	accessA, refreshA := a.Obtain(t, django.Username, django.Password)
	if status, _ := a.Hello(t, accessA); status != 200 {
		t.Errorf("server A refuses its own token: %d", status)
	}
	if status, body := b.Hello(t, accessA); status != 401 || !strings.Contains(body, "Token is invalid or expired") {
		t.Errorf("server B on A's token = %d %s, want 401 invalid", status, body)
	}
	// Blacklisting on A leaves B's database alone: B still says the
	// signature is wrong, not that the token is blacklisted.
	if status, _ := a.Blacklist(t, refreshA); status != 200 {
		t.Fatalf("Blacklist on A = %d", status)
	}
	if status, body := b.Refresh(t, refreshA); status != 401 || !strings.Contains(body, "Token is invalid or expired") {
		t.Errorf("server B refreshing A's token = %d %s, want 401 invalid", status, body)
	}
}

// expect returns a check of a (status, body) pair, for the helpers that
// return one: expect(t, "Hello", 200, body)(srv.Hello(t, access)).
func expect(t *testing.T, what string, wantStatus int, wantBody string) func(int, string) {
	t.Helper()
	return func(status int, body string) {
		t.Helper()
		check(t, what, status, body, wantStatus, wantBody)
	}
}

func check(t *testing.T, what string, status int, body string, wantStatus int, wantBody string) {
	t.Helper()
	if status != wantStatus || body != wantBody {
		t.Errorf("%s = %d %s\nwant %d %s", what, status, body, wantStatus, wantBody)
	}
}
