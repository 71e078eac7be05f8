package jwtguard_test

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/jwtguard/jwtguard"
)

// note is an object a handler loads: its owner and whether it is private.
type note struct {
	owner   string
	private bool
}

// Object policies through a real server: DRF's IsOwnerOrReadOnly, a hidden
// object (404 to anyone but its owner), composed with a request policy,
// and the answers DRF gives: 401 anonymous, 403 authenticated, 404 hidden.
func TestObjectPolicies(t *testing.T) {
	guard, err := jwtguard.NewGuard(verifierFor(t))
	must(t, err)
	notes := map[string]note{"1": {owner: "alice"}, "2": {owner: "alice", private: true}}
	owner := func(n note) string { return n.owner }
	policy := jwtguard.AllObjects(
		jwtguard.Hidden(jwtguard.AnyObject(
			jwtguard.AllowObject(func(_ *http.Request, _ *jwtguard.Token, n note) bool { return !n.private }),
			jwtguard.IsOwner(owner),
			jwtguard.ObjectFromRequest[note](jwtguard.IsAdmin()),
		)),
		jwtguard.AnyObject(jwtguard.IsOwnerOrReadOnly(owner), jwtguard.ObjectFromRequest[note](jwtguard.IsAdmin())),
	)
	mux := http.NewServeMux()
	mux.Handle("/notes/{id}", guard.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, ok := notes[r.PathValue("id")]
		if !ok {
			http.NotFound(w, r)
			return
		}
		p := policy
		if r.URL.Query().Has("nil") {
			p = nil
		}
		if jwtguard.AuthorizeObject(guard, w, r, p, n) {
			w.Write([]byte("ok"))
		}
	})))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	token := func(sub string, staff bool) string {
		return signRaw(t, "HS256", `{"alg":"HS256"}`, `{"token_type":"access","jti":"j","exp":`+strconv.FormatInt(future, 10)+
			`,"sub":"`+sub+`","is_staff":`+strconv.FormatBool(staff)+`}`)
	}
	alice, bob, admin := token("alice", false), token("bob", false), token("root", true)
	const (
		forbidden   = `{"detail":"You do not have permission to perform this action."}`
		notProvided = `{"detail":"Authentication credentials were not provided."}`
		notFound    = `{"detail":"Not found."}`
	)
	for _, c := range []struct {
		name, method, id, token string
		status                  int
		body                    string
	}{
		{"anyone reads a public note", "GET", "1", "", 200, "ok"},
		{"another user reads a public note", "GET", "1", bob, 200, "ok"},
		{"the owner changes it", "PATCH", "1", alice, 200, "ok"},
		{"another user may not", "PATCH", "1", bob, 403, forbidden},
		{"nor delete it", "DELETE", "1", bob, 403, forbidden},
		{"anonymous may not: 401", "DELETE", "1", "", 401, notProvided},
		{"an admin may", "DELETE", "1", admin, 200, "ok"},
		{"a private note is hidden from another user", "GET", "2", bob, 404, notFound},
		{"and from anonymous", "PATCH", "2", "", 404, notFound},
		{"the owner reads it", "GET", "2", alice, 200, "ok"},
		{"an admin reads it", "GET", "2", admin, 200, "ok"},
		{"a nil policy denies", "GET", "1?nil", alice, 403, forbidden},
	} {
		req, err := http.NewRequest(c.method, srv.URL+"/notes/"+c.id, nil)
		must(t, err)
		if c.token != "" {
			req.Header.Set("Authorization", "Bearer "+c.token)
		}
		r := do(t, req)
		if r.status != c.status || r.body != c.body {
			t.Errorf("%s: %d %s, want %d %s", c.name, r.status, r.body, c.status, c.body)
		}
		if c.status == 401 && r.header.Get("WWW-Authenticate") != `Bearer realm="api"` {
			t.Errorf("%s: challenge %q", c.name, r.header.Get("WWW-Authenticate"))
		}
		if c.status != 401 && r.header.Get("WWW-Authenticate") != "" {
			t.Errorf("%s: a %d with a challenge %q", c.name, c.status, r.header.Get("WWW-Authenticate"))
		}
	}
	if got := jwtguard.StatusCode(jwtguard.ErrNotFound); got != 404 {
		t.Errorf("StatusCode(ErrNotFound) = %d", got)
	}
}
