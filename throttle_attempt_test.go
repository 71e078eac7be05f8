package jwtguard_test

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard"
)

// StartSignIn counts failures per username before the password is
// checked, concurrent ones included; Succeeded and NotCounted give the
// failure back, once, and a success exempts the client from the
// per-username ceiling.
func TestSignInAttempt(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	th, err := jwtguard.NewLoginThrottle(jwtguard.PerUsernameClient(3, time.Hour), jwtguard.PerUsername(5, time.Hour),
		jwtguard.ThrottleClock(func() time.Time { return now }))
	must(t, err)

	// Failures: three from one client, then refused with a wait.
	var wg sync.WaitGroup
	var mu sync.Mutex
	started := 0
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, _, ok := th.StartSignIn(newReq("192.0.2.1:1"), "vitor"); ok {
				mu.Lock()
				started++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if started != 3 {
		t.Fatalf("%d concurrent guesses started, want 3", started)
	}
	if _, wait, ok := th.StartSignIn(newReq("192.0.2.1:1"), "vitor"); ok || wait <= 0 {
		t.Fatalf("a fourth failure: ok %v, wait %v", ok, wait)
	}
	// Given back: another client's attempt that ends NotCounted, twice
	// answered, frees exactly one failure.
	a, _, ok := th.StartSignIn(newReq("192.0.2.2:1"), "vitor")
	if !ok {
		t.Fatal("another client is refused")
	}
	a.NotCounted()
	a.NotCounted()
	a.Succeeded() // no effect after NotCounted
	for i := range 2 {
		a, _, ok := th.StartSignIn(newReq("192.0.2.2:1"), "vitor")
		if !ok {
			t.Fatalf("attempt %d of the second client refused", i)
		}
		if i == 1 {
			a.Succeeded() // four failures stand: three of the first client, one of this one
		}
	}
	// The per-username ceiling (5): one more stranger's failure, then
	// strangers wait; the client that signed in is exempt from it.
	if _, _, ok := th.StartSignIn(newReq("192.0.2.3:1"), "vitor"); !ok {
		t.Error("the fifth failure is refused")
	}
	if _, _, ok := th.StartSignIn(newReq("192.0.2.4:1"), "vitor"); ok {
		t.Error("a stranger past the per-username ceiling started")
	}
	if _, _, ok := th.StartSignIn(newReq("192.0.2.2:1"), "vitor"); !ok {
		t.Error("the client that signed in is held by the per-username ceiling")
	}
}

func newReq(addr string) *http.Request {
	r := httptest.NewRequest("POST", "/", nil)
	r.RemoteAddr = addr
	return r
}
