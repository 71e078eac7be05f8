package jwtguard_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard"
)

// A redeemed purpose token is spent: once only, across two issuers (two
// instances) sharing one store. The race of 100 concurrent redemptions is
// storetest.RunSessions's, run on a MemoryStore by TestMemoryStoreSessions.
func TestRedeemTokenSingleUse(t *testing.T) {
	ctx := context.Background()
	clock := newTestClock()
	a, store := newIssuer(t, clock)
	key, err := jwtguard.NewSigningKey("", keysForTest.secret, jwtguard.HS256)
	must(t, err)
	b, err := jwtguard.NewIssuer(key, store, jwtguard.WithClock(clock.Now))
	must(t, err)

	reset, _, err := a.IssueToken(ctx, "password_reset", "7", time.Hour)
	must(t, err)
	got, err := b.RedeemToken(ctx, "password_reset", reset)
	if err != nil || got.Claims.UserID != "7" {
		t.Fatalf("first redemption: %v", err)
	}
	for _, iss := range []*jwtguard.Issuer{a, b} {
		if _, err := iss.RedeemToken(ctx, "password_reset", reset); !errors.Is(err, jwtguard.ErrTokenSpent) {
			t.Errorf("a replay: %v, want ErrTokenSpent", err)
		}
	}
}

// RedeemToken refuses another type, the session types, and a token that
// RevokeSubject revoked (a password change ends outstanding resets).
func TestRedeemTokenRefuses(t *testing.T) {
	ctx := context.Background()
	clock := newTestClock()
	iss, _ := newIssuer(t, clock)
	activation, _, err := iss.IssueToken(ctx, "activation", "7", time.Hour)
	must(t, err)
	if _, err := iss.RedeemToken(ctx, "password_reset", activation); !errors.Is(err, jwtguard.ErrTokenWrongType) {
		t.Errorf("another purpose's token: %v", err)
	}
	p, err := iss.Issue(ctx, "7")
	must(t, err)
	for _, typ := range []string{"", "access", "refresh", "sliding"} {
		if _, err := iss.RedeemToken(ctx, typ, p.Refresh); err == nil || errors.Is(err, jwtguard.ErrInvalidToken) {
			t.Errorf("RedeemToken(%q) of a session token: %v, want a refusal of the type itself", typ, err)
		}
	}
	if _, err := iss.Refresh(ctx, p.Refresh); err != nil {
		t.Errorf("the refresh token after the refused redemptions: %v", err)
	}
	reset, _, err := iss.IssueToken(ctx, "password_reset", "7", time.Hour)
	must(t, err)
	must(t, iss.RevokeSubject(ctx, "7"))
	clock.Add(time.Second)
	if _, err := iss.RedeemToken(ctx, "password_reset", reset); !errors.Is(err, jwtguard.ErrTokenRevoked) {
		t.Errorf("a reset token after RevokeSubject: %v, want ErrTokenRevoked", err)
	}
}
