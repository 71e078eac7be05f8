package jwtguard_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard"
)

// slowUsers is testUsers taking as long as a password hash, so that time
// passes between an attempt's start and its end on the real clock.
var slowUsers = jwtguard.AuthenticatorFunc(func(ctx context.Context, username, password string) (string, bool, error) {
	time.Sleep(25 * time.Millisecond)
	return testUsers(ctx, username, password)
})

// throttledServer serves the token endpoints with throttle, behind a
// trusted proxy at 127.0.0.1 whose X-Forwarded-For names the client.
func throttledServer(t *testing.T, auth jwtguard.Authenticator, opts ...jwtguard.ThrottleOption) string {
	t.Helper()
	throttle, err := jwtguard.NewLoginThrottle(append([]jwtguard.ThrottleOption{
		jwtguard.WithTrustedProxies(netip.MustParsePrefix("127.0.0.1/32"))}, opts...)...)
	must(t, err)
	iss, _ := newIssuer(t, newTestClock())
	e, err := jwtguard.NewEndpoints(iss, auth, jwtguard.WithLoginThrottle(throttle))
	must(t, err)
	mux := http.NewServeMux()
	e.Register(mux, "/api/token/")
	e.RegisterSliding(mux, "/api/token/sliding/")
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv.URL + "/api/token/"
}

func signIn(t *testing.T, url, username, password, client string) reply {
	t.Helper()
	return post(t, url, jsonCT, `{"username":"`+username+`","password":"`+password+`"}`, "X-Forwarded-For", client)
}

// Successful sign-ins, and attempts the authenticator could not answer,
// give their token back, on the real clock: a user signing in again and
// again is never throttled for it.
func TestThrottleRefundsRealClock(t *testing.T) {
	var down atomic.Bool
	auth := jwtguard.AuthenticatorFunc(func(ctx context.Context, username, password string) (string, bool, error) {
		if down.Load() {
			time.Sleep(25 * time.Millisecond)
			return "", false, errors.New("database is down")
		}
		return slowUsers(ctx, username, password)
	})
	url := throttledServer(t, auth, jwtguard.WithPerClient(100, time.Minute))
	for i := range 10 {
		if r := signIn(t, url, "vitor", "123", "198.51.100.1"); r.status != http.StatusOK {
			t.Fatalf("correct sign-in %d: %d %s", i+1, r.status, r.body)
		}
	}
	down.Store(true)
	for i := range 10 {
		if r := signIn(t, url, "vitor", "123", "198.51.100.1"); r.status != http.StatusServiceUnavailable {
			t.Fatalf("sign-in %d with the authenticator down: %d %s", i+1, r.status, r.body)
		}
	}
	down.Store(false)
	if r := signIn(t, url, "vitor", "123", "198.51.100.1"); r.status != http.StatusOK {
		t.Fatalf("sign-in after the authenticator came back: %d %s", r.status, r.body)
	}
	// Failures still count: five, then the sixth waits.
	for range 5 {
		signIn(t, url, "vitor", "wrong", "198.51.100.1")
	}
	if r := signIn(t, url, "vitor", "123", "198.51.100.1"); r.status != http.StatusTooManyRequests {
		t.Fatalf("sign-in after five failures: %d, want 429", r.status)
	}
}

// Strangers cannot lock a user out: wrong passwords from other addresses
// do not throttle the user's own client, and a client the user signed in
// from stays exempt from the per-username ceiling that keeps distributed
// guessing slow.
func TestThrottleStrangersCannotLockOut(t *testing.T) {
	url := throttledServer(t, testUsers, jwtguard.WithPerUsername(10, time.Hour))
	for i := range 5 {
		checkReply(t, "guess", signIn(t, url, "vitor", "guess", "203.0.113."+strconv.Itoa(i+1)), 401, "")
	}
	pairOf(t, signIn(t, url, "vitor", "123", "198.51.100.7")) // a new address, not throttled

	// Distributed guessing: the ceiling of 10 failures an hour holds for
	// every client but the one vitor signed in from.
	for i := range 5 {
		checkReply(t, "guess", signIn(t, url, "vitor", "guess", "203.0.113."+strconv.Itoa(i+10)), 401, "")
	}
	for i := range 5 {
		r := signIn(t, url, "vitor", "guess", "203.0.113."+strconv.Itoa(i+20))
		checkReply(t, "guess past the ceiling", r, 429, "")
	}
	checkReply(t, "the right password, new address", signIn(t, url, "vitor", "123", "198.51.100.8"), 429, "")
	pairOf(t, signIn(t, url, "vitor", "123", "198.51.100.7"))
}

// A flood of other usernames neither grows the tables past their bound
// nor wipes the count of a username under attack.
func TestThrottleFloodKeepsCounts(t *testing.T) {
	url := throttledServer(t, testUsers, jwtguard.WithMaxTracked(100))
	for range 5 {
		checkReply(t, "guess", signIn(t, url, "vitor", "guess", "198.51.100.1"), 401, "")
	}
	checkReply(t, "sixth guess", signIn(t, url, "vitor", "guess", "198.51.100.1"), 429, "")
	refused := 0
	for i := range 1200 {
		client := "10." + strconv.Itoa(i/250) + "." + strconv.Itoa(i%250) + ".1"
		if r := signIn(t, url, "user"+strconv.Itoa(i), "x", client); r.status == http.StatusTooManyRequests {
			refused++
		}
	}
	if refused == 0 {
		t.Error("1200 new keys into tables of 100, and none refused")
	}
	for range 3 {
		checkReply(t, "guess after the flood", signIn(t, url, "vitor", "guess", "198.51.100.1"), 429, "")
	}
}

// Sliding renewals are counted per session as refreshes are: one scripted
// session cannot renew in a loop and fill the store with spent tokens.
func TestThrottleSlidingPerSession(t *testing.T) {
	url := throttledServer(t, testUsers, jwtguard.WithPerSession(3, time.Minute)) + "sliding/"
	token := func(r reply) string {
		t.Helper()
		var v struct{ Token string }
		if r.status != 200 || json.Unmarshal([]byte(r.body), &v) != nil || v.Token == "" {
			t.Fatalf("want a token, got %d %s", r.status, r.body)
		}
		return v.Token
	}
	tok := token(signIn(t, url, "vitor", "123", "198.51.100.1"))
	for range 3 {
		tok = token(postJSON(t, url+"refresh/", map[string]string{"token": tok}))
	}
	r := postJSON(t, url+"refresh/", map[string]string{"token": tok})
	checkReply(t, "fourth renewal in a minute", r, 429, `{"detail":"Request was throttled. Expected available in 20 seconds."}`)
}

// Refreshes are throttled per login session, on the real clock: one
// session rotating in a loop cannot fill the store.
func TestThrottleRefreshPerSession(t *testing.T) {
	url := throttledServer(t, testUsers, jwtguard.WithPerSession(3, time.Minute))
	_, refresh := pairOf(t, signIn(t, url, "vitor", "123", "198.51.100.1"))
	for range 3 {
		_, refresh = pairOf(t, postJSON(t, url+"refresh/", map[string]string{"refresh": refresh}))
	}
	r := postJSON(t, url+"refresh/", map[string]string{"refresh": refresh})
	checkReply(t, "fourth refresh in a minute", r, 429, `{"detail":"Request was throttled. Expected available in 20 seconds."}`)
	if got := r.header.Get("Retry-After"); got != "20" {
		t.Errorf("Retry-After %q, want 20", got)
	}
	// The refused refresh did not spend its token: logging out with it
	// works (a spent one would be taken for a stolen token, 401).
	checkReply(t, "logout with the refused token", postJSON(t, url+"blacklist/", map[string]string{"refresh": refresh}), 200, `{}`)
	// Another session has a budget of its own, which forged tokens naming
	// it do not spend: they are verified first.
	_, other := pairOf(t, signIn(t, url, "vitor", "123", "198.51.100.1"))
	forged := other[:len(other)-4] + "AAAA"
	for range 5 {
		checkReply(t, "forged", postJSON(t, url+"refresh/", map[string]string{"refresh": forged}), 401, "")
	}
	for range 3 {
		_, other = pairOf(t, postJSON(t, url+"refresh/", map[string]string{"refresh": other}))
	}
}

// A sessions' table full of one account's sessions in use does not refuse
// another session's refresh: refresh fails open when the table is full
// (sign-in, which makes sessions, stays bounded by its own tables).
func TestThrottleFullSessionTableFailsOpen(t *testing.T) {
	url := throttledServer(t, testUsers, jwtguard.WithPerSession(3, time.Minute), jwtguard.WithMaxTracked(2))
	var sessions []string
	for range 3 {
		_, refresh := pairOf(t, signIn(t, url, "vitor", "123", "198.51.100.1"))
		sessions = append(sessions, refresh)
	}
	for _, refresh := range sessions[:2] { // the table's two buckets, in use
		pairOf(t, postJSON(t, url+"refresh/", map[string]string{"refresh": refresh}))
	}
	pairOf(t, postJSON(t, url+"refresh/", map[string]string{"refresh": sessions[2]}))
}
