package storetest

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard"
)

// RunSharedThrottle checks a [jwtguard.ThrottleStore] over two handles a
// and b on one shared store, as two instances of a service would have
// them: each instance's sign-in endpoint, on a real server, throttles
// with [jwtguard.SharedThrottle] on its handle, 4 attempts a minute per
// client address; eight wrong passwords alternating between them get four
// 401s and then 429s, where instances counting alone would give eight
// 401s. Then a bucket's wait and refund are checked through both handles.
func RunSharedThrottle(t *testing.T, a, b jwtguard.ThrottleStore) {
	t.Helper()
	servers := []*httptest.Server{ThrottledSignIn(t, a, nil), ThrottledSignIn(t, b, nil)}
	var statuses []int
	for i := range 8 {
		statuses = append(statuses, WrongSignIn(t, servers[i%2].URL))
	}
	if want := []int{401, 401, 401, 401, 429, 429, 429, 429}; !slices.Equal(statuses, want) {
		t.Fatalf("statuses %v, want %v: the instances do not share the budget", statuses, want)
	}
	// A bucket of 2 an hour, taken through both handles: the third take
	// waits about half an hour; a refund through either lets one more in.
	ctx := context.Background()
	key := "storetest:" + randomID()
	for i, s := range []jwtguard.ThrottleStore{a, b} {
		if wait, err := s.Take(ctx, key, 2, time.Hour); err != nil || wait != 0 {
			t.Fatalf("take %d of 2: wait %v, %v", i+1, wait, err)
		}
	}
	wait, err := a.Take(ctx, key, 2, time.Hour)
	must(t, err)
	if wait < 29*time.Minute || wait > 30*time.Minute+time.Second {
		t.Fatalf("the third take's wait is %v, want about 30m", wait)
	}
	must(t, b.Refund(ctx, key, 2, time.Hour))
	if wait, err := a.Take(ctx, key, 2, time.Hour); err != nil || wait != 0 {
		t.Fatalf("the take after a refund: wait %v, %v", wait, err)
	}
	if wait, err := b.Take(ctx, key, 2, time.Hour); err != nil || wait == 0 {
		t.Fatalf("a take past the refunded one: wait %v, %v; want a wait", wait, err)
	}
}

// ThrottledSignIn returns a real server of a sign-in endpoint whose every
// password is wrong, throttled at 4 attempts a minute per client address
// with [jwtguard.WithSharedThrottle] on store, logging to log (nil discards).
func ThrottledSignIn(t *testing.T, store jwtguard.ThrottleStore, log *slog.Logger) *httptest.Server {
	t.Helper()
	key, err := jwtguard.NewSigningKey("", []byte("storetest-throttle-secret-of-32-b"), jwtguard.HS256)
	must(t, err)
	iss, err := jwtguard.NewIssuer(key, jwtguard.NewMemoryStore())
	must(t, err)
	opts := []jwtguard.ThrottleOption{jwtguard.WithPerClient(4, time.Minute), jwtguard.WithSharedThrottle(store, "storetest")}
	if log != nil { // WithLogger refuses nil
		opts = append(opts, jwtguard.WithLogger(log))
	}
	throttle, err := jwtguard.NewLoginThrottle(opts...)
	must(t, err)
	auth := jwtguard.AuthenticatorFunc(func(context.Context, string, string) (string, bool, error) {
		return "", false, nil
	})
	e, err := jwtguard.NewEndpoints(iss, auth, jwtguard.WithLoginThrottle(throttle))
	must(t, err)
	srv := httptest.NewServer(e.Obtain())
	t.Cleanup(srv.Close)
	return srv
}

// WrongSignIn posts a wrong password to the sign-in endpoint at u and
// returns the status.
func WrongSignIn(t *testing.T, u string) int {
	t.Helper()
	resp, err := http.PostForm(u, url.Values{"username": {"ann"}, "password": {"wrong"}})
	must(t, err)
	resp.Body.Close()
	return resp.StatusCode
}
