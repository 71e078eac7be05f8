package interop_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard"
	"github.com/jwtguard/jwtguard/interop/internal/oidc"
)

// TestOIDCDiscoveryAndRotation runs a resource server's whole life against
// a real OpenID provider through jwtguard's own discovery and remote key
// set: tokens in RS256, PS256, ES256 and EdDSA verify; after the provider
// rotates its keys, new tokens pass at once (an unknown kid refetches) and
// tokens of the dropped keys are refused after the next refresh.
func TestOIDCDiscoveryAndRotation(t *testing.T) {
	p := oidc.Start(t)
	ctx := context.Background()
	var changes atomic.Int64
	keys, err := jwtguard.Discover(ctx, p.Issuer,
		jwtguard.WithMinRefetchGap(100*time.Millisecond),
		jwtguard.WithRefreshInterval(time.Hour, 100*time.Millisecond, 2*time.Hour),
		jwtguard.WithRemoteHook(func(ev jwtguard.RemoteEvent) {
			if ev.Kind == jwtguard.RemoteChanged {
				changes.Add(1)
			}
		}))
	if err != nil {
		t.Fatal(err)
	}
	defer keys.Close()
	v, err := jwtguard.NewVerifier(keys,
		jwtguard.WithIssuer(p.Issuer), jwtguard.WithAudience(oidc.Audience),
		jwtguard.WithExpectedType("at+jwt"), jwtguard.WithTokenType(""))
	if err != nil {
		t.Fatal(err)
	}
	algs := []string{jwtguard.RS256, jwtguard.PS256, jwtguard.ES256, jwtguard.EdDSA}
	old := map[string]string{}
	for _, alg := range algs {
		raw := p.Token(t, alg, "read admin")
		tok, err := v.Verify(ctx, raw)
		if err != nil {
			t.Fatalf("%s token through discovery: %v", alg, err)
		}
		if !tok.HasScope("admin") || tok.Claims.ClientID != oidc.ClientID(alg) {
			t.Errorf("%s token: scope %q client_id %q", alg, tok.Claims.Scope, tok.Claims.ClientID)
		}
		old[alg] = raw
	}
	fetches := keys.Stats().Fetches

	p.Rotate(t)
	for _, alg := range algs {
		if _, err := v.Verify(ctx, p.Token(t, alg, "read")); err != nil {
			t.Errorf("%s token of a rotated-in key: %v", alg, err)
		}
	}
	if n := keys.Stats().Fetches - fetches; n < 1 || n > 4 {
		t.Errorf("rotation took %d fetches", n)
	}
	if changes.Load() < 1 {
		t.Error("no key-set change was reported")
	}
	// The dropped keys' tokens: refused once the set was refetched (it was,
	// for the new kids).
	for alg, raw := range old {
		if _, err := v.Verify(ctx, raw); !errors.Is(err, jwtguard.ErrUnknownKey) {
			t.Errorf("%s token of a dropped key: %v, want ErrUnknownKey", alg, err)
		}
	}
}
