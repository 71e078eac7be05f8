package jwtguard

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"
)

// A table stays bounded under a flood of keys, and never drops a bucket
// that is not full: new keys are refused instead, until buckets refill.
func TestLimitersBounded(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	l := newLimiters(5, time.Minute, 100)
	for range 5 {
		l.take("victim", now)
	}
	refused := 0
	for i := range 10_000 {
		now = now.Add(time.Millisecond)
		if _, ok := l.take(strconv.Itoa(i), now); !ok {
			refused++
		}
		if n := l.len(); n > 100 {
			t.Fatalf("%d limiters held, bound is 100", n)
		}
	}
	if refused == 0 {
		t.Fatal("a full table took every new key")
	}
	if _, ok := l.m["victim"]; !ok {
		t.Fatal("a bucket in use was dropped")
	}
	if _, _, ok := l.reserve("victim", now); ok {
		t.Fatal("the victim's bucket was reset")
	}
	// Once the buckets are full again, they make room.
	now = now.Add(time.Minute)
	if _, ok := l.take("newcomer", now); !ok {
		t.Fatal("a table of refilled buckets refused a new key")
	}
}

func TestUserKeyBounded(t *testing.T) {
	long := string(make([]byte, 1<<16))
	if k := userKey(long); len(k) > 65 {
		t.Fatalf("key of a 64 KiB username is %d bytes", len(k))
	}
	if userKey("vitor") != "vitor" {
		t.Fatal("short usernames are kept as they are")
	}
}

// SharedThrottle refuses a nil store and a name that is empty or has a
// colon.
func TestSharedThrottleBadArguments(t *testing.T) {
	if _, err := NewLoginThrottle(WithSharedThrottle(nil, "signin")); err == nil {
		t.Error("a nil throttle store was accepted")
	}
	for _, name := range []string{"", "a:b", "a b"} {
		if _, err := NewLoginThrottle(WithSharedThrottle(unreachableBuckets{}, name)); err == nil {
			t.Errorf("the name %q was accepted", name)
		}
	}
}

// unreachableBuckets is a ThrottleStore that never answers.
type unreachableBuckets struct{}

func (unreachableBuckets) Take(context.Context, string, int, time.Duration) (time.Duration, error) {
	return 0, errors.New("unreachable")
}

func (unreachableBuckets) Refund(context.Context, string, int, time.Duration) error {
	return errors.New("unreachable")
}
