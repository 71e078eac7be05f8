package jwtguard

import (
	"context"
	"time"
)

// FollowChanges keeps a [ChangeFeed]'s subscription to its shared channel
// going, for a store that carries changes over its database's own
// mechanism (PostgreSQL's LISTEN, Redis's SUBSCRIBE); it returns when ctx
// is done or lost says to stop.
//
// receive subscribes, delivers what arrives, and returns when its
// connection fails (or ctx is done). Once subscribed, and so again after
// every failure, it must deliver [ChangedAll] before anything else: what
// was sent while it was away was missed, and every cached answer has to be
// asked of the store again. Each time receive returns while ctx is not
// done, FollowChanges calls lost with its error: lost logs it, and reports
// whether to subscribe again (false for a failure that retrying cannot
// mend). FollowChanges then waits retry and calls receive again.
//
// Run it in a goroutine of the store's own, with a ctx that the store's
// Close cancels.
func FollowChanges(ctx context.Context, retry time.Duration, receive func(context.Context) error, lost func(error) bool) {
	for {
		err := receive(ctx)
		if ctx.Err() != nil || !lost(err) {
			return
		}
		wait := time.NewTimer(retry)
		select {
		case <-ctx.Done():
			wait.Stop()
			return
		case <-wait.C:
		}
	}
}
