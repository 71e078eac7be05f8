package jwtguard

import (
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// limiters is a bounded table of token buckets, one per key. A bucket that
// is not full is never dropped: dropping it would forget attempts and give
// them back to whoever flooded the table. When the table is full of such
// buckets, a new key is refused until one refills (fail closed), unless
// the table fails open; full buckets go first, as forgetting them forgets
// nothing.
type limiters struct {
	limit  rate.Limit
	burst  int
	per    time.Duration
	max    int
	shared *sharedBuckets // nil: this process's buckets only
	// failOpen lets a new key through when the table is full of buckets in
	// use, untracked: for a table whose refusal would let one client's
	// flood shut everybody else out (the refresh sessions).
	failOpen bool

	mu       sync.Mutex
	m        map[string]*rate.Limiter
	nextScan time.Time // a full table is not scanned again before then
}

func newLimiters(n int, per time.Duration, max int) *limiters {
	if n == 0 {
		return nil
	}
	return &limiters{limit: rate.Limit(float64(n) / per.Seconds()), burst: n, per: per, max: max, m: map[string]*rate.Limiter{}}
}

// take takes one token from key's bucket, or reports how long until one
// is available.
func (l *limiters) take(key string, now time.Time) (time.Duration, bool) {
	if l == nil {
		return 0, true
	}
	if l.shared != nil {
		if wait, ok := l.shared.take(l, key); ok {
			return wait, wait == 0
		}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	lim := l.entry(key, now)
	if lim == nil && l.failOpen {
		return 0, true
	}
	if lim == nil {
		return l.interval(), false
	}
	if lim.AllowN(now, 1) {
		return 0, true
	}
	return l.wait(lim, now), false
}

// reserve takes one token from key's bucket to be given back by
// [reservation.refund], or reports how long until one is available.
func (l *limiters) reserve(key string, now time.Time) (reservation, time.Duration, bool) {
	if l == nil {
		return reservation{}, 0, true
	}
	if l.shared != nil {
		if wait, ok := l.shared.take(l, key); ok {
			if wait > 0 {
				return reservation{}, wait, false
			}
			return reservation{shared: l, key: key}, 0, true
		}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	lim := l.entry(key, now)
	if lim == nil {
		return reservation{}, l.interval(), false
	}
	res := lim.ReserveN(now, 1)
	if d := res.DelayFrom(now); d > 0 {
		res.CancelAt(now)
		return reservation{}, d, false
	}
	return reservation{res: res, at: now}, 0, true
}

// reservation is a token taken from a bucket, and when it was taken; or
// one taken from a shared bucket, of shared's table and key.
type reservation struct {
	res    *rate.Reservation
	at     time.Time
	shared *limiters
	key    string
}

// refund gives the token back. It cancels at the reservation's own time:
// x/time/rate's CancelAt does nothing for a time after the reservation's
// time to act, which any later clock reading is.
func (r reservation) refund() {
	if r.res != nil {
		r.res.CancelAt(r.at)
	}
	if r.shared != nil {
		r.shared.shared.refund(r.shared, r.key)
	}
}

// wait is how long until lim's bucket holds a token.
func (l *limiters) wait(lim *rate.Limiter, now time.Time) time.Duration {
	missing := 1 - lim.TokensAt(now)
	return time.Duration(math.Ceil(missing / float64(l.limit) * float64(time.Second)))
}

// interval is how long one token takes to come back: the wait given when
// the table is full.
func (l *limiters) interval() time.Duration {
	return time.Duration(math.Ceil(float64(time.Second) / float64(l.limit)))
}

// entry returns key's bucket, adding it when there is room; nil when the
// table is full of buckets that are not.
func (l *limiters) entry(key string, now time.Time) *rate.Limiter {
	lim, ok := l.m[key]
	if ok {
		return lim
	}
	if len(l.m) >= l.max {
		if now.Before(l.nextScan) {
			return nil
		}
		l.dropFull(now)
		if len(l.m) >= l.max {
			// Full of buckets in use: a flood. Scanning on every attempt
			// would cost the table's size each time; wait a token's time.
			l.nextScan = now.Add(l.interval())
			return nil
		}
	}
	lim = rate.NewLimiter(l.limit, l.burst)
	l.m[key] = lim
	return lim
}

// dropFull drops the buckets that are full again.
func (l *limiters) dropFull(now time.Time) {
	for k, lim := range l.m {
		if lim.TokensAt(now) >= float64(l.burst) {
			delete(l.m, k)
		}
	}
}

// len is the number of buckets held.
func (l *limiters) len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.m)
}
