package interop_test

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard"
	"github.com/jwtguard/jwtguard/interop/internal/minter"
)

// The claims every minted token carries, besides iat, exp and jti.
const (
	mintedIssuer   = "urn:jwtguard:interop:minter"
	mintedSubject  = "user-42"
	mintedAudience = "urn:jwtguard:interop:api"
	mintedOtherAud = "urn:jwtguard:interop:other"
	mintedScope    = "read write"
	mintedClientID = "minter-client"
	mintedLifetime = 10 * time.Minute
)

var mintRequest = minter.Request{
	Claims: map[string]any{
		"iss":       mintedIssuer,
		"sub":       mintedSubject,
		"aud":       []string{mintedAudience, mintedOtherAud},
		"scope":     mintedScope,
		"client_id": mintedClientID,
		"roles":     []string{"admin", "auditor"},
		"tenant":    7,
	},
	Lifetime: mintedLifetime,
}

// TestJoseTokens: tokens that jose (Node.js) signs, in every algorithm it
// and jwtguard share, verify with jwtguard given the JWK Set jose exported;
// tampered ones do not.
func TestJoseTokens(t *testing.T) {
	start := time.Now().Unix()
	testMinted(t, minter.Jose(t, mintRequest), minter.JoseAlgorithms(), start)
}

// TestPyJWTTokens: tokens that PyJWT signs, in every algorithm it and
// jwtguard share, verify with jwtguard given the JWK Set PyJWT exported;
// tampered ones do not.
func TestPyJWTTokens(t *testing.T) {
	start := time.Now().Unix()
	r := minter.PyJWT(t, mintRequest)
	testMinted(t, r, minter.PyJWTAlgorithms(), start)

	// PyJWT 2.6's to_jwk writes EC coordinates without their leading zero
	// bytes. RFC 7518 §6.2.1.2 requires the full length, and jwtguard
	// refuses anything else; padded, the same key is accepted.
	t.Run("to_jwk of an EC key with a short coordinate", func(t *testing.T) {
		if _, err := jwtguard.ParseJWK(r.ShortECJWK); err == nil {
			t.Errorf("ParseJWK accepted %s, whose coordinates are not full length", r.ShortECJWK)
		}
		set := []byte(`{"keys":[` + string(r.ShortECJWK) + `]}`)
		if _, err := jwtguard.ParseJWKSet(set); err == nil {
			t.Errorf("ParseJWKSet accepted %s", set)
		}
		if _, err := jwtguard.ParseJWK(r.ShortECJWKPadded); err != nil {
			t.Errorf("ParseJWK of the padded key %s: %v", r.ShortECJWKPadded, err)
		}
	})
}

// testMinted checks the tokens of r, minted after start, against algs.
func testMinted(t *testing.T, r *minter.Result, algs []string, start int64) {
	t.Helper()
	keys, err := jwtguard.ParseJWKSet(r.JWKS)
	if err != nil {
		t.Fatalf("ParseJWKSet: %v\n%s", err, r.JWKS)
	}
	set, err := jwtguard.NewKeySet(keys...)
	if err != nil {
		t.Fatalf("NewKeySet: %v", err)
	}
	// Each key carries its "alg": together they verify exactly algs.
	if got, want := sorted(set.Algorithms()), sorted(algs); !slices.Equal(got, want) {
		t.Errorf("the key set verifies %v, want %v", got, want)
	}
	var minted []string
	for _, tok := range r.Tokens {
		minted = append(minted, tok.Alg)
	}
	if !slices.Equal(minted, algs) {
		t.Fatalf("minted tokens for %v, want %v", minted, algs)
	}

	// PyJWT's tokens here are an identity provider's: no simplejwt profile.
	verifier := mustVerifier(t, set, jwtguard.WithTokenType(""), jwtguard.WithIssuer(mintedIssuer), jwtguard.WithAudience(mintedAudience))
	late := func() time.Time { return time.Now().Add(mintedLifetime + time.Second) }
	expired := mustVerifier(t, set, jwtguard.WithTokenType(""), jwtguard.WithClock(late))

	for _, m := range r.Tokens {
		t.Run(m.Alg, func(t *testing.T) {
			tok, err := verifier.Verify(t.Context(), m.Token)
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			now := time.Now().Unix()
			if h := tok.Header; h.Alg != m.Alg || h.Kid != m.Kid || h.Typ != "JWT" {
				t.Errorf("header = %+v, want alg %s, kid %s, typ JWT", h, m.Alg, m.Kid)
			}
			cl := tok.Claims
			if cl.Issuer != mintedIssuer || cl.Subject != mintedSubject || cl.Scope != mintedScope ||
				cl.ClientID != mintedClientID {
				t.Errorf("iss %q, sub %q, scope %q, client_id %q; want %q, %q, %q, %q",
					cl.Issuer, cl.Subject, cl.Scope, cl.ClientID,
					mintedIssuer, mintedSubject, mintedScope, mintedClientID)
			}
			if !slices.Equal(cl.Audience, []string{mintedAudience, mintedOtherAud}) {
				t.Errorf("aud = %q", cl.Audience)
			}
			var custom struct {
				Roles  []string `json:"roles"`
				Tenant int      `json:"tenant"`
			}
			if err := tok.Decode(&custom); err != nil || !slices.Equal(custom.Roles, []string{"admin", "auditor"}) || custom.Tenant != 7 {
				t.Errorf("Decode = %+v, %v; want roles [admin auditor], tenant 7", custom, err)
			}
			iat, exp := cl.IssuedAt.Unix(), cl.ExpiresAt.Unix()
			if iat < start || iat > now {
				t.Errorf("iat = %d, want between %d and %d", iat, start, now)
			}
			if exp-iat != int64(mintedLifetime/time.Second) {
				t.Errorf("exp - iat = %d s, want %v", exp-iat, mintedLifetime)
			}
			if cl.ID == "" {
				t.Error("no jti")
			}

			// Another alg, of another family, with the kid kept.
			otherAlg := "HS256"
			if strings.HasPrefix(m.Alg, "HS") {
				otherAlg = "RS256"
			}
			cases := []struct {
				name     string
				token    string
				verifier *jwtguard.Verifier
				want     error
			}{
				{"subject changed", withClaim(t, m.Token, "sub", "user-43"), verifier, jwtguard.ErrTokenSignatureInvalid},
				{"signature changed", flipSignature(t, m.Token), verifier, jwtguard.ErrTokenSignatureInvalid},
				{"alg changed to " + otherAlg, withHeader(t, m.Token, "alg", otherAlg), verifier, jwtguard.ErrUnknownKey},
				{"another key with the same kid", m.Token, mustVerifier(t, otherKey(t, m.Alg, m.Kid)), jwtguard.ErrTokenSignatureInvalid},
				{"another audience required", m.Token, mustVerifier(t, set, jwtguard.WithTokenType(""), jwtguard.WithAudience("urn:jwtguard:interop:third")), jwtguard.ErrTokenInvalidAudience},
				{"expired", m.Token, expired, jwtguard.ErrTokenExpired},
			}
			for _, c := range cases {
				_, err := c.verifier.Verify(t.Context(), c.token)
				if !errors.Is(err, c.want) || !errors.Is(err, jwtguard.ErrInvalidToken) {
					t.Errorf("%s: Verify error = %v, want %v (and ErrInvalidToken)", c.name, err, c.want)
				}
			}
		})
	}
}

// otherKey returns a key set of one new key for alg with the given kid: the
// key a token names, but not the one that signed it.
func otherKey(t *testing.T, alg, kid string) *jwtguard.KeySet {
	t.Helper()
	var (
		key *jwtguard.Key
		err error
	)
	switch {
	case strings.HasPrefix(alg, "HS"):
		secret := make([]byte, 64)
		rand.Read(secret)
		key, err = jwtguard.NewHMACKey(kid, secret, alg)
	case strings.HasPrefix(alg, "RS"), strings.HasPrefix(alg, "PS"):
		var priv *rsa.PrivateKey
		if priv, err = rsaKey(); err == nil {
			key, err = jwtguard.NewPublicKey(kid, priv, alg)
		}
	case strings.HasPrefix(alg, "ES"):
		curve := map[string]elliptic.Curve{"ES256": elliptic.P256(), "ES384": elliptic.P384(), "ES512": elliptic.P521()}[alg]
		var priv *ecdsa.PrivateKey
		if priv, err = ecdsa.GenerateKey(curve, rand.Reader); err == nil {
			key, err = jwtguard.NewPublicKey(kid, priv, alg)
		}
	default: // EdDSA, Ed25519
		var pub ed25519.PublicKey
		if pub, _, err = ed25519.GenerateKey(rand.Reader); err == nil {
			key, err = jwtguard.NewPublicKey(kid, pub, alg)
		}
	}
	if err != nil {
		t.Fatalf("a %s key: %v", alg, err)
	}
	set, err := jwtguard.NewKeySet(key)
	if err != nil {
		t.Fatal(err)
	}
	return set
}

// rsaKey is one RSA key for every test that needs some other RSA key.
var rsaKey = sync.OnceValues(func() (*rsa.PrivateKey, error) { return rsa.GenerateKey(rand.Reader, 2048) })
