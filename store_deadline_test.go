package jwtguard_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard"
)

// hungStore is a MemoryStore behind a switch: while hung, every call waits
// until its context is done or the hang ends, as a call to a database
// whose processes are stopped does.
type hungStore struct {
	jwtguard.Store
	release chan struct{} // closed when the hang ends
}

func (s *hungStore) wait(ctx context.Context) error {
	select {
	case <-s.release:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (s *hungStore) Spend(ctx context.Context, r jwtguard.Record) error {
	if err := s.wait(ctx); err != nil {
		return err
	}
	return s.Store.Spend(ctx, r)
}

func (s *hungStore) Check(ctx context.Context, r jwtguard.Record) error {
	if err := s.wait(ctx); err != nil {
		return err
	}
	return s.Store.Check(ctx, r)
}

func (s *hungStore) LookupUser(ctx context.Context, _ string) (bool, error) {
	return true, s.wait(ctx)
}

// hangLimit is how long the hung store hangs at most: long past any
// bound under test, so that a request without a bound waits it out and
// gets a 200 instead of a 503.
const hangLimit = 10 * time.Second

func newHungStore(t *testing.T) *hungStore {
	s := &hungStore{Store: jwtguard.NewMemoryStore(), release: make(chan struct{})}
	timer := time.AfterFunc(hangLimit, func() { close(s.release) })
	t.Cleanup(func() {
		if timer.Stop() {
			close(s.release)
		}
	})
	return s
}

// TestStoreTimeout: with the store hung, a refresh, a logout and a guarded
// request are answered 503 with Retry-After once the store timeout passes,
// not when the store wakes up; the same for a hung user lookup.
func TestStoreTimeout(t *testing.T) {
	for _, hang := range []string{"store", "user lookup"} {
		t.Run(hang, func(t *testing.T) {
			key, err := jwtguard.NewSigningKey("", keysForTest.secret, jwtguard.HS256)
			must(t, err)
			hung := newHungStore(t)
			var store jwtguard.Store = hung
			var users jwtguard.UserLookup = hung
			if hang == "store" {
				users = jwtguard.UserLookupFunc(func(context.Context, string) (bool, error) { return true, nil })
			} else {
				store = jwtguard.NewMemoryStore()
			}
			timeout := 200 * time.Millisecond
			iss, err := jwtguard.NewIssuer(key, store, jwtguard.WithStoreTimeout(timeout),
				jwtguard.WithAccessRevocation(0), jwtguard.WithUserLookup(users, 0))
			must(t, err)
			pair, err := iss.Issue(context.Background(), "1")
			must(t, err)
			srv := guardedTokenServer(t, iss)

			start := time.Now()
			r := postJSON(t, srv.URL+"/api/token/refresh/", map[string]string{"refresh": pair.Refresh})
			expectUnavailable(t, "refresh", r, start)

			req, err := http.NewRequest(http.MethodGet, srv.URL+"/hello/", nil)
			must(t, err)
			req.Header.Set("Authorization", "Bearer "+pair.Access)
			start = time.Now()
			expectUnavailable(t, "guarded request", do(t, req), start)
		})
	}
}

// guardedTokenServer serves the token endpoints of iss and /hello/ behind
// a Guard with the issuer's verifier.
func guardedTokenServer(t *testing.T, iss *jwtguard.Issuer) *httptest.Server {
	t.Helper()
	e, err := jwtguard.NewEndpoints(iss, testUsers)
	must(t, err)
	v, err := iss.Verifier()
	must(t, err)
	g, err := jwtguard.NewGuard(v)
	must(t, err)
	mux := http.NewServeMux()
	e.Register(mux, "/api/token/")
	mux.Handle("GET /hello/", g.Require(jwtguard.IsAuthenticated())(http.HandlerFunc(
		func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "ok") })))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// expectUnavailable checks a 503 with Retry-After and the unavailable
// body, answered before the hung store woke up.
func expectUnavailable(t *testing.T, what string, r reply, start time.Time) {
	t.Helper()
	if took := time.Since(start); took >= hangLimit {
		t.Errorf("%s took %v: it waited for the hung store", what, took)
	}
	if r.status != http.StatusServiceUnavailable || r.header.Get("Retry-After") != "1" ||
		!strings.Contains(r.body, `"code":"service_unavailable"`) {
		t.Errorf("%s with the store hung: %d Retry-After %q %s, want 503 with Retry-After 1",
			what, r.status, r.header.Get("Retry-After"), r.body)
	}
}

// TestStoreTimeoutOption: the bound must be positive and at most a minute.
func TestStoreTimeoutOption(t *testing.T) {
	key, err := jwtguard.NewSigningKey("", keysForTest.secret, jwtguard.HS256)
	must(t, err)
	for _, d := range []time.Duration{0, -time.Second, time.Minute + 1} {
		if _, err := jwtguard.NewIssuer(key, jwtguard.NewMemoryStore(), jwtguard.WithStoreTimeout(d)); err == nil {
			t.Errorf("WithStoreTimeout(%v) accepted", d)
		}
	}
	if _, err := jwtguard.NewIssuer(key, jwtguard.NewMemoryStore(), jwtguard.WithStoreTimeout(time.Minute)); err != nil {
		t.Errorf("WithStoreTimeout(1m): %v", err)
	}
}

// TestAuthenticatorTimeout: a sign-in whose user store hangs is answered
// 503 with Retry-After once the issuer's store timeout passes.
func TestAuthenticatorTimeout(t *testing.T) {
	key, err := jwtguard.NewSigningKey("", keysForTest.secret, jwtguard.HS256)
	must(t, err)
	iss, err := jwtguard.NewIssuer(key, jwtguard.NewMemoryStore(), jwtguard.WithStoreTimeout(200*time.Millisecond))
	must(t, err)
	hung := newHungStore(t)
	e, err := jwtguard.NewEndpoints(iss, jwtguard.AuthenticatorFunc(func(ctx context.Context, _, _ string) (string, bool, error) {
		if err := hung.wait(ctx); err != nil {
			return "", false, err
		}
		return "1", true, nil
	}))
	must(t, err)
	mux := http.NewServeMux()
	e.Register(mux, "/api/token/")
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	start := time.Now()
	r := postJSON(t, srv.URL+"/api/token/", map[string]string{"username": "vitor", "password": "123"})
	expectUnavailable(t, "sign-in", r, start)
}
