package jwtguarddjango_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard"
	"github.com/jwtguard/jwtguard/django"
)

// Purge deletes jwtguard's entries of expired tokens and keeps the live
// ones, on the real clock.
func TestPurge(t *testing.T) {
	eachProject(t, func(t *testing.T, _ string, d *jwtguarddjango.DB) {
		ctx := context.Background()
		s := d.Store()
		now := time.Now()
		short := jwtguard.Record{ID: randomHex(16), Family: randomHex(16), Subject: "1", IssuedAt: now, ExpiresAt: now.Add(300 * time.Millisecond)}
		long := jwtguard.Record{ID: randomHex(16), Family: randomHex(16), Subject: "1", IssuedAt: now, ExpiresAt: now.Add(time.Hour)}
		for _, r := range []jwtguard.Record{short, long} {
			if err := s.RecordIssued(ctx, r, "token"); err != nil {
				t.Fatal(err)
			}
			if err := s.Spend(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.RevokeFamily(ctx, short.Family, short.ExpiresAt); err != nil {
			t.Fatal(err)
		}
		if n, err := s.Purge(ctx); err != nil || n != 0 {
			t.Fatalf("Purge before any expiry: %d, %v; want 0", n, err)
		}
		time.Sleep(time.Until(short.ExpiresAt) + 50*time.Millisecond)
		// The short token's issue, spend and session entries go.
		if n, err := s.Purge(ctx); err != nil || n != 3 {
			t.Fatalf("Purge after the short token's expiry: %d, %v; want 3", n, err)
		}
		if err := s.Check(ctx, long); !errors.Is(err, jwtguard.ErrTokenSpent) {
			t.Fatalf("the live token after Purge: %v, want ErrTokenSpent", err)
		}
	})
}
