package jwtguard

import (
	"strconv"
	"testing"
	"time"
)

// The tables stay bounded under a flood of keys, and keep the hot ones.
func TestLimitersBounded(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	l := newLimiters(5, time.Minute, 100)
	for i := range 10_000 {
		now = now.Add(time.Millisecond)
		l.take(strconv.Itoa(i), now)
		if i%10 == 0 {
			l.take("victim", now) // seen often: must survive eviction
		}
		if n := l.len(); n > 100 {
			t.Fatalf("%d limiters held, bound is 100", n)
		}
	}
	if _, ok := l.m["victim"]; !ok {
		t.Fatal("the most recently seen limiter was evicted")
	}
	if _, _, ok := l.reserve("victim", now); ok {
		t.Fatal("the victim's bucket was reset by eviction")
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
