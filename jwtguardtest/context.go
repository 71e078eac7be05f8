// Package jwtguardtest helps test code that uses jwtguard: it puts verified
// tokens into requests for handler tests, and its [RunSpec] kit checks that
// an entry point (net/http, chi, a framework adapter) answers every request
// exactly as the Guard does.
package jwtguardtest

import (
	"context"
	"crypto/rand"
	"net/http"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/jwtguard/jwtguard"
	"github.com/jwtguard/jwtguard/internal/ctxkey"
)

// NewContext returns a copy of ctx carrying t, as the Guard would leave it,
// so jwtguard.FromContext finds it in a handler under test.
func NewContext(ctx context.Context, t *jwtguard.Token) context.Context {
	return ctxkey.With(ctx, t)
}

// WithToken returns r with t in its context; see [NewContext].
func WithToken(r *http.Request, t *jwtguard.Token) *http.Request {
	return r.WithContext(NewContext(r.Context(), t))
}

// Token returns a real verified token with the given claims, and fails tb
// if it cannot; see [NewToken].
func Token(tb testing.TB, claims map[string]any) *jwtguard.Token {
	tb.Helper()
	t, err := NewToken(claims)
	if err != nil {
		tb.Fatalf("jwtguardtest: %v", err)
	}
	return t
}

// NewToken returns a real verified token with the given claims: it signs
// them with a fresh HS256 key and verifies the result with a
// jwtguard.Verifier, so the token is exactly what the Guard would produce.
// An "exp" five minutes ahead is added when claims have none.
func NewToken(claims map[string]any) (*jwtguard.Token, error) {
	secret := make([]byte, 32)
	rand.Read(secret)
	mc := jwt.MapClaims{"exp": time.Now().Add(5 * time.Minute).Unix()}
	for k, v := range claims {
		mc[k] = v
	}
	raw, err := jwt.NewWithClaims(jwt.SigningMethodHS256, mc).SignedString(secret)
	if err != nil {
		return nil, err
	}
	key, err := jwtguard.NewHMACKey("", secret)
	if err != nil {
		return nil, err
	}
	keys, err := jwtguard.NewKeySet(key)
	if err != nil {
		return nil, err
	}
	v, err := jwtguard.NewVerifier(keys, jwtguard.WithTokenType(""))
	if err != nil {
		return nil, err
	}
	return v.Verify(context.Background(), raw)
}
