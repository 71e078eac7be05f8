package jwtguard

import (
	"testing"
	"time"
)

// The default clock reads the same time of day as time.Now, to its
// microsecond, and carries no monotonic reading.
func TestWallClock(t *testing.T) {
	for range 100 {
		before := time.Now().Truncate(time.Microsecond)
		now := wallClock()
		after := time.Now()
		if now.Before(before) || now.After(after) {
			t.Fatalf("wallClock() = %v, not within [%v, %v]", now, before, after)
		}
		if now != now.Round(0) {
			t.Fatalf("wallClock() = %v carries a monotonic reading", now)
		}
	}
	if testing.AllocsPerRun(100, func() { wallClock() }) != 0 {
		t.Error("wallClock allocates")
	}
}
