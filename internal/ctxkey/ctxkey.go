// Package ctxkey holds the request-context key of the verified token, so
// that the root package and its test helpers share it and nobody else can.
package ctxkey

import "context"

type key struct{}

// With returns a copy of ctx that carries v.
func With(ctx context.Context, v any) context.Context { return context.WithValue(ctx, key{}, v) }

// Value returns what With stored, or nil.
func Value(ctx context.Context) any { return ctx.Value(key{}) }
