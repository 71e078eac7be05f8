package jwtguard_test

import (
	"context"
	"encoding/base64"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard"
)

// Sign writes the caller's header and claims as given, and the token
// verifies; a header that does not match the key, or claims a verifier
// would not read, are refused before anything is signed.
func TestSigningKeySign(t *testing.T) {
	secret := []byte("a-secret-of-at-least-sixteen-bytes")
	key, err := jwtguard.NewSigningKey("", secret, jwtguard.HS256)
	must(t, err)
	v, err := jwtguard.NewVerifier(keySetOf(t, key.VerificationKey()), jwtguard.WithTokenType(""))
	must(t, err)
	exp := time.Now().Add(time.Hour).Unix()
	claims := []byte(`{"z":1,"exp":` + strconv.FormatInt(exp, 10) + `,"a":"x"}`)

	for _, header := range [][]byte{nil, []byte(`{"typ":"JWT","alg":"HS256"}`)} {
		tok, err := key.Sign(header, claims)
		must(t, err)
		parts := strings.Split(tok, ".")
		got, _ := base64.RawURLEncoding.DecodeString(parts[1])
		if string(got) != string(claims) {
			t.Errorf("claims written as %s, want %s", got, claims)
		}
		if header != nil {
			if h, _ := base64.RawURLEncoding.DecodeString(parts[0]); string(h) != string(header) {
				t.Errorf("header written as %s, want %s", h, header)
			}
		}
		if _, err := v.Verify(context.Background(), tok); err != nil {
			t.Errorf("header %s: the signed token does not verify: %v", header, err)
		}
	}

	kidKey, err := jwtguard.NewSigningKey("k1", secret, jwtguard.HS256)
	must(t, err)
	for name, c := range map[string]struct {
		key            *jwtguard.SigningKey
		header, claims string
	}{
		"other alg":      {key, `{"alg":"HS512"}`, `{}`},
		"alg none":       {key, `{"alg":"none"}`, `{}`},
		"no alg":         {key, `{"typ":"JWT"}`, `{}`},
		"crit":           {key, `{"alg":"HS256","crit":["x"]}`, `{}`},
		"other kid":      {kidKey, `{"alg":"HS256","kid":"k2"}`, `{}`},
		"missing kid":    {kidKey, `{"alg":"HS256"}`, `{}`},
		"header not obj": {key, `[1]`, `{}`},
		"claims not obj": {key, `{"alg":"HS256"}`, `[]`},
		"exp a string":   {key, `{"alg":"HS256"}`, `{"exp":"soon"}`},
		"duplicate":      {key, `{"alg":"HS256"}`, `{"a":1,"a":2}`},
		"trailing":       {key, `{"alg":"HS256"}`, `{} x`},
	} {
		if tok, err := c.key.Sign([]byte(c.header), []byte(c.claims)); err == nil {
			t.Errorf("%s: signed %s", name, tok)
		}
	}
}

func keySetOf(t testing.TB, keys ...*jwtguard.Key) *jwtguard.KeySet {
	t.Helper()
	ks, err := jwtguard.NewKeySet(keys...)
	must(t, err)
	return ks
}
