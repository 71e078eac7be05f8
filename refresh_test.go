package jwtguard_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard"
)

const bodyBlacklisted = `{"detail":"Token is blacklisted","code":"token_not_valid"}`

// The contract's own sequence: refresh, the old token again a second
// later (401 Token is blacklisted), then the rotated token: 200. The
// session lives on.
func TestRefreshGraceContractSequence(t *testing.T) {
	clock := newTestClock()
	srv, _ := tokenServer(t, clock)
	_, r1 := pairOf(t, postJSON(t, srv.URL+"/api/token/", map[string]string{"username": "vitor", "password": "123"}))
	_, r2 := pairOf(t, postJSON(t, srv.URL+"/api/token/refresh/", map[string]string{"refresh": r1}))
	clock.Add(time.Second)
	checkReply(t, "the spent token a second later", postJSON(t, srv.URL+"/api/token/refresh/", map[string]string{"refresh": r1}), 401, bodyBlacklisted)
	_, r3 := pairOf(t, postJSON(t, srv.URL+"/api/token/refresh/", map[string]string{"refresh": r2}))
	pairOf(t, postJSON(t, srv.URL+"/api/token/refresh/", map[string]string{"refresh": r3}))
}

// 100 concurrent refreshes of one token over HTTP: one pair, 99 answers
// "Token is blacklisted", and the one pair's session is alive: exactly one
// rotation chain, nothing lost.
func TestRefreshGraceConcurrent(t *testing.T) {
	clock := newTestClock()
	srv, iss := tokenServer(t, clock)
	_, r1 := pairOf(t, postJSON(t, srv.URL+"/api/token/", map[string]string{"username": "vitor", "password": "123"}))
	var wg sync.WaitGroup
	replies := make([]reply, 100)
	start := make(chan struct{})
	for n := range replies {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			replies[n] = postJSON(t, srv.URL+"/api/token/refresh/", map[string]string{"refresh": r1})
		}()
	}
	close(start)
	wg.Wait()
	var won []reply
	for _, r := range replies {
		switch {
		case r.status == 200:
			won = append(won, r)
		case r.status != 401 || r.body != bodyBlacklisted:
			t.Errorf("a concurrent refresh: %d %s", r.status, r.body)
		}
	}
	if len(won) != 1 {
		t.Fatalf("%d of 100 concurrent refreshes got a pair, want 1", len(won))
	}
	access, r2 := pairOf(t, won[0])
	if _, err := iss.Verify(context.Background(), access); err != nil { // checks the store
		t.Errorf("the winner's access token: %v", err)
	}
	pairOf(t, postJSON(t, srv.URL+"/api/token/refresh/", map[string]string{"refresh": r2}))
}

// Past the window, reuse is theft and ends the session; WithReuseGrace(0)
// has no window at all.
func TestRefreshGracePastWindow(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		name  string
		grace []jwtguard.IssuerOption
		after time.Duration
	}{
		{"past the default window", nil, jwtguard.DefaultReuseGrace},
		{"past a window of 5s", []jwtguard.IssuerOption{jwtguard.WithReuseGrace(5 * time.Second)}, 5 * time.Second},
		{"no window", []jwtguard.IssuerOption{jwtguard.WithReuseGrace(0)}, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			clock := newTestClock()
			iss, _ := newIssuer(t, clock, c.grace...)
			p1, err := iss.Issue(ctx, "1")
			must(t, err)
			p2, err := iss.Refresh(ctx, p1.Refresh)
			must(t, err)
			clock.Add(c.after)
			if _, err := iss.Refresh(ctx, p1.Refresh); !errors.Is(err, jwtguard.ErrTokenRevoked) || errors.Is(err, jwtguard.ErrTokenDuplicate) {
				t.Fatalf("reuse: %v, want a theft (ErrTokenRevoked, not ErrTokenDuplicate)", err)
			}
			if _, err := iss.Refresh(ctx, p2.Refresh); !errors.Is(err, jwtguard.ErrTokenRevoked) {
				t.Fatalf("the session after a theft: %v, want ErrTokenRevoked", err)
			}
		})
	}
	// Just within the window: a duplicate, the session kept; a duplicate
	// does not extend the window.
	clock := newTestClock()
	iss, _ := newIssuer(t, clock, jwtguard.WithReuseGrace(5*time.Second))
	p1, err := iss.Issue(ctx, "1")
	must(t, err)
	p2, err := iss.Refresh(ctx, p1.Refresh)
	must(t, err)
	clock.Add(4 * time.Second)
	if _, err := iss.Refresh(ctx, p1.Refresh); !errors.Is(err, jwtguard.ErrTokenDuplicate) || !errors.Is(err, jwtguard.ErrTokenSpent) {
		t.Fatalf("within the window: %v, want ErrTokenDuplicate", err)
	}
	clock.Add(time.Second)
	if _, err := iss.Refresh(ctx, p1.Refresh); errors.Is(err, jwtguard.ErrTokenDuplicate) {
		t.Fatal("a duplicate extended the window")
	}
	if _, err := iss.Refresh(ctx, p2.Refresh); !errors.Is(err, jwtguard.ErrTokenRevoked) {
		t.Fatalf("the session after a theft: %v, want ErrTokenRevoked", err)
	}
}

// The window on the real clock: an issuer and a store on time.Now.
func TestRefreshGraceRealClock(t *testing.T) {
	ctx := context.Background()
	key, err := jwtguard.NewSigningKey("", keysForTest.secret, jwtguard.HS256)
	must(t, err)
	iss, err := jwtguard.NewIssuer(key, jwtguard.NewMemoryStore())
	must(t, err)
	p1, err := iss.Issue(ctx, "1")
	must(t, err)
	p2, err := iss.Refresh(ctx, p1.Refresh)
	must(t, err)
	if _, err := iss.Refresh(ctx, p1.Refresh); !errors.Is(err, jwtguard.ErrTokenDuplicate) {
		t.Fatalf("an immediate duplicate: %v, want ErrTokenDuplicate", err)
	}
	if _, err := iss.Refresh(ctx, p2.Refresh); err != nil {
		t.Fatalf("the rotated token after a duplicate: %v", err)
	}
}

// Cookie mode: two tabs refresh with the same cookies at once. One answer
// sets the new cookies, the other is a 401 that leaves the cookies alone,
// and the browser's cookies then work: the access cookie authenticates,
// the refresh cookie refreshes.
func TestRefreshGraceCookieTabs(t *testing.T) {
	a := newCookieApp(t, mustMode(t))
	j := a.login(t)
	csrf := j["csrftoken"].Value
	var wg sync.WaitGroup
	var tabs [2]reply
	for n := range tabs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tabs[n] = a.request(t, "POST", "/api/token/refresh/", "", jar{"r": j["refresh_token"], "c": j["csrftoken"]},
				"X-CSRFToken", csrf, "Sec-Fetch-Site", "same-origin")
		}()
	}
	wg.Wait()
	if tabs[0].status == tabs[1].status || tabs[0].status+tabs[1].status != 200+401 {
		t.Fatalf("two tabs refreshing at once: %d and %d, want one 200 and one 401", tabs[0].status, tabs[1].status)
	}
	won, lost := tabs[0], tabs[1]
	if won.status != 200 {
		won, lost = lost, won
	}
	if len(lost.header.Values("Set-Cookie")) != 0 || lost.body != bodyBlacklisted {
		t.Errorf("the duplicate: %s, cookies %v; want %s and the cookies left alone", lost.body, lost.header.Values("Set-Cookie"), bodyBlacklisted)
	}
	n := cookiesOf(won)
	if r := a.request(t, "GET", "/hello/", "", jar{"a": n["access_token"]}); r.status != 200 {
		t.Errorf("the browser's access cookie: %d %s", r.status, r.body)
	}
	r := a.request(t, "POST", "/api/token/refresh/", "", jar{"r": n["refresh_token"], "c": n["csrftoken"]},
		"X-CSRFToken", n["csrftoken"].Value, "Sec-Fetch-Site", "same-origin")
	if r.status != 200 {
		t.Errorf("the browser's refresh cookie: %d %s", r.status, r.body)
	}
}

func TestReuseGraceOption(t *testing.T) {
	key, err := jwtguard.NewSigningKey("", keysForTest.secret, jwtguard.HS256)
	must(t, err)
	for _, d := range []time.Duration{-time.Second, 6 * time.Minute} {
		if _, err := jwtguard.NewIssuer(key, jwtguard.NewMemoryStore(), jwtguard.WithReuseGrace(d)); err == nil {
			t.Errorf("WithReuseGrace(%v) accepted", d)
		}
	}
}
