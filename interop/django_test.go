package interop_test

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard"
	"github.com/jwtguard/jwtguard/interop/internal/django"
)

// TestDjangoTokensVerifyWithJwtguard: tokens that Django REST framework +
// simplejwt issue, from its obtain and its refresh endpoints, verify with
// jwtguard configured with the same HS256 secret, with the claims Django put
// in them; and jwtguard refuses what it should.
func TestDjangoTokensVerifyWithJwtguard(t *testing.T) {
	const secret = "interop-secret-shared-by-django-and-jwtguard"
	srv := django.Start(t, secret)

	accessVerifier := newVerifier(t, secret)
	refreshVerifier := newVerifier(t, secret, jwtguard.WithTokenType("refresh"))
	otherSecret := newVerifier(t, "not-the-secret-django-signs-with")
	otherSecretRefresh := newVerifier(t, "not-the-secret-django-signs-with", jwtguard.WithTokenType("refresh"))

	access, refresh := srv.Obtain(t, django.Username, django.Password)
	if status, body := srv.Hello(t, access); status != 200 || body != `{"message":"Hello, vitor"}` {
		t.Fatalf("Django refuses its own access token: %d %s", status, body)
	}
	refreshIat := intClaim(t, refresh, "iat")

	// Refresh in a later second than the pair was issued, so that an "iat"
	// copied from the refresh token differs from one set at refresh time.
	for time.Now().Unix() <= refreshIat {
		time.Sleep(50 * time.Millisecond)
	}
	refreshedAt := time.Now().Unix()
	access2, refresh2 := srv.RefreshPair(t, refresh)

	cases := []struct {
		name     string
		token    string
		verifier *jwtguard.Verifier
		wantErr  error // nil: the token is accepted

		// For accepted tokens.
		wantType string
		// wantIat is the expected "iat"; 0 means "now" (from before the
		// request that issued the token until now).
		wantIat int64
		issued  int64 // when the issuing request was sent
		// lifetime is the expected exp minus the time of issue.
		lifetime time.Duration
	}{
		{
			name: "access from obtain", token: access, verifier: accessVerifier,
			wantType: "access", wantIat: refreshIat, lifetime: 5 * time.Minute,
		},
		{
			name: "refresh from obtain, as a refresh token", token: refresh, verifier: refreshVerifier,
			wantType: "refresh", wantIat: refreshIat, lifetime: 24 * time.Hour,
		},
		{
			// simplejwt copies "iat" from the refresh token into the new
			// access token, so iat is that of the original pair.
			name: "access from refresh", token: access2, verifier: accessVerifier,
			wantType: "access", wantIat: refreshIat, issued: refreshedAt, lifetime: 5 * time.Minute,
		},
		{
			name: "rotated refresh from refresh, as a refresh token", token: refresh2, verifier: refreshVerifier,
			wantType: "refresh", issued: refreshedAt, lifetime: 24 * time.Hour,
		},
		{
			name: "refresh from obtain, by the default access verifier", token: refresh, verifier: accessVerifier,
			wantErr: jwtguard.ErrTokenWrongType,
		},
		{
			name: "rotated refresh, by the default access verifier", token: refresh2, verifier: accessVerifier,
			wantErr: jwtguard.ErrTokenWrongType,
		},
		{
			name: "access, by a refresh verifier", token: access, verifier: refreshVerifier,
			wantErr: jwtguard.ErrTokenWrongType,
		},
		{
			name: "access, by a verifier with another secret", token: access, verifier: otherSecret,
			wantErr: jwtguard.ErrTokenSignatureInvalid,
		},
		{
			name: "refreshed access, by a verifier with another secret", token: access2, verifier: otherSecret,
			wantErr: jwtguard.ErrTokenSignatureInvalid,
		},
		{
			name: "refresh, by a refresh verifier with another secret", token: refresh, verifier: otherSecretRefresh,
			wantErr: jwtguard.ErrTokenSignatureInvalid,
		},
		{
			name: "access with user_id changed to 2", token: withClaim(t, access, "user_id", 2), verifier: accessVerifier,
			wantErr: jwtguard.ErrTokenSignatureInvalid,
		},
		{
			name: "refresh with token_type changed to access", token: withClaim(t, refresh, "token_type", "access"), verifier: accessVerifier,
			wantErr: jwtguard.ErrTokenSignatureInvalid,
		},
	}

	jti := regexp.MustCompile(`^[0-9a-f]{32}$`)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tok, err := c.verifier.Verify(t.Context(), c.token)
			if c.wantErr != nil {
				if !errors.Is(err, c.wantErr) || !errors.Is(err, jwtguard.ErrInvalidToken) {
					t.Fatalf("Verify error = %v, want %v (and ErrInvalidToken)", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			now := time.Now().Unix()
			cl := tok.Claims

			if tok.Header.Alg != "HS256" || tok.Header.Typ != "JWT" || tok.Header.Kid != "" {
				t.Errorf("header = %+v, want alg HS256, typ JWT, no kid", tok.Header)
			}
			if cl.UserID != django.UserID || tok.Subject() != django.UserID {
				t.Errorf("UserID = %q, Subject() = %q, want %q", cl.UserID, tok.Subject(), django.UserID)
			}
			// Django sends the primary key as a JSON number.
			if raw, ok := tok.RawClaim("user_id"); !ok || string(raw) != "1" {
				t.Errorf(`raw user_id = %s, want the number 1`, raw)
			}
			if cl.TokenType != c.wantType {
				t.Errorf("TokenType = %q, want %q", cl.TokenType, c.wantType)
			}
			if !jti.MatchString(cl.ID) {
				t.Errorf("jti = %q, want 32 lowercase hex digits", cl.ID)
			}
			if cl.Issuer != "" || cl.Subject != "" || cl.Audience != nil || !cl.NotBefore.IsZero() {
				t.Errorf("unexpected iss %q, sub %q, aud %q or nbf %v", cl.Issuer, cl.Subject, cl.Audience, cl.NotBefore)
			}

			iat, exp := cl.IssuedAt.Unix(), cl.ExpiresAt.Unix()
			if c.wantIat != 0 {
				if iat != c.wantIat {
					t.Errorf("iat = %d, want %d", iat, c.wantIat)
				}
			} else if iat < c.issued || iat > now {
				t.Errorf("iat = %d, want between %d and %d", iat, c.issued, now)
			}
			// exp is the time of issue plus the lifetime: iat plus the
			// lifetime when iat is the time of issue.
			from, to := iat, iat
			if c.issued != 0 {
				from, to = c.issued, now
			}
			life := int64(c.lifetime / time.Second)
			if exp < from+life || exp > to+life {
				t.Errorf("exp = %d, want %d to %d (issued then, plus %v)", exp, from+life, to+life, c.lifetime)
			}
		})
	}

	t.Run("tokens are distinct", func(t *testing.T) {
		seen := map[string]string{}
		for name, tok := range map[string]string{"access": access, "refresh": refresh, "access2": access2, "refresh2": refresh2} {
			id := stringClaim(t, tok, "jti")
			if other, dup := seen[id]; dup {
				t.Errorf("%s and %s share jti %s", name, other, id)
			}
			seen[id] = name
		}
	})
}

func newVerifier(t *testing.T, secret string, opts ...jwtguard.VerifierOption) *jwtguard.Verifier {
	t.Helper()
	key, err := jwtguard.NewHMACKey("", []byte(secret), "HS256")
	if err != nil {
		t.Fatal(err)
	}
	keys, err := jwtguard.NewKeySet(key)
	if err != nil {
		t.Fatal(err)
	}
	v, err := jwtguard.NewVerifier(keys, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// claims decodes a token's claims set without verifying it.
func claims(t *testing.T, token string) map[string]json.RawMessage {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("token has %d segments", len(parts))
	}
	data, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatalf("claims segment: %v", err)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatalf("claims: %v", err)
	}
	return m
}

func intClaim(t *testing.T, token, name string) int64 {
	t.Helper()
	var v int64
	if err := json.Unmarshal(claims(t, token)[name], &v); err != nil {
		t.Fatalf("claim %s: %v", name, err)
	}
	return v
}

func stringClaim(t *testing.T, token, name string) string {
	t.Helper()
	var v string
	if err := json.Unmarshal(claims(t, token)[name], &v); err != nil {
		t.Fatalf("claim %s: %v", name, err)
	}
	return v
}

// withClaim returns token with one claim replaced and the signature kept:
// a forgery.
func withClaim(t *testing.T, token, name string, value any) string {
	t.Helper()
	m := claims(t, token)
	v, err := json.Marshal(value)
	if err != nil {
		t.Fatal(err)
	}
	m[name] = v
	payload, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(token, ".")
	return parts[0] + "." + base64.RawURLEncoding.EncodeToString(payload) + "." + parts[2]
}
