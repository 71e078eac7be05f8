package jwtguard_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard"
)

// slidingApp serves the sliding-token endpoints, the pair endpoints'
// blacklist, and GET /hello/ behind a Guard of sliding tokens that checks
// revocation on every request.
func slidingApp(t *testing.T) (*httptest.Server, *testClock) {
	t.Helper()
	clock := newTestClock()
	iss, _ := newIssuer(t, clock, jwtguard.WithAccessRevocation(0))
	e, err := jwtguard.NewEndpoints(iss, testUsers)
	must(t, err)
	v, err := iss.Verifier(jwtguard.WithTokenType("sliding"))
	must(t, err)
	g, err := jwtguard.NewGuard(v)
	must(t, err)
	mux := http.NewServeMux()
	e.RegisterSliding(mux, "/api/sliding/")
	mux.Handle("/api/token/blacklist/", e.Blacklist())
	mux.Handle("/hello/", g.Require(jwtguard.IsAuthenticated())(http.HandlerFunc(
		func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("hello")) })))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv, clock
}

func slidingToken(t *testing.T, r reply) string {
	t.Helper()
	var body struct{ Token string }
	if r.status != 200 || json.Unmarshal([]byte(r.body), &body) != nil || body.Token == "" {
		t.Fatalf("want a sliding token, got %d %s", r.status, r.body)
	}
	return body.Token
}

func helloWith(t *testing.T, srv *httptest.Server, token string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, srv.URL+"/hello/", nil)
	must(t, err)
	req.Header.Set("Authorization", "Bearer "+token)
	return do(t, req).status
}

// Logout ends a sliding session through the endpoints: the sliding
// blacklist/ with {"token"}, and the pair blacklist/ with {"refresh"}.
func TestSlidingLogout(t *testing.T) {
	for _, c := range []struct{ name, path, field string }{
		{"sliding blacklist/", "/api/sliding/blacklist/", "token"},
		{"pair blacklist/", "/api/token/blacklist/", "refresh"},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv, _ := slidingApp(t)
			tok := slidingToken(t, postJSON(t, srv.URL+"/api/sliding/", map[string]string{"username": "vitor", "password": "123"}))
			if s := helloWith(t, srv, tok); s != 200 {
				t.Fatalf("before logout: %d", s)
			}
			checkReply(t, "logout", postJSON(t, srv.URL+c.path, map[string]string{c.field: tok}), 200, `{}`)
			checkReply(t, "renewal after logout", postJSON(t, srv.URL+"/api/sliding/refresh/", map[string]string{"token": tok}), 401, bodyBlacklisted)
			if s := helloWith(t, srv, tok); s != 401 {
				t.Errorf("the sliding token after logout: %d, want 401", s)
			}
			checkReply(t, "logout again", postJSON(t, srv.URL+c.path, map[string]string{c.field: tok}), 401, bodyBlacklisted)
		})
	}
}

// A renewed sliding token never renews again: within the grace window a
// duplicate (the session kept), past it a theft (the session ended). It
// still authenticates until its exp, as an access token after a refresh.
func TestSlidingOldTokenDoesNotRenew(t *testing.T) {
	srv, clock := slidingApp(t)
	renew := func(tok string) reply {
		return postJSON(t, srv.URL+"/api/sliding/refresh/", map[string]string{"token": tok})
	}
	t1 := slidingToken(t, postJSON(t, srv.URL+"/api/sliding/", map[string]string{"username": "vitor", "password": "123"}))
	clock.Add(time.Minute)
	t2 := slidingToken(t, renew(t1))
	checkReply(t, "the old token within the window", renew(t1), 401, bodyBlacklisted)
	if s := helloWith(t, srv, t1); s != 200 {
		t.Errorf("the old token authenticates until its exp: %d", s)
	}
	clock.Add(time.Minute)
	t3 := slidingToken(t, renew(t2))
	clock.Add(jwtguard.DefaultReuseGrace + time.Second)
	checkReply(t, "the old token past the window", renew(t2), 401, bodyBlacklisted)
	checkReply(t, "the session after a theft", renew(t3), 401, bodyBlacklisted)
	if s := helloWith(t, srv, t3); s != 401 {
		t.Errorf("the newest token after a theft: %d, want 401", s)
	}
}
