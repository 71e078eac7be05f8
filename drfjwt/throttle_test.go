package drfjwt_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard"
)

// The login throttle holds at obtain: a username's failures from one
// client run out and get DRF's 429 with Retry-After, while its owner's
// right password from another client still signs in; a database down
// does not count against the user.
func TestObtainThrottled(t *testing.T) {
	clk := &clock{}
	clk.set(at(16, 1, 34))
	th, err := jwtguard.NewLoginThrottle(jwtguard.PerUsernameClient(2, time.Hour), jwtguard.TrustedProxies(),
		jwtguard.ThrottleClock(clk.now))
	must(t, err)
	users := newAccounts()
	p := newProfile(t, users, clk, withThrottle(th))
	obtain := p.Obtain()
	post := func(addr, body string) reply {
		req := newPost(body)
		req.RemoteAddr = addr
		return serve(obtain, req)
	}
	users.fail.Store(true)
	for range 3 {
		if r := post("192.0.2.1:1", vitor); r.status != http.StatusServiceUnavailable {
			t.Fatalf("accounts down: %d %s", r.status, r.body)
		}
	}
	users.fail.Store(false)
	for range 2 {
		if r := post("192.0.2.1:1", `{"username":"vitor","password":"guess"}`); r.status != 400 {
			t.Fatalf("a wrong password: %d %s", r.status, r.body)
		}
	}
	r := post("192.0.2.1:1", vitor)
	if r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") == "" ||
		r.body != `{"detail":"Request was throttled. Expected available in 1800 seconds."}` {
		t.Fatalf("past the failures: %d %q %s", r.status, r.header.Get("Retry-After"), r.body)
	}
	if r := post("192.0.2.2:1", vitor); r.status != 200 {
		t.Fatalf("the right password from another client: %d %s", r.status, r.body)
	}
}
