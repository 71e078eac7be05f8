package jwtguard_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard"
)

// recorder is an Observer (and a SpanObserver) that keeps every event.
type recorder struct {
	mu     sync.Mutex
	events []jwtguard.Event
	begun  map[jwtguard.EventKind]int
}

type spanKey struct{}

func (rec *recorder) Begin(ctx context.Context, k jwtguard.EventKind) context.Context {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if rec.begun == nil {
		rec.begun = map[jwtguard.EventKind]int{}
	}
	rec.begun[k]++
	return context.WithValue(ctx, spanKey{}, k)
}

func (rec *recorder) Observe(ctx context.Context, e jwtguard.Event) {
	if e.Kind == jwtguard.EventStoreCall && ctx.Value(spanKey{}) != jwtguard.EventStoreCall {
		panic("a store call observed outside the context its Begin returned")
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	rec.events = append(rec.events, e)
}

// take returns the events so far and forgets them.
func (rec *recorder) take() []jwtguard.Event {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	ev := rec.events
	rec.events = nil
	return ev
}

// brief is what a test asserts of an event.
func brief(e jwtguard.Event) string {
	s := fmt.Sprintf("%d/%s", e.Kind, e.Outcome)
	if e.Name != "" {
		s += "/" + e.Name
	}
	if e.Status != 0 {
		s += fmt.Sprintf("/%d", e.Status)
	}
	if e.Refusal != "" {
		s += "/" + e.Refusal
	}
	if e.Cached {
		s += "/cached"
	}
	return s
}

func briefs(ev []jwtguard.Event) []string {
	out := make([]string, len(ev))
	for i, e := range ev {
		out[i] = brief(e)
	}
	return out
}

// Real requests through httptest, and the exact events each one gives;
// no event holds a token, a subject, a password or a kid.
func TestObserverEvents(t *testing.T) {
	const (
		subject  = "user-7f3a9c"
		username = "alice-observed"
		password = "correct horse battery"
		kid      = "kid-observed-4d2e"
	)
	rec := &recorder{}
	obs := jwtguard.WithObserver(rec)
	clock := newTestClock()
	key, err := jwtguard.NewSigningKey(kid, keysForTest.secret, jwtguard.HS256)
	must(t, err)
	store := jwtguard.NewMemoryStore(jwtguard.WithClock(clock.Now))
	iss, err := jwtguard.NewIssuer(key, store, jwtguard.WithClock(clock.Now), obs, jwtguard.WithAccessRevocation(time.Minute))
	must(t, err)
	throttle, err := jwtguard.NewLoginThrottle(jwtguard.WithClock(clock.Now), obs, jwtguard.WithPerClient(3, time.Hour))
	must(t, err)
	auth := jwtguard.AuthenticatorFunc(func(_ context.Context, u, p string) (string, bool, error) {
		if u == username && p == password {
			return subject, true, nil
		}
		return "", false, jwtguard.ErrInvalidCredentials
	})
	ep, err := jwtguard.NewEndpoints(iss, auth, obs, jwtguard.WithLoginThrottle(throttle))
	must(t, err)
	v, err := iss.Verifier(jwtguard.WithCache(1, 1<<20, time.Hour))
	must(t, err)
	g, err := jwtguard.NewGuard(v, obs)
	must(t, err)
	mux := http.NewServeMux()
	ep.Register(mux, "/api/token/")
	mux.Handle("/admin", g.Require(jwtguard.IsAdmin())(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})))
	mux.Handle("/", g.Require(jwtguard.AllowAny())(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	var seen []string // every raw token handed out
	post := func(path string, form url.Values) (int, string) {
		t.Helper()
		resp, err := http.PostForm(srv.URL+path, form)
		must(t, err)
		defer resp.Body.Close()
		buf := make([]byte, 4096)
		n, _ := resp.Body.Read(buf)
		return resp.StatusCode, string(buf[:n])
	}
	get := func(path, tok string) int {
		t.Helper()
		req, err := http.NewRequest("GET", srv.URL+path, nil)
		must(t, err)
		if tok != "" {
			req.Header.Set("Authorization", "Bearer "+tok)
		}
		resp, err := http.DefaultClient.Do(req)
		must(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}
	field := func(body, name string) string {
		i := strings.Index(body, `"`+name+`":"`)
		if i < 0 {
			t.Fatalf("no %s in %s", name, body)
		}
		rest := body[i+len(name)+4:]
		tok := rest[:strings.IndexByte(rest, '"')]
		seen = append(seen, tok)
		return tok
	}
	var all []jwtguard.Event
	expect := func(step string, want ...string) {
		t.Helper()
		got := rec.take()
		all = append(all, got...)
		if strings.Join(briefs(got), " ") != strings.Join(want, " ") {
			t.Errorf("%s:\n got  %q\n want %q", step, briefs(got), want)
		}
	}
	D, C, E, S, R, V, SC, T := int(jwtguard.EventDecision), int(jwtguard.EventCacheEviction), int(jwtguard.EventEndpoint),
		int(jwtguard.EventSignIn), int(jwtguard.EventRefresh), int(jwtguard.EventRevocation), int(jwtguard.EventStoreCall), int(jwtguard.EventThrottled)
	f := fmt.Sprintf

	_, body := post("/api/token/", url.Values{"username": {username}, "password": {password}})
	access, refresh := field(body, "access"), field(body, "refresh")
	expect("sign-in", f("%d/succeeded", S), f("%d//token_obtain/200", E))

	post("/api/token/", url.Values{"username": {username}, "password": {"wrong"}})
	expect("failed sign-in", f("%d/failed", S), f("%d//token_obtain/401", E))

	get("/", "")
	expect("anonymous", f("%d/anonymous/authenticate", D), f("%d/anonymous/authorize", D))

	get("/", access)
	expect("accepted", f("%d//check", SC), f("%d/accepted/authenticate", D), f("%d/accepted/authorize", D))
	get("/", access)
	expect("cached", f("%d/accepted/authenticate/cached", D), f("%d/accepted/authorize", D))
	get("/admin", access)
	expect("policy refusal", f("%d/accepted/authenticate/cached", D), f("%d/refused/authorize/forbidden", D))
	get("/", "e30.e30.bad")
	expect("invalid token", f("%d/refused/authenticate/token_invalid", D))

	_, body = post("/api/token/refresh/", url.Values{"refresh": {refresh}})
	access2, refresh2 := field(body, "access"), field(body, "refresh")
	expect("rotation", f("%d//check", SC), f("%d//revoke", SC), f("%d//spend", SC), f("%d/rotated", R), f("%d//token_refresh/200", E))
	get("/", access2)
	expect("eviction", f("%d//check", SC), f("%d/", C), f("%d/accepted/authenticate", D), f("%d/accepted/authorize", D))

	post("/api/token/refresh/", url.Values{"refresh": {refresh}})
	expect("duplicate", f("%d//check", SC), f("%d//check", SC), f("%d/duplicate", R), f("%d//token_refresh/401/token_revoked", E))

	clock.Add(time.Minute) // past the grace window
	post("/api/token/refresh/", url.Values{"refresh": {refresh}})
	expect("reuse", f("%d//check", SC), f("%d//check", SC), f("%d//revoke_family", SC), f("%d//family", V), f("%d/reuse", R),
		f("%d//token_refresh/401/token_revoked", E))
	post("/api/token/blacklist/", url.Values{"refresh": {refresh2}})
	expect("logout of a revoked session", f("%d//check", SC), f("%d//token_blacklist/401/token_revoked", E))

	for range 2 {
		post("/api/token/", url.Values{"username": {username}, "password": {"wrong"}})
	}
	all = append(all, rec.take()...)
	post("/api/token/", url.Values{"username": {username}, "password": {password}})
	expect("throttled", f("%d//sign_in", T), f("%d/throttled", S), f("%d//token_obtain/429", E))

	// A store that cannot answer.
	down, err := jwtguard.NewIssuer(key, failingStore{store}, jwtguard.WithClock(clock.Now), obs)
	must(t, err)
	if _, err := down.Verify(context.Background(), access2); !errors.Is(err, jwtguard.ErrUnavailable) {
		t.Fatalf("a failing store: %v", err)
	}
	expect("store down", f("%d//check/unavailable", SC))

	if err := iss.RevokeSubject(context.Background(), subject); err != nil {
		t.Fatal(err)
	}
	expect("revoke subject", f("%d//revoke_subject", SC), f("%d//subject", V))

	// Every event that has a duration has one, and its Begin was called.
	// A decision is timed when it verified a token, and only then: a cache
	// hit, an authorize decision and one without a token read no clock.
	timed := 0
	for _, e := range all {
		switch e.Kind {
		case jwtguard.EventEndpoint, jwtguard.EventStoreCall:
			if e.Start.IsZero() || e.Duration < 0 {
				t.Errorf("%s: start %v, duration %v", brief(e), e.Start, e.Duration)
			}
		case jwtguard.EventDecision:
			verified := e.Name == jwtguard.DecisionAuthenticate && !e.Cached &&
				(e.Outcome == jwtguard.OutcomeAccepted || e.Refusal == jwtguard.KindTokenInvalid || e.Refusal == jwtguard.KindTokenRevoked)
			switch {
			case verified && (e.Start.IsZero() || e.Duration < 0):
				t.Errorf("%s: a verification untimed: start %v, duration %v", brief(e), e.Start, e.Duration)
			case !verified && e.Name == jwtguard.DecisionAuthorize && (!e.Start.IsZero() || e.Duration != 0):
				t.Errorf("%s: an authorize decision timed: start %v, duration %v", brief(e), e.Start, e.Duration)
			case e.Cached && (!e.Start.IsZero() || e.Duration != 0):
				t.Errorf("%s: a cache hit timed: start %v, duration %v", brief(e), e.Start, e.Duration)
			}
			if verified {
				timed++
			}
		}
	}
	if timed == 0 {
		t.Error("no decision verified a token")
	}
	for _, k := range []jwtguard.EventKind{jwtguard.EventDecision, jwtguard.EventEndpoint, jwtguard.EventStoreCall} {
		if rec.begun[k] == 0 {
			t.Errorf("Begin never called for kind %d", k)
		}
	}
	secret := append(seen, subject, username, password, kid)
	for _, e := range all {
		text := fmt.Sprintf("%+v", e)
		for _, s := range secret {
			if strings.Contains(text, s) {
				t.Errorf("event %s holds %q", text, s)
			}
		}
	}
}

// A remote key set reports its fetches, a change of its keys, and a
// failure, each with the URL, never a kid.
func TestObserverKeySetEvents(t *testing.T) {
	var served atomic.Pointer[[]byte]
	var failing atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if failing.Load() {
			http.Error(w, "down", http.StatusInternalServerError)
			return
		}
		w.Write(*served.Load())
	}))
	defer srv.Close()
	signer := func(kid string) *jwtguard.SigningKey {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		must(t, err)
		sk, err := jwtguard.NewSigningKey(kid, k, "ES256")
		must(t, err)
		return sk
	}
	a, b := signer("kid-remote-a1"), signer("kid-remote-b2")
	setOf := func(k *jwtguard.SigningKey) *[]byte {
		out := jwtguard.MarshalJWKSet(k.VerificationKey())
		return &out
	}
	served.Store(setOf(a))
	rec := &recorder{}
	rs, err := jwtguard.NewRemoteKeySet(srv.URL, jwtguard.WithObserver(rec), jwtguard.WithMinRefetchGap(time.Millisecond))
	must(t, err)
	defer rs.Close()
	waitFor := func(want ...string) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		var got []string
		for time.Now().Before(deadline) {
			rec.mu.Lock()
			got = briefs(rec.events)
			rec.mu.Unlock()
			if strings.Join(got, " ") == strings.Join(want, " ") {
				return
			}
			time.Sleep(5 * time.Millisecond)
		}
		t.Fatalf("got %q, want %q", got, want)
	}
	K := int(jwtguard.EventKeySet)
	u := srv.URL
	waitFor(fmt.Sprintf("%d/fetched/%s", K, u))
	served.Store(setOf(b))
	time.Sleep(2 * time.Millisecond)
	rs.Keys(context.Background(), jwtguard.KeyQuery{Alg: "ES256", KeyID: "kid-remote-b2"}) // unknown: refetched
	waitFor(fmt.Sprintf("%d/fetched/%s", K, u), fmt.Sprintf("%d/fetched/%s", K, u), fmt.Sprintf("%d/changed/%s", K, u))
	failing.Store(true)
	time.Sleep(2 * time.Millisecond)
	rs.Keys(context.Background(), jwtguard.KeyQuery{Alg: "ES256", KeyID: "kid-remote-c3"})
	waitFor(fmt.Sprintf("%d/fetched/%s", K, u), fmt.Sprintf("%d/fetched/%s", K, u), fmt.Sprintf("%d/changed/%s", K, u),
		fmt.Sprintf("%d/failed/%s", K, u))
	rec.mu.Lock()
	defer rec.mu.Unlock()
	for _, e := range rec.events {
		text := fmt.Sprintf("%+v", e)
		if strings.Contains(text, "kid-remote") || e.Start.IsZero() && e.Outcome != jwtguard.OutcomeChanged {
			t.Errorf("event %s", text)
		}
	}
	if rec.begun[jwtguard.EventKeySet] != 3 {
		t.Errorf("Begin called %d times for key set fetches, want 3", rec.begun[jwtguard.EventKeySet])
	}
}
