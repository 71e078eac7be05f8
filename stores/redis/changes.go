package redisstore

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/jwtguard/jwtguard"
	"github.com/redis/go-redis/v9"
)

// The store is a [jwtguard.ChangeFeed]: each revocation is published on
// the channel <prefix>{store}:changes after it is written, and a subscription
// on that channel, opened when the first check subscribes, delivers what
// every process sharing the store publishes. When the subscription's
// connection breaks, the subscriber waits, subscribes again and delivers
// ChangedAll first: what was published meanwhile was missed, so every
// cached answer is asked of Redis again.

var _ jwtguard.ChangeFeed = (*Store)(nil)

// DefaultListenRetry is how long the subscriber waits before it subscribes
// again after losing its connection, unless [WithListenRetry] says
// otherwise.
const DefaultListenRetry = time.Second

// listenPing is how long the subscriber waits for a message before it
// checks, with a PING, that its connection still answers.
const listenPing = 10 * time.Second

// feed is the store's subscriber, started by the first Subscribe.
type feed struct {
	hub     jwtguard.ChangeHub
	start   sync.Once
	cancel  context.CancelFunc
	stopped chan struct{}

	mu sync.Mutex
	ps *redis.PubSub // the current subscription, closed by Close to end its read
}

// Subscribe implements [jwtguard.ChangeFeed]: fn gets every revocation
// written through any store with the same Redis and key prefix, and
// [jwtguard.ChangedAll] each time the subscription is back after losing
// its connection. The first call starts the subscription, which holds a
// connection of its own until [Store.Close]. The revocation check of
// jwtguard subscribes by itself.
func (s *Store) Subscribe(fn func(jwtguard.Change)) (cancel func()) {
	cancel = s.feed.hub.Subscribe(fn)
	if s.listenRetry > 0 {
		s.feed.start.Do(func() {
			ctx, stop := context.WithCancel(context.Background())
			s.feed.cancel, s.feed.stopped = stop, make(chan struct{})
			go s.listen(ctx)
		})
	}
	return cancel
}

// Announce implements [jwtguard.ChangeFeed]: it delivers c to this
// process's subscribers at once and publishes it to the others.
func (s *Store) Announce(ctx context.Context, c jwtguard.Change) error {
	text, err := c.MarshalText()
	if err != nil {
		return err
	}
	s.feed.hub.Deliver(c)
	if s.listenRetry == 0 {
		return nil
	}
	return fail("announce", s.client.Publish(ctx, s.keys.changes(), text).Err())
}

// Close ends the subscription that the first [Store.Subscribe] opened, and
// waits for it to end. The client stays open. A store that was never
// subscribed to has nothing to close.
func (s *Store) Close() error {
	var stopped chan struct{}
	s.feed.start.Do(func() {}) // no subscription may start after Close
	if s.feed.cancel != nil {
		s.feed.cancel()
		stopped = s.feed.stopped
		s.feed.mu.Lock()
		if s.feed.ps != nil {
			s.feed.ps.Close()
		}
		s.feed.mu.Unlock()
	}
	if stopped != nil {
		<-stopped
	}
	return nil
}

// announce publishes a revocation just written. A failure is logged, not
// returned: the revocation stands, and the other processes refuse it
// within their cache time.
func (s *Store) announce(ctx context.Context, kind jwtguard.ChangeKind, key string) {
	if err := s.Announce(ctx, jwtguard.Change{Kind: kind, Key: key}); err != nil {
		s.log.WarnContext(ctx, "redisstore: publishing a revocation to the other instances failed; they refuse it within their cache time", "err", err)
	}
}

// listen subscribes until ctx is done, again after every failure.
func (s *Store) listen(ctx context.Context) {
	defer close(s.feed.stopped)
	jwtguard.FollowChanges(ctx, s.listenRetry, s.receive, func(err error) bool {
		s.log.Warn("redisstore: the change subscription lost its connection; cached answers hold for their cache time until it is back",
			"err", err, "retry", s.listenRetry)
		return true
	})
}

// receive delivers what one subscription receives until it fails. The
// subscription is closed on the first failure rather than left to
// go-redis's reconnection, so that its return is always seen and
// announced with ChangedAll.
func (s *Store) receive(ctx context.Context) error {
	ps := s.client.Subscribe(ctx, s.keys.changes())
	defer ps.Close()
	s.feed.mu.Lock()
	s.feed.ps = ps
	s.feed.mu.Unlock()
	if ctx.Err() != nil { // Close came first, and found the previous one
		return ctx.Err()
	}
	for {
		msg, err := ps.ReceiveTimeout(ctx, listenPing)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		var timeout interface{ Timeout() bool }
		if errors.As(err, &timeout) && timeout.Timeout() {
			if err := ps.Ping(ctx); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return err
		}
		switch m := msg.(type) {
		case *redis.Subscription:
			if m.Kind == "subscribe" {
				s.feed.hub.Deliver(jwtguard.Change{Kind: jwtguard.ChangedAll})
			}
		case *redis.Message:
			var c jwtguard.Change
			if err := c.UnmarshalText([]byte(m.Payload)); err != nil {
				s.log.Warn("redisstore: a malformed change on the channel; every cached answer is dropped", "err", err)
				c = jwtguard.Change{Kind: jwtguard.ChangedAll}
			}
			s.feed.hub.Deliver(c)
		}
	}
}
