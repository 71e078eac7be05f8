package jwtguard_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard"
)

// activeUsers is a UserLookup whose users an application activates and
// deactivates.
type activeUsers struct {
	mu     sync.Mutex
	active map[string]bool
}

func (u *activeUsers) LookupUser(_ context.Context, id string) (bool, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	active, ok := u.active[id]
	if !ok {
		return false, jwtguard.ErrUserNotFound
	}
	return active, nil
}

func (u *activeUsers) set(id string, active bool) {
	u.mu.Lock()
	u.active[id] = active
	u.mu.Unlock()
}

// A user's change takes effect at once when the application says so:
// activated after the cache remembered "inactive", deactivated after it
// remembered "active", through the Guard and through refresh, on a clock
// that does not move, so no cache entry expires by itself.
func TestUserChangedTakesEffectAtOnce(t *testing.T) {
	ctx := context.Background()
	users := &activeUsers{active: map[string]bool{"2": false}}
	iss, _ := newIssuer(t, newTestClock(), jwtguard.WithUserLookup(users, time.Hour))
	v, err := iss.Verifier()
	must(t, err)
	g, err := jwtguard.NewGuard(v)
	must(t, err)
	srv := httptest.NewServer(g.Require(jwtguard.IsAuthenticated())(http.HandlerFunc(
		func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("hello")) })))
	t.Cleanup(srv.Close)
	hello := func(access string) reply {
		req, err := http.NewRequest(http.MethodGet, srv.URL, nil)
		must(t, err)
		req.Header.Set("Authorization", "Bearer "+access)
		return do(t, req)
	}
	p, err := iss.Issue(ctx, "2") // say, the tutorial's confirmation token
	must(t, err)
	if r := hello(p.Access); r.status != 401 || r.body != `{"detail":"User is inactive","code":"user_inactive"}` {
		t.Fatalf("before activation: %d %s", r.status, r.body)
	}
	users.set("2", true)
	iss.UserChanged("2")
	if r := hello(p.Access); r.status != 200 {
		t.Fatalf("at once after activation: %d %s", r.status, r.body)
	}
	p, err = iss.Refresh(ctx, p.Refresh)
	must(t, err)
	users.set("2", false)
	iss.UserChanged("2")
	if r := hello(p.Access); r.status != 401 || r.body != `{"detail":"User is inactive","code":"user_inactive"}` {
		t.Errorf("at once after deactivation: %d %s", r.status, r.body)
	}
	if _, err := iss.Refresh(ctx, p.Refresh); err == nil {
		t.Error("a deactivated user refreshed")
	}
}

// A verifier of the application's own, with WithUserCheck, forgets too.
func TestVerifierUserChanged(t *testing.T) {
	ctx := context.Background()
	users := &activeUsers{active: map[string]bool{"alice": true}}
	v := verifierFor(t, jwtguard.WithUserCheck(users, time.Hour))
	raw := signRaw(t, "HS256", `{"alg":"HS256"}`, `{"token_type":"access","jti":"j","exp":`+jsonInt(future)+`,"sub":"alice"}`)
	if _, err := v.Verify(ctx, raw); err != nil {
		t.Fatal(err)
	}
	users.set("alice", false)
	if _, err := v.Verify(ctx, raw); err != nil {
		t.Fatalf("the cached answer should still hold: %v", err)
	}
	v.UserChanged("alice")
	if _, err := v.Verify(ctx, raw); err == nil {
		t.Fatal("a deactivated user passed after UserChanged")
	}
}
