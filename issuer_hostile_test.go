package jwtguard_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/rsa"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard"
)

// A spent refresh token stays spent while a verifier's leeway still
// accepts it: the store keeps entries past "exp".
func TestIssuerReuseWithinLeeway(t *testing.T) {
	ctx := context.Background()
	clock := newTestClock()
	iss, _ := newIssuer(t, clock, jwtguard.WithIssuerLeeway(10*time.Second),
		jwtguard.WithAccessLifetime(time.Second), jwtguard.WithRefreshLifetime(2*time.Second),
		jwtguard.WithAccessRevocation(0))
	p, err := iss.Issue(ctx, "1")
	must(t, err)
	_, err = iss.Refresh(ctx, p.Refresh)
	must(t, err)
	clock.Add(3 * time.Second) // past exp, within the leeway
	if _, err := iss.Refresh(ctx, p.Refresh); !errors.Is(err, jwtguard.ErrTokenSpent) {
		t.Fatalf("reuse within the leeway: %v, want ErrTokenSpent", err)
	}
	q, err := iss.Issue(ctx, "2")
	must(t, err)
	v, err := iss.Verifier()
	must(t, err)
	tok, err := v.Verify(ctx, q.Access)
	must(t, err)
	must(t, iss.RevokeToken(ctx, tok))
	clock.Add(5 * time.Second)
	if _, err := v.Verify(ctx, q.Access); !errors.Is(err, jwtguard.ErrTokenRevoked) {
		t.Fatalf("revoked access token within the leeway: %v, want ErrTokenRevoked", err)
	}
}

// Logging out with a token a thief already rotated ends the thief's session.
func TestIssuerLogoutWithSpentToken(t *testing.T) {
	ctx := context.Background()
	iss, _ := newIssuer(t, newTestClock())
	p, err := iss.Issue(ctx, "1")
	must(t, err)
	stolen, err := iss.Refresh(ctx, p.Refresh) // the thief rotates first
	must(t, err)
	if err := iss.Logout(ctx, p.Refresh); !errors.Is(err, jwtguard.ErrTokenRevoked) {
		t.Fatalf("logout with a spent token: %v", err)
	}
	if _, err := iss.Refresh(ctx, stolen.Refresh); !errors.Is(err, jwtguard.ErrTokenRevoked) {
		t.Fatalf("the thief's session after the victim's logout: %v, want ErrTokenRevoked", err)
	}
}

// A refresh whose checks ran before a RevokeSubject cutoff does not outlive
// it because signing took a second longer (a slow extra-claims lookup).
func TestIssuerRefreshRacingRevokeSubject(t *testing.T) {
	ctx := context.Background()
	clock := newTestClock()
	iss, store := newIssuer(t, clock)
	p, err := iss.Issue(ctx, "racer")
	must(t, err)
	key, err := jwtguard.NewSigningKey("", keysForTest.secret, jwtguard.HS256)
	must(t, err)
	var slow *jwtguard.Issuer
	slow, err = jwtguard.NewIssuer(key, store, jwtguard.WithClock(clock.Now),
		jwtguard.WithExtraClaims(func(ctx context.Context, subject string) (map[string]any, error) {
			// Between the spend and the signing: the password changes,
			// and the clock moves on to the next second.
			if err := slow.RevokeSubject(ctx, subject); err != nil {
				return nil, err
			}
			clock.Add(time.Second)
			return nil, nil
		}))
	must(t, err)
	p2, err := slow.Refresh(ctx, p.Refresh)
	must(t, err)
	if _, err := iss.Refresh(ctx, p2.Refresh); !errors.Is(err, jwtguard.ErrTokenRevoked) {
		t.Fatalf("a pair signed after the cutoff from checks before it: %v, want ErrTokenRevoked", err)
	}
}

func TestIssuerRefusesHostileClaims(t *testing.T) {
	ctx := context.Background()
	for _, name := range []string{"sub", "user_id", "sid", "jti"} {
		iss, _ := newIssuer(t, newTestClock(), jwtguard.WithExtraClaims(func(context.Context, string) (map[string]any, error) {
			return map[string]any{name: "someone-else"}, nil
		}))
		if _, err := iss.Issue(ctx, "42"); err == nil {
			t.Errorf("extra claim %q accepted", name)
		}
	}
	iss, _ := newIssuer(t, newTestClock())
	for _, id := range []string{"", "bob\xff", "line\nbreak", "nul\x00"} {
		if _, err := iss.Issue(ctx, id); err == nil {
			t.Errorf("Issue(%q) accepted", id)
		}
		if _, _, err := iss.IssueSliding(ctx, id); err == nil {
			t.Errorf("IssueSliding(%q) accepted", id)
		}
	}
	for _, key := range []any{(*rsa.PrivateKey)(nil), (*ecdsa.PrivateKey)(nil), &rsa.PrivateKey{}, make([]byte, 10)} {
		if _, err := jwtguard.NewSigningKey("", key, jwtguard.RS256); err == nil {
			t.Errorf("NewSigningKey(%T) accepted", key)
		}
	}
}

// Concurrent guesses for one username count before the password is
// checked, from any number of addresses.
func TestThrottleConcurrentGuesses(t *testing.T) {
	var reached atomic.Int32
	slow := jwtguard.AuthenticatorFunc(func(ctx context.Context, username, password string) (string, bool, error) {
		reached.Add(1)
		time.Sleep(50 * time.Millisecond)
		return "", false, jwtguard.ErrInvalidCredentials
	})
	clock := newTestClock()
	iss, _ := newIssuer(t, clock)
	throttle, err := jwtguard.NewLoginThrottle(jwtguard.WithClock(clock.Now))
	must(t, err)
	e, err := jwtguard.NewEndpoints(iss, slow, jwtguard.WithLoginThrottle(throttle))
	must(t, err)
	h := e.Obtain()
	var wg sync.WaitGroup
	for i := range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req := httptest.NewRequest("POST", "/", strings.NewReader(`{"username":"admin","password":"guess`+strconv.Itoa(i)+`"}`))
			req.Header.Set("Content-Type", "application/json")
			req.RemoteAddr = "[2001:db8::" + strconv.FormatInt(int64(i+1), 16) + "]:1234"
			h.ServeHTTP(httptest.NewRecorder(), req)
		}()
	}
	wg.Wait()
	if n := reached.Load(); n > 5 {
		t.Fatalf("%d concurrent guesses reached the authenticator; the username allows 5", n)
	}
	// The /64 is one client: its 20 attempts a minute are spent.
	req := httptest.NewRequest("POST", "/", strings.NewReader(`{"username":"other","password":"x"}`))
	req.Header.Set("Content-Type", "application/json")
	req.RemoteAddr = "[2001:db8::ffff]:1"
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	if w.Code != http.StatusTooManyRequests {
		t.Fatalf("another address of the same /64: %d, want 429", w.Code)
	}
}

// A store that cannot answer: 503 with DRF's body from the Guard and from
// the refresh endpoint, never a pass and never the error's text.
func TestStoreDownAnswers(t *testing.T) {
	ctx := context.Background()
	key, _ := jwtguard.NewSigningKey("", keysForTest.secret, jwtguard.HS256)
	iss, err := jwtguard.NewIssuer(key, failingStore{}, jwtguard.WithAccessRevocation(time.Minute))
	must(t, err)
	p, err := iss.Issue(ctx, "1")
	must(t, err)
	v, err := iss.Verifier()
	must(t, err)
	g, err := jwtguard.NewGuard(v)
	must(t, err)
	h := g.Require(jwtguard.IsAuthenticated())(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		t.Error("the handler ran with the store down")
	}))
	req := httptest.NewRequest("GET", "/", nil)
	req.Header.Set("Authorization", "Bearer "+p.Access)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	const body = `{"detail":"Service temporarily unavailable, try again later.","code":"service_unavailable"}`
	if w.Code != 503 || w.Body.String() != body || w.Header().Get("Www-Authenticate") != "" {
		t.Errorf("Guard with the store down: %d %v %s", w.Code, w.Header(), w.Body)
	}
	e, err := jwtguard.NewEndpoints(iss, testUsers)
	must(t, err)
	req = httptest.NewRequest("POST", "/", strings.NewReader(`{"refresh":"`+p.Refresh+`"}`))
	req.Header.Set("Content-Type", "application/json")
	w = httptest.NewRecorder()
	e.Refresh().ServeHTTP(w, req)
	if w.Code != 503 || w.Body.String() != body {
		t.Errorf("refresh endpoint with the store down: %d %s", w.Code, w.Body)
	}
}

// A single-purpose token never works as an access or refresh token.
func TestIssuePurposeToken(t *testing.T) {
	ctx := context.Background()
	iss, _ := newIssuer(t, newTestClock())
	tok, _, err := iss.IssueToken(ctx, "activation", "7", time.Hour)
	must(t, err)
	access, err := iss.Verifier()
	must(t, err)
	if _, err := access.Verify(ctx, tok); !errors.Is(err, jwtguard.ErrTokenWrongType) {
		t.Errorf("activation token as access token: %v", err)
	}
	if _, err := iss.Refresh(ctx, tok); !errors.Is(err, jwtguard.ErrTokenWrongType) {
		t.Errorf("activation token as refresh token: %v", err)
	}
	purpose, err := jwtguard.NewVerifier(iss.Keys(), jwtguard.WithTokenType("activation"))
	must(t, err)
	got, err := purpose.Verify(ctx, tok)
	if err != nil || got.Claims.UserID != "7" {
		t.Fatalf("activation verifier: %v", err)
	}
	for _, typ := range []string{"", "access", "refresh", "sliding"} {
		if _, _, err := iss.IssueToken(ctx, typ, "7", time.Hour); err == nil {
			t.Errorf("IssueToken(%q) accepted", typ)
		}
	}
}
