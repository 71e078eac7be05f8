package jwtguard_test

import (
	"context"
	"strings"
	"testing"

	"github.com/jwtguard/jwtguard"
)

// One rule for every HMAC secret, verified or signed with: at least
// MinHMACSecret bytes.
func TestHMACSecretOneRule(t *testing.T) {
	short := []byte(strings.Repeat("s", jwtguard.MinHMACSecret-1))
	enough := []byte(strings.Repeat("s", jwtguard.MinHMACSecret))
	jwk := func(secret []byte) []byte {
		return []byte(`{"kty":"oct","k":"` + enc.EncodeToString(secret) + `"}`)
	}
	for _, c := range []struct {
		name string
		make func([]byte) error
	}{
		{"NewHMACKey", func(s []byte) error { _, err := jwtguard.NewHMACKey("", s); return err }},
		{"NewSigningKey []byte", func(s []byte) error { _, err := jwtguard.NewSigningKey("", s, jwtguard.HS256); return err }},
		{"NewSigningKey string", func(s []byte) error { _, err := jwtguard.NewSigningKey("", string(s), jwtguard.HS256); return err }},
		{"ParseJWK oct", func(s []byte) error { _, err := jwtguard.ParseJWK(jwk(s)); return err }},
	} {
		if err := c.make(short); err == nil || !strings.Contains(err.Error(), "RFC 7518") {
			t.Errorf("%s: a %d-byte secret: %v", c.name, len(short), err)
		}
		if err := c.make(enough); err != nil {
			t.Errorf("%s: a %d-byte secret: %v", c.name, len(enough), err)
		}
		if err := c.make(nil); err == nil {
			t.Errorf("%s: no secret accepted", c.name)
		}
	}
}

// NewSigningKey reads like NewHMACKey and NewPublicKey (kid, key, then the
// algorithm) and takes a string secret, as os.Getenv gives it: what it
// signs, a key made by NewHMACKey from the same bytes verifies.
func TestSigningKeyReadsLikeHMACKey(t *testing.T) {
	const secret = "a-secret-as-an-environment-variable"
	sk, err := jwtguard.NewSigningKey("k1", secret, jwtguard.HS256)
	must(t, err)
	issuer, err := jwtguard.NewIssuer(sk, jwtguard.NewMemoryStore())
	must(t, err)
	pair, err := issuer.Issue(context.Background(), "42")
	must(t, err)
	hk, err := jwtguard.NewHMACKey("k1", []byte(secret), jwtguard.HS256)
	must(t, err)
	v, err := jwtguard.NewVerifier(must1(jwtguard.NewKeySet(hk)))
	must(t, err)
	tok, err := v.Verify(context.Background(), pair.Access)
	must(t, err)
	if tok.Subject() != "42" {
		t.Fatalf("subject %q", tok.Subject())
	}
}
