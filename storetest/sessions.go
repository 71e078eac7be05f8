package storetest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard"
)

// RunSessions checks the issuer's session rules over two handles on one
// shared store, as two instances of a service would have them, on the real
// clock: concurrent refreshes of one refresh token through both give one
// pair and duplicates that keep the session; a reuse past the grace window
// ends the session; a purpose token redeems once. It takes about half a
// second of real time, to pass a short grace window.
func RunSessions(t *testing.T, a, b jwtguard.Store) {
	t.Helper()
	ctx := context.Background()
	secret := []byte("storetest-sessions-secret-32-byt")
	issuers := func(t *testing.T, opts ...jwtguard.IssuerOption) (*jwtguard.Issuer, *jwtguard.Issuer) {
		t.Helper()
		key, err := jwtguard.NewSigningKey("", secret, jwtguard.HS256)
		must(t, err)
		ia, err := jwtguard.NewIssuer(key, a, opts...)
		must(t, err)
		ib, err := jwtguard.NewIssuer(key, b, opts...)
		must(t, err)
		return ia, ib
	}
	t.Run("ConcurrentRefreshKeepsTheSession", func(t *testing.T) {
		ia, ib := issuers(t)
		p, err := ia.Issue(ctx, "1")
		must(t, err)
		pairs := make([]*jwtguard.Pair, Concurrency)
		errs := make([]error, Concurrency)
		concurrently(ia, ib, func(n int, iss *jwtguard.Issuer) {
			pairs[n], errs[n] = iss.Refresh(ctx, p.Refresh)
		})
		var won *jwtguard.Pair
		for n, err := range errs {
			switch {
			case err == nil && won == nil:
				won = pairs[n]
			case err == nil:
				t.Fatal("two concurrent refreshes of one token got a pair")
			case !errors.Is(err, jwtguard.ErrTokenDuplicate):
				t.Errorf("a concurrent refresh: %v, want ErrTokenDuplicate", err)
			}
		}
		if won == nil {
			t.Fatal("no concurrent refresh got a pair")
		}
		if _, err := ib.Refresh(ctx, won.Refresh); err != nil {
			t.Errorf("the one pair's session after the duplicates: %v", err)
		}
	})
	t.Run("ReusePastTheWindowEndsTheSession", func(t *testing.T) {
		const grace = 200 * time.Millisecond
		ia, ib := issuers(t, jwtguard.WithReuseGrace(grace))
		p1, err := ia.Issue(ctx, "1")
		must(t, err)
		p2, err := ia.Refresh(ctx, p1.Refresh)
		must(t, err)
		if _, err := ib.Refresh(ctx, p1.Refresh); !errors.Is(err, jwtguard.ErrTokenDuplicate) {
			t.Fatalf("a reuse within the window: %v, want ErrTokenDuplicate", err)
		}
		time.Sleep(grace + 100*time.Millisecond)
		if _, err := ib.Refresh(ctx, p1.Refresh); !errors.Is(err, jwtguard.ErrTokenRevoked) || errors.Is(err, jwtguard.ErrTokenDuplicate) {
			t.Fatalf("a reuse past the window: %v, want a theft", err)
		}
		if _, err := ia.Refresh(ctx, p2.Refresh); !errors.Is(err, jwtguard.ErrTokenRevoked) {
			t.Errorf("the session after a theft: %v, want ErrTokenRevoked", err)
		}
	})
	t.Run("PurposeTokenRedeemsOnce", func(t *testing.T) {
		ia, ib := issuers(t)
		tok, _, err := ia.IssueToken(ctx, "password_reset", "1", time.Hour)
		must(t, err)
		errs := make([]error, Concurrency)
		concurrently(ia, ib, func(n int, iss *jwtguard.Issuer) {
			_, errs[n] = iss.RedeemToken(ctx, "password_reset", tok)
		})
		won := 0
		for _, err := range errs {
			switch {
			case err == nil:
				won++
			case !errors.Is(err, jwtguard.ErrTokenSpent):
				t.Errorf("a concurrent redemption: %v", err)
			}
		}
		if won != 1 {
			t.Errorf("%d of %d concurrent redemptions succeeded, want 1", won, Concurrency)
		}
	})
}

// concurrently runs fn Concurrency times at once, through a and b in turn.
func concurrently(a, b *jwtguard.Issuer, fn func(n int, iss *jwtguard.Issuer)) {
	var wg sync.WaitGroup
	start := make(chan struct{})
	for n := range Concurrency {
		iss := a
		if n%2 == 1 {
			iss = b
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			fn(n, iss)
		}()
	}
	close(start)
	wg.Wait()
}
