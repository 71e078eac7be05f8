package jwtguard

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// An issuer without its own audiences falls back to WithAudience, and
// without that is refused.
func TestIssuerAudienceFailsClosed(t *testing.T) {
	ctx := context.Background()
	a, b := newSigner(t, "a", ES256), newSigner(t, "b", ES256)
	ka, _ := NewKeySet(a.sk.VerificationKey())
	kb, _ := NewKeySet(b.sk.VerificationKey())
	issuers, _ := NewIssuers(map[string]KeyProvider{"https://a": ka, "https://b": kb})
	sign := func(s *signer, iss, aud string) string {
		tok := jwt.NewWithClaims(s.sk.method, jwt.MapClaims{"iss": iss, "aud": aud, "exp": time.Now().Add(time.Hour).Unix()})
		tok.Header["kid"] = s.sk.ID()
		raw, _ := tok.SignedString(s.priv)
		return raw
	}
	only, _ := NewVerifier(issuers, WithTokenType(""), WithIssuerAudience("https://a", "api-a"))
	if _, err := only.Verify(ctx, sign(b, "https://b", "anything")); err == nil {
		t.Error("an issuer without an audience rule passed")
	}
	fallback, _ := NewVerifier(issuers, WithTokenType(""), WithIssuerAudience("https://a", "api-a"), WithAudience("api"))
	if _, err := fallback.Verify(ctx, sign(b, "https://b", "api")); err != nil {
		t.Errorf("fallback to WithAudience: %v", err)
	}
	if _, err := fallback.Verify(ctx, sign(b, "https://b", "api-a")); err == nil {
		t.Error("another issuer's audience passed through the fallback")
	}
}

// Plain http only on loopback; redirects never leave the host or scheme.
func TestRemoteURLRules(t *testing.T) {
	for _, u := range []string{"http://idp.example.com/jwks", "http://10.0.0.1/jwks", "https://user:pw@idp.example.com/jwks"} {
		if _, err := NewRemoteKeySet(u, WithStartEmpty()); err == nil {
			t.Errorf("NewRemoteKeySet(%q) accepted", u)
		}
	}
	for _, iss := range []string{"http://idp.example.com", "https://idp.example.com/?", "https://idp.example.com/#x"} {
		if _, err := Discover(context.Background(), iss); err == nil || !strings.Contains(err.Error(), "not https") {
			t.Errorf("Discover(%q): %v", iss, err)
		}
	}
	for _, u := range []string{"http://127.0.0.1:1/jwks", "http://localhost:1/jwks", "http://[::1]:1/jwks"} {
		r, err := NewRemoteKeySet(u, WithStartEmpty())
		if err != nil {
			t.Errorf("NewRemoteKeySet(%q): %v", u, err)
			continue
		}
		r.Close()
	}
	req := func(s string) *http.Request { u, _ := url.Parse(s); return &http.Request{URL: u} }
	for _, c := range []struct {
		to   string
		want bool
	}{{"https://idp/jwks2", true}, {"http://idp/jwks", false}, {"https://evil/jwks", false}} {
		err := sameHostRedirect(req(c.to), []*http.Request{req("https://idp/jwks")})
		if (err == nil) != c.want {
			t.Errorf("redirect to %s: %v", c.to, err)
		}
	}
}

// A key without kid in the set does not hide a newly rotated-in kid.
func TestRemoteKidlessKeyDoesNotBlockRotation(t *testing.T) {
	ctx := context.Background()
	anon, b := newSigner(t, "", ES256), newSigner(t, "b", ES256)
	srv := newJWKSServer(t, anon)
	_, v := newRemote(t, srv.URL)
	if _, err := v.Verify(ctx, anon.token(t, "")); err != nil {
		t.Fatal(err)
	}
	srv.publish(anon, b)
	if _, err := v.Verify(ctx, b.token(t, "b")); err != nil {
		t.Fatalf("rotated-in kid beside a kid-less key: %v", err)
	}
}

// Requests waiting on a fetch do not wait for a slow hook.
func TestRemoteSlowHook(t *testing.T) {
	ctx := context.Background()
	a, b := newSigner(t, "a", EdDSA), newSigner(t, "b", EdDSA)
	srv := newJWKSServer(t, a)
	release := make(chan struct{})
	defer close(release)
	var slow atomic.Bool
	_, v := newRemote(t, srv.URL, WithRemoteHook(func(RemoteEvent) {
		if slow.Load() {
			<-release
		}
	}))
	slow.Store(true)
	srv.publish(a, b)
	start := time.Now()
	if _, err := v.Verify(ctx, b.token(t, "b")); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("the request waited %v for the hook", d)
	}
}

func TestMaxAge(t *testing.T) {
	for _, c := range []struct {
		header string
		age    time.Duration
		ok     bool
	}{
		{"", 0, false},
		{"public, max-age=300", 300 * time.Second, true},
		{`max-age="60"`, time.Minute, true},
		{"MAX-AGE=5", 5 * time.Second, true},
		{"no-store", 0, true},
		{"no-cache, max-age=300", 0, true},
		{"max-age=0", 0, true},
		{"max-age=99999999999999999999999", 1 << 31 * time.Second, true},
		{"max-age=-5", 0, false},
		{"s-maxage=10", 0, false},
	} {
		h := http.Header{}
		if c.header != "" {
			h.Set("Cache-Control", c.header)
		}
		if age, ok := maxAge(h); age != c.age || ok != c.ok {
			t.Errorf("%q: %v %v, want %v %v", c.header, age, ok, c.age, c.ok)
		}
	}
}
