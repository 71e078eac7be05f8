package main

import (
	"context"
	"errors"
	"sync/atomic"
	"time"
)

// errHashBusy: every hashing slot stayed taken for the whole wait. The
// request is answered 503 with Retry-After.
var errHashBusy = errors.New("password hashing at capacity; try again")

// hashGate bounds the password hashes that run at once. An argon2id hash
// holds 19 MiB while it runs, so memory follows the number running: with
// no bound, 200 concurrent registrations held 6 GB. A hash waits at most
// wait for a slot; past it the caller refuses the request rather than
// queue more memory. It is safe for concurrent use.
type hashGate struct {
	slots chan struct{}
	wait  time.Duration

	running, peak atomic.Int32 // hashes running now, and at most so far
}

// newHashGate lets n hashes run at once, each waiting at most wait.
func newHashGate(n int, wait time.Duration) *hashGate {
	return &hashGate{slots: make(chan struct{}, n), wait: wait}
}

// do runs fn in a slot, or returns errHashBusy after the wait, or ctx's
// error when the client gave up first.
func (g *hashGate) do(ctx context.Context, fn func()) error {
	select {
	case g.slots <- struct{}{}:
	default:
		timer := time.NewTimer(g.wait)
		defer timer.Stop()
		select {
		case g.slots <- struct{}{}:
		case <-timer.C:
			return errHashBusy
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	defer func() { <-g.slots }()
	n := g.running.Add(1)
	for p := g.peak.Load(); n > p && !g.peak.CompareAndSwap(p, n); p = g.peak.Load() {
	}
	defer g.running.Add(-1)
	fn()
	return nil
}
