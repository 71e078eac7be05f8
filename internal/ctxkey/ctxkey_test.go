package ctxkey

import (
	"context"
	"strings"
	"testing"
)

type other struct{}

func TestWith(t *testing.T) {
	parent, cancel := context.WithCancel(context.WithValue(context.Background(), other{}, "parent's"))
	ctx := With(parent, 42)
	if Value(ctx) != 42 || Value(parent) != nil {
		t.Fatalf("Value = %v, parent's %v", Value(ctx), Value(parent))
	}
	if ctx.Value(other{}) != "parent's" {
		t.Fatalf("a parent's value is lost: %v", ctx.Value(other{}))
	}
	if inner := With(ctx, 7); Value(inner) != 7 || Value(ctx) != 42 {
		t.Fatal("the innermost value must win")
	}
	// A context derived from it is cancelled with the parent: the context
	// package finds the parent's cancelCtx through Value.
	child, stop := context.WithCancel(ctx)
	defer stop()
	cancel()
	<-child.Done()
	if context.Cause(child) != context.Canceled {
		t.Fatalf("cause %v", context.Cause(child))
	}
	if s := ctx.(interface{ String() string }).String(); !strings.HasPrefix(s, "context.Background.WithValue") || !strings.HasSuffix(s, ".WithValue(verified token)") {
		t.Errorf("String() = %q", s)
	}
}
