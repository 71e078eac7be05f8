package jwtguard

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"strings"
	"sync/atomic"
	"time"
)

// ThrottleStore keeps a [LoginThrottle]'s token buckets where every
// process of a fleet counts in the same ones, so that N instances do not
// give an attacker N times the budget. The Redis store implements it.
// Implementations must be safe for concurrent use, by many processes.
type ThrottleStore interface {
	// Take takes one token from the bucket key, which holds up to burst
	// tokens, starts full and gains burst tokens in each period per. It
	// returns 0 when it took one, else how long until one is available
	// (taking none). It is atomic across every process sharing the store.
	Take(ctx context.Context, key string, burst int, per time.Duration) (wait time.Duration, err error)
	// Refund gives one token back to the bucket key, up to burst.
	Refund(ctx context.Context, key string, burst int, per time.Duration) error
}

// sharedThrottleTimeout bounds each call to a ThrottleStore: a store that
// hangs delays a sign-in this long at most, then the local buckets count.
const sharedThrottleTimeout = 500 * time.Millisecond

// WithSharedThrottle makes the throttle count in store's buckets, shared by
// every process that uses the same store, instead of its own. name keeps
// apart the buckets of different throttles on one store ("signin",
// "register"): throttles of one name on one store share their buckets, so
// every instance must configure them alike. When store
// fails or takes longer than half a second, the throttle counts in its own
// buckets for that request, as without it, and says so at level Warn on
// the throttle's logger ([WithLogger]; at most every ten seconds). The
// known clients that [WithPerUsername] exempts stay per process.
func WithSharedThrottle(store ThrottleStore, name string) ThrottleOption {
	return throttleOption(func(c *throttleConfig) {
		if store == nil {
			c.fail("nil throttle store")
		}
		if name == "" || strings.ContainsAny(name, ": ") {
			c.fail("shared throttle name %q: want a non-empty name without colons or blanks", name)
		}
		c.sharedName, c.shared = name, store
	})
}

// SharedThrottle is [WithSharedThrottle] with [WithLogger] (when log is
// not nil).
//
// Deprecated: use WithSharedThrottle and WithLogger.
func SharedThrottle(store ThrottleStore, name string, log *slog.Logger) ThrottleOption {
	return throttleOption(func(c *throttleConfig) {
		WithSharedThrottle(store, name).applyThrottle(c)
		if log != nil {
			c.logger = log
		}
	})
}

// sharedBuckets is one table's buckets in a ThrottleStore.
type sharedBuckets struct {
	store  ThrottleStore
	name   string // the throttle's and the table's, in every key
	log    *slog.Logger
	warned atomic.Int64 // Unix nanoseconds of the last warning
}

// key is the store's key of a table's key, throttle:<name>:<table>:<hash>:
// hashed, so that the store holds neither usernames nor addresses, and of
// one length.
func (s *sharedBuckets) key(k string) string {
	sum := sha256.Sum256([]byte(k))
	return "throttle:" + s.name + ":" + hex.EncodeToString(sum[:16])
}

// take takes a token from the shared bucket; ok is false when the store
// did not answer, and the caller counts locally.
func (s *sharedBuckets) take(l *limiters, key string) (wait time.Duration, ok bool) {
	ctx, cancel := context.WithTimeout(context.Background(), sharedThrottleTimeout)
	defer cancel()
	wait, err := s.store.Take(ctx, s.key(key), l.burst, l.per)
	if err != nil {
		s.warn(err)
		return 0, false
	}
	return wait, true
}

// refund gives a token back to the shared bucket, as well as it can: a
// token not given back costs the user one attempt, never lets more in.
func (s *sharedBuckets) refund(l *limiters, key string) {
	ctx, cancel := context.WithTimeout(context.Background(), sharedThrottleTimeout)
	defer cancel()
	if err := s.store.Refund(ctx, s.key(key), l.burst, l.per); err != nil {
		s.warn(err)
	}
}

func (s *sharedBuckets) warn(err error) {
	now := time.Now().UnixNano()
	last := s.warned.Load()
	if now-last < int64(10*time.Second) || !s.warned.CompareAndSwap(last, now) {
		return
	}
	s.log.Warn("jwtguard: the shared throttle store failed; counting in this process's buckets meanwhile",
		slog.String("table", s.name), slog.Any("error", err))
}

// share makes l count in store's buckets of the table name.
func (l *limiters) share(store ThrottleStore, name string, log *slog.Logger) {
	if l != nil {
		l.shared = &sharedBuckets{store: store, name: name, log: log}
	}
}
