package jwtguard_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard"
)

// person is an application's user, as its database holds it.
type person struct {
	ID     string
	Name   string
	Active bool
}

// people is a user table that counts the queries made to it.
type people struct {
	mu      sync.Mutex
	rows    map[string]person
	queries atomic.Int64
	fail    error
}

func (p *people) load(_ context.Context, id string) (*person, bool, error) {
	p.queries.Add(1)
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.fail != nil {
		return nil, false, p.fail
	}
	row, ok := p.rows[id]
	if !ok {
		return nil, false, jwtguard.ErrUserNotFound
	}
	return &row, row.Active, nil
}

func (p *people) rename(id, name string) {
	p.mu.Lock()
	row := p.rows[id]
	row.Name = name
	p.rows[id] = row
	p.mu.Unlock()
}

// helloServer answers with the name of the request's user, as the tasks
// example's /hello/ does, from the context only.
func helloServer(t testing.TB, v *jwtguard.Verifier) *httptest.Server {
	t.Helper()
	g, err := jwtguard.NewGuard(v)
	must(t, err)
	srv := httptest.NewServer(g.Require(jwtguard.IsAuthenticated())(http.HandlerFunc(
		func(w http.ResponseWriter, r *http.Request) {
			u, ok := jwtguard.UserFromRequest[*person](r)
			if !ok {
				http.Error(w, "no user in the context", http.StatusInternalServerError)
				return
			}
			fmt.Fprintf(w, "hello %s", u.Name)
		})))
	t.Cleanup(srv.Close)
	return srv
}

func getWith(t testing.TB, url, access string) reply {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	must(t, err)
	req.Header.Set("Authorization", "Bearer "+access)
	return do(t, req)
}

// The user the check loaded reaches the handler: ten requests, one query,
// and the handler makes none.
func TestUserFromContextNoSecondQuery(t *testing.T) {
	db := &people{rows: map[string]person{"7": {ID: "7", Name: "ada", Active: true}}}
	iss, _ := newIssuer(t, newTestClock(), jwtguard.WithUserLookup(jwtguard.UserLoaderFunc[*person](db.load), time.Minute))
	v, err := iss.Verifier()
	must(t, err)
	srv := helloServer(t, v)
	p, err := iss.Issue(context.Background(), "7")
	must(t, err)
	for i := range 10 {
		if r := getWith(t, srv.URL, p.Access); r.status != 200 || r.body != "hello ada" {
			t.Fatalf("request %d: %d %s", i, r.status, r.body)
		}
	}
	if n := db.queries.Load(); n != 1 {
		t.Errorf("%d queries for 10 requests of one user within maxStale, want 1", n)
	}
}

// The refusals are the check's, whether or not the lookup loads a user:
// 401 for a user gone or inactive, 503 for a database that fails, and no
// internal error in the body.
func TestUserLoaderRefusals(t *testing.T) {
	db := &people{rows: map[string]person{"1": {ID: "1", Name: "off", Active: false}}}
	iss, _ := newIssuer(t, newTestClock(), jwtguard.WithUserLookup(jwtguard.UserLoaderFunc[*person](db.load), 0))
	v, err := iss.Verifier()
	must(t, err)
	srv := helloServer(t, v)
	ctx := context.Background()
	inactive, err := iss.Issue(ctx, "1")
	must(t, err)
	gone, err := iss.Issue(ctx, "2")
	must(t, err)
	if r := getWith(t, srv.URL, inactive.Access); r.status != 401 || r.body != `{"detail":"User is inactive","code":"user_inactive"}` {
		t.Errorf("inactive: %d %s", r.status, r.body)
	}
	if r := getWith(t, srv.URL, gone.Access); r.status != 401 || r.body != `{"detail":"User not found","code":"user_not_found"}` {
		t.Errorf("gone: %d %s", r.status, r.body)
	}
	db.mu.Lock()
	db.fail = errors.New("database is locked: secret detail")
	db.mu.Unlock()
	r := getWith(t, srv.URL, inactive.Access)
	if r.status != 503 || strings.Contains(r.body, "secret detail") {
		t.Errorf("failing database: %d %s", r.status, r.body)
	}
}

// The user in the context is as stale as the check's answer may be, no
// more: a renamed user shows under the new name once maxStale passed, and
// at once after UserChanged. On a frozen clock first.
func TestUserFromContextStaleness(t *testing.T) {
	db := &people{rows: map[string]person{"7": {ID: "7", Name: "ada", Active: true}}}
	clock := newTestClock()
	iss, _ := newIssuer(t, clock, jwtguard.WithUserLookup(jwtguard.UserLoaderFunc[*person](db.load), time.Minute))
	v, err := iss.Verifier()
	must(t, err)
	srv := helloServer(t, v)
	p, err := iss.Issue(context.Background(), "7")
	must(t, err)
	hello := func() string { return getWith(t, srv.URL, p.Access).body }
	if got := hello(); got != "hello ada" {
		t.Fatal(got)
	}
	db.rename("7", "grace")
	if got := hello(); got != "hello ada" {
		t.Errorf("within maxStale: %q, want the cached user", got)
	}
	clock.Add(time.Minute + time.Second)
	if got := hello(); got != "hello grace" {
		t.Errorf("past maxStale: %q", got)
	}
	db.rename("7", "hopper")
	iss.UserChanged("7")
	if got := hello(); got != "hello hopper" {
		t.Errorf("after UserChanged: %q", got)
	}
}

// The same bound on the real clock: once maxStale has passed since the
// rename, every request sees the new name.
func TestUserFromContextStalenessRealClock(t *testing.T) {
	const maxStale = 100 * time.Millisecond
	db := &people{rows: map[string]person{"7": {ID: "7", Name: "ada", Active: true}}}
	key, err := jwtguard.NewSigningKey("", keysForTest.secret, jwtguard.HS256)
	must(t, err)
	iss, err := jwtguard.NewIssuer(key, jwtguard.NewMemoryStore(),
		jwtguard.WithUserLookup(jwtguard.UserLoaderFunc[*person](db.load), maxStale))
	must(t, err)
	v, err := iss.Verifier()
	must(t, err)
	srv := helloServer(t, v)
	p, err := iss.Issue(context.Background(), "7")
	must(t, err)
	if r := getWith(t, srv.URL, p.Access); r.body != "hello ada" {
		t.Fatal(r.status, r.body)
	}
	db.rename("7", "grace")
	time.Sleep(maxStale + 10*time.Millisecond)
	for range 3 {
		if r := getWith(t, srv.URL, p.Access); r.body != "hello grace" {
			t.Fatalf("%v after the rename: %d %s", maxStale, r.status, r.body)
		}
	}
}

// A token found in the verified-token cache carries the user of its own
// subject, also under concurrent requests of several users; the user of
// one request never shows in another's.
func TestUserFromContextCachedTokens(t *testing.T) {
	db := &people{rows: map[string]person{}}
	for i := range 4 {
		id := fmt.Sprint(i + 1)
		db.rows[id] = person{ID: id, Name: "user" + id, Active: true}
	}
	iss, _ := newIssuer(t, newTestClock(), jwtguard.WithUserLookup(jwtguard.UserLoaderFunc[*person](db.load), time.Minute))
	v, err := iss.Verifier()
	must(t, err)
	srv := helloServer(t, v)
	var wg sync.WaitGroup
	errs := make(chan error, 4*20)
	for i := range 4 {
		id := fmt.Sprint(i + 1)
		p, err := iss.Issue(context.Background(), id)
		must(t, err)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 20 {
				req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
				req.Header.Set("Authorization", "Bearer "+p.Access)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					errs <- err
					return
				}
				var b [64]byte
				n, _ := resp.Body.Read(b[:])
				resp.Body.Close()
				if got := string(b[:n]); got != "hello user"+id {
					errs <- fmt.Errorf("user %s's request got %q", id, got)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// Only a loader of the type asked for answers: a plain UserLookup, another
// type, an anonymous request and a nil token report false.
func TestUserFromContextAbsent(t *testing.T) {
	db := &people{rows: map[string]person{"7": {ID: "7", Name: "ada", Active: true}}}
	plain := jwtguard.UserLookupFunc(func(ctx context.Context, id string) (bool, error) { return true, nil })
	for _, tc := range []struct {
		name  string
		users jwtguard.UserLookup
	}{
		{"plain lookup", plain},
		{"loader of another type", jwtguard.UserLoaderFunc[person](func(ctx context.Context, id string) (person, bool, error) {
			u, active, err := db.load(ctx, id)
			return *u, active, err
		})},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := verifierFor(t, jwtguard.WithUserCheck(tc.users, time.Minute), jwtguard.WithTokenType(""))
			tok, err := verify(t, v, signRaw(t, "HS256", `{"alg":"HS256"}`, fmt.Sprintf(`{"sub":"7","exp":%d}`, future)))
			must(t, err)
			if u, ok := jwtguard.UserOf[*person](tok); ok || u != nil {
				t.Errorf("UserOf[*person] = %v, %v", u, ok)
			}
		})
	}
	if _, ok := jwtguard.UserOf[*person](nil); ok {
		t.Error("a nil token has a user")
	}
	if _, ok := jwtguard.UserFromContext[*person](context.Background()); ok {
		t.Error("an anonymous request has a user")
	}
}
