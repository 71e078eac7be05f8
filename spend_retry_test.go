package jwtguard_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard"
)

// lostReplyStore is a real store whose next spend takes effect but
// reports a failure, as when the database committed and its reply was
// lost.
type lostReplyStore struct {
	jwtguard.Store
	lose atomic.Bool
}

var errReplyLost = errors.New("connection reset before the reply")

func (s *lostReplyStore) Spend(ctx context.Context, r jwtguard.Record) error {
	err := s.Store.Spend(ctx, r)
	if s.lose.CompareAndSwap(true, false) {
		return errReplyLost
	}
	return err
}

func newLostReplyIssuer(t *testing.T, now func() time.Time, opts ...jwtguard.IssuerOption) (*jwtguard.Issuer, *lostReplyStore) {
	t.Helper()
	key, err := jwtguard.NewSigningKey("", keysForTest.secret, jwtguard.HS256)
	must(t, err)
	store := &lostReplyStore{Store: jwtguard.NewMemoryStore(jwtguard.WithClock(now))}
	iss, err := jwtguard.NewIssuer(key, store, append([]jwtguard.IssuerOption{jwtguard.WithClock(now)}, opts...)...)
	must(t, err)
	return iss, store
}

// lostSpendRetried issues a pair, refreshes it with the spend's reply
// lost (503), and retries: the retry gets a new pair. It returns the
// issuer, the first pair and the retry's.
func lostSpendRetried(t *testing.T, now func() time.Time, opts ...jwtguard.IssuerOption) (iss *jwtguard.Issuer, first, retried *jwtguard.Pair) {
	t.Helper()
	ctx := context.Background()
	iss, store := newLostReplyIssuer(t, now, opts...)
	first, err := iss.Issue(ctx, "1")
	must(t, err)
	store.lose.Store(true)
	if _, err := iss.Refresh(ctx, first.Refresh); !errors.Is(err, jwtguard.ErrUnavailable) {
		t.Fatalf("refresh with the spend's reply lost: %v, want ErrUnavailable", err)
	}
	retried, err = iss.Refresh(ctx, first.Refresh)
	if err != nil {
		t.Fatalf("the client's retry: %v, want a new pair", err)
	}
	return iss, first, retried
}

// TestRefreshRetryAfterLostSpend: a refresh whose spend committed but
// failed to answer may be retried once with the same token; a further
// presentation is reuse, and revokes the session (with the reuse grace
// window off; TestRefreshRetryWithinReuseGrace has it on).
func TestRefreshRetryAfterLostSpend(t *testing.T) {
	for name, now := range map[string]func() time.Time{"real clock": time.Now, "test clock": newTestClock().Now} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			iss, p, retried := lostSpendRetried(t, now, jwtguard.WithReuseGrace(0))
			if _, err := iss.Refresh(ctx, p.Refresh); !errors.Is(err, jwtguard.ErrTokenSpent) {
				t.Errorf("a third presentation: %v, want reuse", err)
			}
			if _, err := iss.Refresh(ctx, retried.Refresh); !errors.Is(err, jwtguard.ErrTokenRevoked) {
				t.Errorf("the retry's refresh token after reuse: %v, want its session revoked", err)
			}
		})
	}
}

// TestRefreshRetryWithinReuseGrace: with the default reuse grace window,
// the retry of a lost spend gets a pair, and a further presentation within
// the window is a duplicate that keeps the session: the retry's pair works.
func TestRefreshRetryWithinReuseGrace(t *testing.T) {
	for name, now := range map[string]func() time.Time{"real clock": time.Now, "test clock": newTestClock().Now} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			iss, p, retried := lostSpendRetried(t, now)
			if _, err := iss.Refresh(ctx, p.Refresh); !errors.Is(err, jwtguard.ErrTokenDuplicate) {
				t.Errorf("a third presentation within the window: %v, want a duplicate", err)
			}
			if _, err := iss.Refresh(ctx, retried.Refresh); err != nil {
				t.Errorf("the retry's refresh token after a duplicate: %v, want its session alive", err)
			}
		})
	}
}

// TestRefreshRetryGraceEnds: the retry's pass lasts a minute; past it, the
// token found spent is reuse.
func TestRefreshRetryGraceEnds(t *testing.T) {
	ctx := context.Background()
	clock := newTestClock()
	iss, store := newLostReplyIssuer(t, clock.Now)
	p, err := iss.Issue(ctx, "1")
	must(t, err)
	store.lose.Store(true)
	if _, err := iss.Refresh(ctx, p.Refresh); !errors.Is(err, jwtguard.ErrUnavailable) {
		t.Fatalf("refresh with the spend's reply lost: %v", err)
	}
	clock.Add(time.Minute + time.Second)
	if _, err := iss.Refresh(ctx, p.Refresh); !errors.Is(err, jwtguard.ErrTokenSpent) {
		t.Errorf("a retry past the grace: %v, want reuse", err)
	}
}

// downStore is a real store that can be switched off: every call fails.
type downStore struct {
	jwtguard.Store
	down atomic.Bool
}

var errStoreDown = errors.New("store unreachable")

func (s *downStore) Spend(ctx context.Context, r jwtguard.Record) error {
	if s.down.Load() {
		return errStoreDown
	}
	return s.Store.Spend(ctx, r)
}

func (s *downStore) Check(ctx context.Context, r jwtguard.Record) error {
	if s.down.Load() {
		return errStoreDown
	}
	return s.Store.Check(ctx, r)
}

// TestRefreshRetryNoPassForSpentTokens: a token spent long ago, replayed
// while the store fails, earns no pass: once the store is back, its replay
// is reuse, and the session is revoked.
func TestRefreshRetryNoPassForSpentTokens(t *testing.T) {
	ctx := context.Background()
	key, err := jwtguard.NewSigningKey("", keysForTest.secret, jwtguard.HS256)
	must(t, err)
	store := &downStore{Store: jwtguard.NewMemoryStore()}
	// Without the reuse grace window, so that the replay is reuse at once
	// (within it, a duplicate: refused, no pair either).
	iss, err := jwtguard.NewIssuer(key, store, jwtguard.WithReuseGrace(0))
	must(t, err)
	p, err := iss.Issue(ctx, "1")
	must(t, err)
	next, err := iss.Refresh(ctx, p.Refresh) // p.Refresh is spent
	must(t, err)

	store.down.Store(true)
	if _, err := iss.Refresh(ctx, p.Refresh); !errors.Is(err, jwtguard.ErrUnavailable) {
		t.Fatalf("replay with the store down: %v, want ErrUnavailable", err)
	}
	store.down.Store(false)
	if _, err := iss.Refresh(ctx, p.Refresh); !errors.Is(err, jwtguard.ErrTokenSpent) {
		t.Errorf("replay once the store is back: %v, want reuse", err)
	}
	if _, err := iss.Refresh(ctx, next.Refresh); !errors.Is(err, jwtguard.ErrTokenRevoked) {
		t.Errorf("the session's current token after the reuse: %v, want revoked", err)
	}
}
