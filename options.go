package jwtguard

import (
	"errors"
	"log/slog"
	"time"
)

// Option is a setting that every constructor accepts alike: [WithLogger],
// [WithClock] and [WithObserver]. It is a [VerifierOption], [GuardOption],
// [IssuerOption], [EndpointOption], [RemoteOption], [ThrottleOption] and
// [MemoryOption] at once, so one value can be handed to each of them. (Each
// of those is an interface, beside its constructor's config, that its own
// options and Option both implement.)
type Option func(*commonConfig)

// commonConfig is the part every constructor's configuration shares: the
// cross-cutting settings and the one collector of option errors.
type commonConfig struct {
	optionErrors
	logger   *slog.Logger
	now      func() time.Time
	observer Observer
}

// optionErrors collects every problem with a constructor's options, so
// that the constructor reports them all at once.
type optionErrors struct{ errs []error }

func (e *optionErrors) fail(format string, args ...any) {
	e.errs = append(e.errs, configError(format, args...))
}

// err is every problem collected, or nil.
func (e *optionErrors) err() error { return errors.Join(e.errs...) }

// WithLogger sets where a constructor's value logs: the Guard its
// refusals, the Issuer and the token endpoints their failures and detected
// reuse, a RemoteKeySet its fetches and failures, a LoginThrottle's shared
// store its failures. Each says what it logs, at which level. The default
// discards everything. Raw tokens are never logged, nor tokens in paths
// ([WithLogRedaction]).
func WithLogger(l *slog.Logger) Option {
	return func(c *commonConfig) {
		if l == nil {
			c.fail("nil logger")
		}
		c.logger = l
	}
}

// WithClock sets the source of the current time. The default is
// time.Now; tests pass one clock to every constructor so that the
// verifier, the issuer, the store and the throttle agree.
func WithClock(now func() time.Time) Option {
	return func(c *commonConfig) {
		if now == nil {
			c.fail("nil clock")
		}
		c.now = now
	}
}

// WithObserver sets the [Observer] told of what the value decides and does
// (see [Event]). There is none by default, and then nothing is built or
// called for it. Set the same observer on every constructor.
func WithObserver(o Observer) Option {
	return func(c *commonConfig) {
		if o == nil {
			c.fail("nil observer")
		}
		c.observer = o
	}
}

// setDefaults fills in the clock and the logger left unset.
func (c *commonConfig) setDefaults() {
	c.now, c.logger = c.clock(), c.log()
}

// clock returns the configured clock, time.Now by default.
func (c *commonConfig) clock() func() time.Time {
	if c.now == nil {
		return time.Now
	}
	return c.now
}

// log returns the configured logger, one that discards by default.
func (c *commonConfig) log() *slog.Logger {
	if c.logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return c.logger
}
