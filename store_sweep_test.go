package jwtguard

import (
	"context"
	"strconv"
	"testing"
	"time"
)

// Expired entries are dropped, not only ignored: memory stays bounded.
func TestMemoryStoreSweeps(t *testing.T) {
	ctx := context.Background()
	now := time.Unix(1_800_000_000, 0)
	s := NewMemoryStore()
	s.now = func() time.Time { return now }
	for i := range 1000 {
		r := Record{ID: strconv.Itoa(i), Family: "f", ExpiresAt: now.Add(time.Minute)}
		if err := s.Spend(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.RevokeSubject(ctx, "u", now, now.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if n := s.Len(); n != 1001 {
		t.Fatalf("Len = %d, want 1001", n)
	}
	now = now.Add(2 * time.Minute)
	if err := s.RevokeFamily(ctx, "g", now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if n := s.Len(); n != 1 {
		t.Fatalf("after expiry Len = %d, want 1", n)
	}
}
