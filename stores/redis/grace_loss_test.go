package redisstore_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard"
)

// TestReuseAfterStateLoss: after Redis lost the store's state, the cut-off
// covers what was issued before the loss, and nothing else: a refresh
// token of a session begun after the loss, replayed past the reuse grace
// window, is reuse that revokes its session, not a duplicate (the window's
// marker must not read as present because the cut-off covers it).
func TestReuseAfterStateLoss(t *testing.T) {
	c := newClient(t)
	prefix := newPrefix(t, c)
	s, w := watchedStore(t, c, prefix)
	ctx := context.Background()
	expect(t, s.Check(ctx, record()), nil, "a first call writes the marker")
	wipe(t, c, prefix)
	expect(t, s.Check(ctx, record()), jwtguard.ErrTokenRevoked, "the first call after the loss")
	if _, losses := w.seen(); len(losses) != 1 {
		t.Fatalf("losses reported: %v, want one", losses)
	}
	time.Sleep(1100 * time.Millisecond) // tokens issued after the cut-off, to the second

	key, err := jwtguard.NewSigningKey("", []byte("grace-after-loss-test-secret-0123456789"), jwtguard.HS256)
	must(t, err)
	iss, err := jwtguard.NewIssuer(key, s, jwtguard.WithReuseGrace(time.Second))
	must(t, err)
	first, err := iss.Issue(ctx, "7")
	must(t, err)
	second, err := iss.Refresh(ctx, first.Refresh)
	must(t, err)
	time.Sleep(1200 * time.Millisecond) // past the grace window
	if _, err := iss.Refresh(ctx, first.Refresh); !errors.Is(err, jwtguard.ErrTokenSpent) || errors.Is(err, jwtguard.ErrTokenDuplicate) {
		t.Fatalf("the spent token replayed past the window: %v, want reuse", err)
	}
	if _, err := iss.Refresh(ctx, second.Refresh); !errors.Is(err, jwtguard.ErrTokenRevoked) {
		t.Errorf("the session's current token after the reuse: %v, want revoked", err)
	}
}
