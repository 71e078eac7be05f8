package interop_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard"
	"github.com/jwtguard/jwtguard/interop/internal/oidc"
)

// discovery is the part of an OpenID provider's metadata a resource server
// needs.
type discovery struct {
	Issuer        string `json:"issuer"`
	JWKSURI       string `json:"jwks_uri"`
	TokenEndpoint string `json:"token_endpoint"`
}

// discover reads the provider's discovery document as a resource server
// would, and checks that it names the provider as its issuer.
func discover(t *testing.T, p *oidc.Provider) discovery {
	t.Helper()
	status, body := p.Get(t, p.Issuer+"/.well-known/openid-configuration")
	if status != http.StatusOK {
		t.Fatalf("discovery: status %d; body %s", status, body)
	}
	var d discovery
	if err := json.Unmarshal([]byte(body), &d); err != nil {
		t.Fatalf("discovery: %v; body %s", err, body)
	}
	if d.Issuer != p.Issuer {
		t.Fatalf("discovery: issuer = %q, want %q", d.Issuer, p.Issuer)
	}
	if !strings.HasPrefix(d.JWKSURI, p.Issuer+"/") {
		t.Fatalf("discovery: jwks_uri = %q, want a URL of the issuer", d.JWKSURI)
	}
	return d
}

// fetchKeys gets the JWK Set at jwksURI and parses it with ParseJWKSet. It
// also returns the key IDs the set publishes, and checks that the set holds
// no private key material.
func fetchKeys(t *testing.T, p *oidc.Provider, jwksURI string) (*jwtguard.KeySet, []string) {
	t.Helper()
	status, body := p.Get(t, jwksURI)
	if status != http.StatusOK {
		t.Fatalf("GET %s: status %d; body %s", jwksURI, status, body)
	}
	var set struct {
		Keys []map[string]any `json:"keys"`
	}
	if err := json.Unmarshal([]byte(body), &set); err != nil {
		t.Fatalf("GET %s: %v", jwksURI, err)
	}
	var kids []string
	for _, k := range set.Keys {
		for _, private := range []string{"d", "p", "q", "dp", "dq", "qi", "k"} {
			if _, ok := k[private]; ok {
				t.Errorf("the published key %v has the private member %q", k["kid"], private)
			}
		}
		kid, _ := k["kid"].(string)
		if kid == "" || k["use"] != "sig" {
			t.Errorf("published key %v: want a kid and use sig", k)
		}
		kids = append(kids, kid)
	}
	keys, err := jwtguard.ParseJWKSet([]byte(body))
	if err != nil {
		t.Fatalf("ParseJWKSet(%s): %v\n%s", jwksURI, err, body)
	}
	if len(keys) != len(set.Keys) {
		t.Errorf("ParseJWKSet kept %d of the %d published keys", len(keys), len(set.Keys))
	}
	ks, err := jwtguard.NewKeySet(keys...)
	if err != nil {
		t.Fatalf("NewKeySet: %v", err)
	}
	return ks, kids
}

// accessVerifier verifies the provider's access tokens as a resource server
// for its audience would.
func accessVerifier(t *testing.T, keys jwtguard.KeyProvider, p *oidc.Provider, opts ...jwtguard.VerifierOption) *jwtguard.Verifier {
	t.Helper()
	v, err := jwtguard.NewVerifier(keys, append([]jwtguard.VerifierOption{
		jwtguard.WithIssuer(p.Issuer),
		jwtguard.WithAudience(p.Audience),
		jwtguard.WithExpectedType("at+jwt"),
		jwtguard.WithTokenType(""),
	}, opts...)...)
	if err != nil {
		t.Fatalf("NewVerifier: %v", err)
	}
	return v
}

// TestOIDCProviderAccessTokens: the RFC 9068 access tokens that oidc-provider
// issues through the client_credentials grant, in every algorithm it signs
// with, verify with jwtguard given the provider's published JWK Set, with the
// claims the provider put in them; tampered or misdirected ones do not; and
// after the provider rotates its keys, only a re-fetched key set verifies
// the new tokens.
func TestOIDCProviderAccessTokens(t *testing.T) {
	p := oidc.Start(t)
	d := discover(t, p)
	keys, kids := fetchKeys(t, p, d.JWKSURI)
	verifier := accessVerifier(t, keys, p)

	// Every algorithm a published key allows, and only those.
	if got, want := sorted(keys.Algorithms()), sorted(oidc.Algorithms()); !slices.Equal(got, want) {
		t.Errorf("the published keys verify %v, want %v", got, want)
	}

	for _, alg := range oidc.Algorithms() {
		t.Run(alg, func(t *testing.T) {
			before := time.Now().Unix()
			raw := p.Token(t, alg, "read write unknown")
			tok, err := verifier.Verify(t.Context(), raw)
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			after := time.Now().Unix()

			if h := tok.Header; h.Alg != alg || h.Typ != "at+jwt" || !slices.Contains(kids, h.Kid) {
				t.Errorf("header = %+v, want alg %s, typ at+jwt and the kid of a published key", h, alg)
			}
			cl, client := tok.Claims, oidc.ClientID(alg)
			if cl.Issuer != p.Issuer {
				t.Errorf("iss = %q, want %q", cl.Issuer, p.Issuer)
			}
			if !slices.Equal(cl.Audience, []string{p.Audience}) {
				t.Errorf("aud = %q, want [%q]", cl.Audience, p.Audience)
			}
			// A client_credentials token is the client's own: sub is the
			// client ID (RFC 9068 §2.2).
			if cl.ClientID != client || cl.Subject != client || tok.Subject() != client {
				t.Errorf("client_id = %q, sub = %q, Subject() = %q, want %q", cl.ClientID, cl.Subject, tok.Subject(), client)
			}
			// The scope the resource server does not know is dropped.
			if cl.Scope != "read write" || !tok.HasScope("read") || !tok.HasScope("write") ||
				tok.HasScope("unknown") || tok.HasScope("admin") {
				t.Errorf("scope = %q, want %q", cl.Scope, "read write")
			}
			iat, exp := cl.IssuedAt.Unix(), cl.ExpiresAt.Unix()
			if iat < before || iat > after {
				t.Errorf("iat = %d, want between %d and %d", iat, before, after)
			}
			if exp-iat != int64(oidc.TokenLifetime/time.Second) {
				t.Errorf("exp - iat = %d s, want %v", exp-iat, oidc.TokenLifetime)
			}
			if cl.ID == "" || cl.TokenType != "" || cl.UserID != "" {
				t.Errorf("jti = %q, token_type = %q, user_id = %q, want a jti and neither of the others",
					cl.ID, cl.TokenType, cl.UserID)
			}
		})
	}

	t.Run("refusals", func(t *testing.T) {
		rs := p.Token(t, "RS256", "read")
		es := p.Token(t, "ES256", "read")
		late := func() time.Time { return time.Now().Add(oidc.TokenLifetime + time.Second) }
		cases := []struct {
			name     string
			token    string
			verifier *jwtguard.Verifier
			want     error
		}{
			{"another audience", rs, mustVerifier(t, keys, jwtguard.WithIssuer(p.Issuer), jwtguard.WithAudience("urn:jwtguard:interop:other")), jwtguard.ErrTokenInvalidAudience},
			{"another issuer", es, mustVerifier(t, keys, jwtguard.WithIssuer(p.Issuer+"/other")), jwtguard.ErrTokenInvalidIssuer},
			{"typ JWT expected", rs, mustVerifier(t, keys, jwtguard.WithExpectedType("JWT")), jwtguard.ErrTokenWrongType},
			{"expired", es, accessVerifier(t, keys, p, jwtguard.WithClock(late)), jwtguard.ErrTokenExpired},
			{"scope raised", withClaim(t, rs, "scope", "read write admin"), verifier, jwtguard.ErrTokenSignatureInvalid},
			{"audience changed", withClaim(t, es, "aud", "urn:jwtguard:interop:other"), mustVerifier(t, keys), jwtguard.ErrTokenSignatureInvalid},
			{"signature changed", flipSignature(t, es), verifier, jwtguard.ErrTokenSignatureInvalid},
			// The RSA key allows PS256 as well: the PSS check of a PKCS #1
			// v1.5 signature fails.
			{"RS256 relabelled PS256", withHeader(t, rs, "alg", "PS256"), verifier, jwtguard.ErrTokenSignatureInvalid},
			// No published key is an HMAC secret.
			{"RS256 relabelled HS256", withHeader(t, rs, "alg", "HS256"), verifier, jwtguard.ErrAlgorithmNotAllowed},
			{"unknown kid", withHeader(t, es, "kid", "not-a-published-kid"), verifier, jwtguard.ErrUnknownKey},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				_, err := c.verifier.Verify(t.Context(), c.token)
				if !errors.Is(err, c.want) || !errors.Is(err, jwtguard.ErrInvalidToken) {
					t.Fatalf("Verify error = %v, want %v (and ErrInvalidToken)", err, c.want)
				}
			})
		}
	})

	t.Run("rotation", func(t *testing.T) {
		old := map[string]string{}
		for _, alg := range oidc.Algorithms() {
			old[alg] = p.Token(t, alg, "read")
		}

		rotated := p.Rotate(t)
		newKeys, newKids := fetchKeys(t, p, d.JWKSURI)
		if !slices.Equal(sorted(newKids), sorted(rotated)) {
			t.Fatalf("after rotation the JWK Set publishes %v, want the new keys %v", newKids, rotated)
		}
		for _, kid := range newKids {
			if slices.Contains(kids, kid) {
				t.Errorf("kid %q is published before and after rotation", kid)
			}
		}
		newVerifier := accessVerifier(t, newKeys, p)

		for _, alg := range oidc.Algorithms() {
			t.Run(alg, func(t *testing.T) {
				fresh := p.Token(t, alg, "read")
				tok, err := newVerifier.Verify(t.Context(), fresh)
				if err != nil {
					t.Fatalf("a new token with the re-fetched keys: %v", err)
				}
				if !slices.Contains(newKids, tok.Header.Kid) {
					t.Errorf("a new token has kid %q, not one of the new keys %v", tok.Header.Kid, newKids)
				}
				if _, err := verifier.Verify(t.Context(), fresh); !errors.Is(err, jwtguard.ErrUnknownKey) {
					t.Errorf("a new token with the keys from before rotation: error %v, want ErrUnknownKey", err)
				}
				if _, err := newVerifier.Verify(t.Context(), old[alg]); !errors.Is(err, jwtguard.ErrUnknownKey) {
					t.Errorf("a token from before rotation with the re-fetched keys: error %v, want ErrUnknownKey", err)
				}
				if _, err := verifier.Verify(t.Context(), old[alg]); err != nil {
					t.Errorf("a token from before rotation with the keys from before: %v", err)
				}
			})
		}
	})
}

func mustVerifier(t *testing.T, keys jwtguard.KeyProvider, opts ...jwtguard.VerifierOption) *jwtguard.Verifier {
	t.Helper()
	v, err := jwtguard.NewVerifier(keys, opts...)
	if err != nil {
		t.Fatalf("NewVerifier: %v", err)
	}
	return v
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}
