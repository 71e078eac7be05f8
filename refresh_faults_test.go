package jwtguard_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard"
)

// faultyStore is a real MemoryStore whose next Spend, or next
// RevokeFamily, fails without taking effect, as a store that timed out
// before writing does.
type faultyStore struct {
	jwtguard.Store
	failSpend, failFamily atomic.Bool
}

var errNotWritten = errors.New("timed out before the write")

func (s *faultyStore) Spend(ctx context.Context, r jwtguard.Record) error {
	if s.failSpend.CompareAndSwap(true, false) {
		return errNotWritten
	}
	return s.Store.Spend(ctx, r)
}

func (s *faultyStore) RevokeFamily(ctx context.Context, family string, until time.Time) error {
	if s.failFamily.CompareAndSwap(true, false) {
		return errNotWritten
	}
	return s.Store.RevokeFamily(ctx, family, until)
}

func newFaultyIssuer(t *testing.T, opts ...jwtguard.IssuerOption) (*jwtguard.Issuer, *faultyStore) {
	t.Helper()
	key, err := jwtguard.NewSigningKey("", keysForTest.secret, jwtguard.HS256)
	must(t, err)
	store := &faultyStore{Store: jwtguard.NewMemoryStore()}
	iss, err := jwtguard.NewIssuer(key, store, append([]jwtguard.IssuerOption{jwtguard.WithReuseGrace(0)}, opts...)...)
	must(t, err)
	return iss, store
}

// A spend that failed without taking effect earns a retry pass; the retry
// then spends the token as usual, and that uses the pass up: a third
// presentation is reuse, not a second pair of the same token.
func TestRetryPassUsedUpBySpend(t *testing.T) {
	ctx := context.Background()
	iss, store := newFaultyIssuer(t)
	p, err := iss.Issue(ctx, "1")
	must(t, err)
	store.failSpend.Store(true)
	if _, err := iss.Refresh(ctx, p.Refresh); !errors.Is(err, jwtguard.ErrUnavailable) {
		t.Fatalf("refresh with the spend failing: %v, want ErrUnavailable", err)
	}
	next, err := iss.Refresh(ctx, p.Refresh)
	must(t, err)
	if _, err := iss.Refresh(ctx, p.Refresh); !errors.Is(err, jwtguard.ErrTokenSpent) {
		t.Fatalf("a third presentation: %v, want reuse", err)
	}
	if _, err := iss.Refresh(ctx, next.Refresh); !errors.Is(err, jwtguard.ErrTokenRevoked) {
		t.Errorf("the retry's pair after the reuse: %v, want its session revoked", err)
	}
}

// A user lookup that fails during a refresh answers 503 and spends
// nothing: the client's retry gets its pair, not a theft alarm.
func TestRefreshUserLookupFailureRetried(t *testing.T) {
	ctx := context.Background()
	var fail atomic.Bool
	users := jwtguard.UserLookupFunc(func(context.Context, string) (bool, error) {
		if fail.CompareAndSwap(true, false) {
			return false, errNotWritten
		}
		return true, nil
	})
	iss, _ := newFaultyIssuer(t, jwtguard.WithUserLookup(users, 0))
	p, err := iss.Issue(ctx, "1")
	must(t, err)
	fail.Store(true)
	if _, err := iss.Refresh(ctx, p.Refresh); !errors.Is(err, jwtguard.ErrUnavailable) {
		t.Fatalf("refresh with the user lookup failing: %v, want ErrUnavailable", err)
	}
	next, err := iss.Refresh(ctx, p.Refresh)
	if err != nil {
		t.Fatalf("the client's retry: %v, want a pair", err)
	}
	if _, err := iss.Refresh(ctx, next.Refresh); err != nil {
		t.Errorf("the retry's pair: %v", err)
	}
}

// A logout cut short by the store is retried to the end: the session's
// access tokens stop passing once the retry succeeds.
func TestLogoutRetriedAfterStoreFailure(t *testing.T) {
	ctx := context.Background()
	iss, store := newFaultyIssuer(t, jwtguard.WithAccessRevocation(0))
	p, err := iss.Issue(ctx, "1")
	must(t, err)
	v, err := iss.Verifier()
	must(t, err)
	if _, err := v.Verify(ctx, p.Access); err != nil {
		t.Fatalf("the access token before logout: %v", err)
	}
	store.failFamily.Store(true)
	if err := iss.Logout(ctx, p.Refresh); !errors.Is(err, jwtguard.ErrUnavailable) {
		t.Fatalf("logout with the store failing: %v, want ErrUnavailable", err)
	}
	if err := iss.Logout(ctx, p.Refresh); err != nil {
		t.Fatalf("the client's retry of its logout: %v", err)
	}
	if _, err := v.Verify(ctx, p.Access); !errors.Is(err, jwtguard.ErrTokenRevoked) {
		t.Errorf("the session's access token after logout: %v, want revoked", err)
	}
}
