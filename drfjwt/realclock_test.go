package drfjwt_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard"
	"github.com/jwtguard/jwtguard/drfjwt"
)

// On the real clock: a one-second token expires, and a token whose
// one-second refresh window has passed no longer refreshes though it
// still verifies. (Every other test runs on a set clock.)
func TestRealClock(t *testing.T) {
	key, err := jwtguard.NewSigningKey("", []byte(secret), jwtguard.HS256)
	must(t, err)
	users := newAccounts()
	short, err := drfjwt.New(key, users, drfjwt.WithExpiration(time.Second))
	must(t, err)
	narrow, err := drfjwt.New(key, users, drfjwt.WithExpiration(time.Minute), drfjwt.WithRefreshWindow(time.Second))
	must(t, err)
	ctx := context.Background()
	vitor := drfjwt.User{ID: "1", Username: "vitor", Email: "vitor@example.com", Active: true}

	expiring, err := short.IssueToken(vitor)
	must(t, err)
	windowed, err := narrow.IssueToken(vitor)
	must(t, err)
	if _, err := short.RefreshToken(ctx, expiring); err != nil {
		t.Fatalf("a fresh token does not refresh: %v", err)
	}
	if _, err := narrow.RefreshToken(ctx, windowed); err != nil {
		t.Fatalf("a fresh token does not refresh inside its window: %v", err)
	}
	time.Sleep(2100 * time.Millisecond)
	if _, err := short.RefreshToken(ctx, expiring); !errors.Is(err, jwtguard.ErrTokenExpired) {
		t.Errorf("an expired token refreshes: %v", err)
	}
	if _, _, err := narrow.VerifyToken(ctx, windowed); err != nil {
		t.Errorf("a token past its window no longer verifies: %v", err)
	}
	if _, err := narrow.RefreshToken(ctx, windowed); !errors.Is(err, drfjwt.ErrRefreshExpired) {
		t.Errorf("a token past its window refreshes: %v", err)
	}
}
