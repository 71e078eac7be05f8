package jwtguard_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard"
)

// A configuration under which no token can ever pass is refused by the
// constructor, with a message that says why, rather than accepted and
// answering 401 to every request.
func TestVerifierRefusesUnreachableConfig(t *testing.T) {
	k := keysForTest
	hmacKey := must1(jwtguard.NewHMACKey("", k.secret))
	hs256 := must1(jwtguard.NewHMACKey("", k.secret, jwtguard.HS256))
	rsaKey := must1(jwtguard.NewPublicKey("", &k.rsa.PublicKey))
	hmacSet := must1(jwtguard.NewKeySet(hmacKey))

	// A real remote key set, of an issuer's published ES256 key.
	sk := must1(jwtguard.NewSigningKey("ec", k.ec, jwtguard.ES256))
	iss := must1(jwtguard.NewIssuer(sk, jwtguard.NewMemoryStore()))
	srv := httptest.NewServer(iss.JWKS(time.Minute))
	defer srv.Close()
	remote := must1(jwtguard.NewRemoteKeySet(srv.URL))
	defer remote.Close()

	issuers := must1(jwtguard.NewIssuers(map[string]jwtguard.KeyProvider{"https://a.example/": hmacSet}))

	for _, c := range []struct {
		name string
		keys jwtguard.KeyProvider
		opts []jwtguard.VerifierOption
		want string // "" when the configuration works
	}{
		{"HMAC keys, RS256 only", hmacSet, []jwtguard.VerifierOption{jwtguard.WithAlgorithms(jwtguard.RS256)}, "no key can verify the allowed algorithms RS256 (the keys verify HS256, HS384, HS512)"},
		{"HS256 key, HS512 only", must1(jwtguard.NewKeySet(hs256)), []jwtguard.VerifierOption{jwtguard.WithAlgorithms(jwtguard.HS512)}, "no key can verify the allowed algorithms HS512 (the keys verify HS256)"},
		{"RSA key, HMAC only", must1(jwtguard.NewKeySet(rsaKey)), []jwtguard.VerifierOption{jwtguard.WithAlgorithms(jwtguard.HS256)}, "no key can verify"},
		{"remote keys, HMAC only", remote, []jwtguard.VerifierOption{jwtguard.WithAlgorithms(jwtguard.HS256, jwtguard.HS512)}, "no key can verify the allowed algorithms HS256, HS512"},
		{"issuers, RS256 only", issuers, []jwtguard.VerifierOption{jwtguard.WithAlgorithms(jwtguard.RS256)}, "no key can verify"},
		{"issuer without keys", issuers, []jwtguard.VerifierOption{jwtguard.WithIssuer("https://b.example/")}, `WithIssuer("https://b.example/"): the key provider has no keys for that issuer`},
		{"audience of an issuer without keys", issuers, []jwtguard.VerifierOption{jwtguard.WithIssuerAudience("https://b.example/", "api")}, `WithIssuerAudience("https://b.example/"): the key provider has no keys`},
		{"audience of an issuer not admitted", hmacSet, []jwtguard.VerifierOption{jwtguard.WithIssuer("https://a.example/"), jwtguard.WithIssuerAudience("https://b.example/", "api")}, `WithIssuerAudience("https://b.example/"): WithIssuer does not admit`},

		{"HMAC keys, one of two algorithms usable", hmacSet, []jwtguard.VerifierOption{jwtguard.WithAlgorithms(jwtguard.HS256, jwtguard.RS256)}, ""},
		{"remote keys, ES256", remote, []jwtguard.VerifierOption{jwtguard.WithAlgorithms(jwtguard.ES256)}, ""},
		{"issuers, their issuer", issuers, []jwtguard.VerifierOption{jwtguard.WithIssuer("https://a.example/"), jwtguard.WithIssuerAudience("https://a.example/", "api")}, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := jwtguard.NewVerifier(c.keys, c.opts...)
			switch {
			case c.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case c.want != "" && err == nil:
				t.Fatalf("accepted; want an error containing %q", c.want)
			case c.want != "" && !strings.Contains(err.Error(), c.want):
				t.Fatalf("error %q does not contain %q", err, c.want)
			}
		})
	}
}

// The allow-list the constructor accepts is one tokens pass: the check
// refuses only dead ends.
func TestVerifierPartlyUsableAllowList(t *testing.T) {
	v, err := jwtguard.NewVerifier(must1(jwtguard.NewKeySet(must1(jwtguard.NewHMACKey("", keysForTest.secret)))),
		jwtguard.WithAlgorithms(jwtguard.HS256, jwtguard.RS256), jwtguard.WithTokenType(""))
	must(t, err)
	if _, err := v.Verify(context.Background(), signRaw(t, "HS256", `{"alg":"HS256"}`, `{"exp":4102444800}`)); err != nil {
		t.Fatal(err)
	}
}

// Issuer.Verifier refuses to require an "iss" or "aud" that the issuer's
// own tokens do not carry, and accepts what they carry.
func TestIssuerVerifierRefusesClaimsItsTokensLack(t *testing.T) {
	sk := must1(jwtguard.NewSigningKey("", keysForTest.secret, jwtguard.HS256))
	plain := must1(jwtguard.NewIssuer(sk, jwtguard.NewMemoryStore()))
	if _, err := plain.Verifier(jwtguard.WithIssuer("https://id.example/")); err == nil || !strings.Contains(err.Error(), `carry no "iss"`) {
		t.Errorf("WithIssuer over an issuer without iss: %v", err)
	}
	if _, err := plain.Verifier(jwtguard.WithAudience("api")); err == nil || !strings.Contains(err.Error(), `carry no "aud"`) {
		t.Errorf("WithAudience over an issuer without aud: %v", err)
	}

	named := must1(jwtguard.NewIssuer(sk, jwtguard.NewMemoryStore(),
		jwtguard.WithTokenIssuer("https://id.example/"), jwtguard.WithTokenAudience("api")))
	v, err := named.Verifier(jwtguard.WithIssuer("https://id.example/"), jwtguard.WithAudience("api"))
	must(t, err)
	pair, err := named.Issue(context.Background(), "7")
	must(t, err)
	if _, err := v.Verify(context.Background(), pair.Access); err != nil {
		t.Fatal(err)
	}
}
