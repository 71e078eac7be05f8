package jwtguard_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard"
)

type nopObserver struct{}

func (nopObserver) Observe(context.Context, jwtguard.Event) {}

// Every constructor that reports errors takes the cross-cutting options
// alike, and refuses a nil one of each, naming it.
func TestCommonOptionsEveryConstructor(t *testing.T) {
	key, err := jwtguard.NewSigningKey("", keysForTest.secret, jwtguard.HS256)
	must(t, err)
	iss, err := jwtguard.NewIssuer(key, jwtguard.NewMemoryStore())
	must(t, err)
	auth := jwtguard.AuthenticatorFunc(func(context.Context, string, string) (string, bool, error) { return "", false, nil })
	constructors := map[string]func(jwtguard.Option) error{
		"NewVerifier": func(o jwtguard.Option) error {
			_, err := jwtguard.NewVerifier(iss.Keys(), o)
			return err
		},
		"NewGuard": func(o jwtguard.Option) error {
			_, err := jwtguard.NewGuard(verifierFor(t), o)
			return err
		},
		"NewIssuer": func(o jwtguard.Option) error {
			_, err := jwtguard.NewIssuer(key, jwtguard.NewMemoryStore(o), o)
			return err
		},
		"NewEndpoints": func(o jwtguard.Option) error {
			_, err := jwtguard.NewEndpoints(iss, auth, o)
			return err
		},
		"NewRemoteKeySet": func(o jwtguard.Option) error {
			_, err := jwtguard.NewRemoteKeySet("https://127.0.0.1:1/jwks", jwtguard.WithStartEmpty(), o)
			return err
		},
		"NewLoginThrottle": func(o jwtguard.Option) error {
			_, err := jwtguard.NewLoginThrottle(o)
			return err
		},
	}
	good := []jwtguard.Option{jwtguard.WithLogger(slog.Default()), jwtguard.WithClock(time.Now), jwtguard.WithObserver(nopObserver{})}
	bad := map[string]jwtguard.Option{"nil logger": jwtguard.WithLogger(nil), "nil clock": jwtguard.WithClock(nil), "nil observer": jwtguard.WithObserver(nil)}
	for name, build := range constructors {
		for _, o := range good {
			if err := build(o); err != nil {
				t.Errorf("%s: %v", name, err)
			}
		}
		for want, o := range bad {
			if err := build(o); err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("%s with %s: %v", name, want, err)
			}
		}
	}
}

// One clock, given alike to the store, the issuer and the throttle, is the
// one each of them reads.
func TestCommonClockIsRead(t *testing.T) {
	clock := newTestClock()
	clock.Add(-48 * time.Hour) // far from the real clock
	iss, _ := newIssuer(t, clock)
	pair, err := iss.Issue(context.Background(), "42")
	must(t, err)
	v, err := iss.Verifier()
	must(t, err)
	tok, err := v.Verify(context.Background(), pair.Access)
	must(t, err)
	if !tok.Claims.IssuedAt.Equal(clock.Now()) {
		t.Errorf("iat %v, want the issuer's clock %v", tok.Claims.IssuedAt, clock.Now())
	}
	if _, err := verifierFor(t).Verify(context.Background(), pair.Access); err == nil {
		t.Errorf("a verifier on the real clock accepted a token that expired two days ago")
	}
}
