// Package ctxkey holds the request-context key of the verified token, so
// that the root package and its test helpers share it and nobody else can.
package ctxkey

import "context"

type key struct{}

// With returns a copy of ctx that carries v. It is a context type of its
// own rather than context.WithValue's: two words smaller, with no check
// of the key's type, on the path of every authenticated request.
func With(ctx context.Context, v any) context.Context { return &valueCtx{ctx, v} }

// Value returns what With stored, or nil.
func Value(ctx context.Context) any { return ctx.Value(key{}) }

// valueCtx is ctx with v under the package's key; everything else is
// ctx's, cancellation included.
type valueCtx struct {
	context.Context
	v any
}

func (c *valueCtx) Value(k any) any {
	if k == (key{}) {
		return c.v
	}
	return c.Context.Value(k)
}

// String names the context for debugging, as the context package's own do.
func (c *valueCtx) String() string {
	name := "context"
	if s, ok := c.Context.(interface{ String() string }); ok {
		name = s.String()
	}
	return name + ".WithValue(verified token)"
}
