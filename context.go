package jwtguard

import (
	"context"
	"net/http"

	"github.com/jwtguard/jwtguard/internal/ctxkey"
)

// FromContext returns the verified token that the [Guard] put into ctx. It
// reports false for an anonymous request. Only the Guard (and, in tests,
// package jwtguardtest) can put a token there: the key is unexported.
func FromContext(ctx context.Context) (*Token, bool) {
	t, ok := ctxkey.Value(ctx).(*Token)
	return t, ok && t != nil
}

// FromRequest returns the verified token of r; see [FromContext].
func FromRequest(r *http.Request) (*Token, bool) { return FromContext(r.Context()) }

// withToken returns r with t in its context.
func withToken(r *http.Request, t *Token) *http.Request {
	return r.WithContext(ctxkey.With(r.Context(), t))
}
