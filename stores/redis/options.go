package redisstore

import (
	"fmt"
	"log/slog"
	"strings"
	"time"
)

// DefaultKeyPrefix is the prefix of every key a [Store] writes unless
// [WithKeyPrefix] sets another.
const DefaultKeyPrefix = "jwtguard:"

// Option configures a [Store]. Options are applied in order by [New],
// which reports every problem with them at once.
type Option func(*config)

type config struct {
	prefix   string
	log      *slog.Logger
	onLoss   func(StateLoss)
	volatile bool
	// listenRetry is the subscriber's wait before it subscribes again;
	// 0: no change feed.
	listenRetry time.Duration
	errs        []error
}

func (c *config) fail(format string, args ...any) {
	c.errs = append(c.errs, fmt.Errorf("redisstore: "+format, args...))
}

// WithKeyPrefix sets the prefix of every key the store writes; the default
// is [DefaultKeyPrefix]. Stores with different prefixes share nothing, so
// several applications, or test runs, can use one Redis.
//
// The prefix may carry its own Redis Cluster hash tag ("app:{auth}:") to
// choose the hash slot that holds the store's keys. It must not contain an
// empty hash tag ("{}" as its first brace pair): Redis would then hash
// each whole key, and the keys that one operation touches would no longer
// share a slot.
func WithKeyPrefix(prefix string) Option {
	return func(c *config) {
		if i := strings.IndexByte(prefix, '{'); i >= 0 && strings.HasPrefix(prefix[i+1:], "}") {
			c.fail("key prefix %q: its first brace pair {} is an empty hash tag, which would spread one operation's keys over several hash slots", prefix)
			return
		}
		c.prefix = prefix
	}
}

// WithLogger sets the logger that reports a loss of the store's state (at
// level Error) and a store started on a Redis without its marker (Warn);
// the default logs nothing.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) {
		if l == nil {
			c.fail("nil logger")
			return
		}
		c.log = l
	}
}

// WithStateLossHook sets a function called, once per process and loss,
// when the store finds that Redis lost its state, after the loss cut-off
// is in place: for an alert or a metric. The default is none. It runs on
// the request that found the loss, so it should return quickly.
func WithStateLossHook(f func(StateLoss)) Option {
	return func(c *config) {
		if f == nil {
			c.fail("nil state loss hook")
			return
		}
		c.onLoss = f
	}
}

// WithoutDurability makes [Open] accept a Redis that could lose the
// store's entries (no persistence, or a memory policy that evicts), with a
// warning, instead of refusing it: for development, or where signing
// every user out after a Redis restart is acceptable. Losses are still
// detected and made safe.
func WithoutDurability() Option {
	return func(c *config) { c.volatile = true }
}

// WithListenRetry sets how long the change subscriber waits before it
// subscribes again after losing its connection; the default is
// [DefaultListenRetry], one second. Meanwhile cached answers hold for
// their cache time only, and the subscriber's return drops them all. d
// must be within (0, 1m].
func WithListenRetry(d time.Duration) Option {
	return func(c *config) {
		if d <= 0 || d > time.Minute {
			c.fail("listen retry %v is outside (0, 1m]", d)
		}
		c.listenRetry = d
	}
}

// WithoutChangeFeed keeps the store from publishing its revocations and
// from subscribing to those of other processes: their verifiers then
// learn of a revocation within their cache time.
func WithoutChangeFeed() Option {
	return func(c *config) { c.listenRetry = 0 }
}
