package jwtguard

import (
	"errors"
	"log/slog"
	"time"
)

// Option is a setting that every constructor accepts alike: [WithLogger],
// [WithClock] and [WithObserver]. It is a [VerifierOption], [GuardOption],
// [IssuerOption], [EndpointOption], [RemoteOption], [ThrottleOption] and
// [MemoryOption] at once, so one value can be handed to each of them.
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

// Each constructor's option type is an interface that its own options and
// Option both implement.

// VerifierOption configures a [Verifier]. [Option] is one too.
type VerifierOption interface{ applyVerifier(*verifierConfig) }

type verifierOption func(*verifierConfig)

func (f verifierOption) applyVerifier(c *verifierConfig) { f(c) }
func (o Option) applyVerifier(c *verifierConfig)         { o(&c.commonConfig) }

// GuardOption configures a [Guard]. [Option] is one too.
type GuardOption interface{ applyGuard(*guardConfig) }

type guardOption func(*guardConfig)

func (f guardOption) applyGuard(c *guardConfig) { f(c) }
func (o Option) applyGuard(c *guardConfig)      { o(&c.commonConfig) }

// IssuerOption configures an [Issuer]. [Option] is one too.
type IssuerOption interface{ applyIssuer(*issuerConfig) }

type issuerOption func(*issuerConfig)

func (f issuerOption) applyIssuer(c *issuerConfig) { f(c) }
func (o Option) applyIssuer(c *issuerConfig)       { o(&c.commonConfig) }

// EndpointOption configures [Endpoints]. [Option] is one too.
type EndpointOption interface{ applyEndpoint(*endpointConfig) }

type endpointOption func(*endpointConfig)

func (f endpointOption) applyEndpoint(c *endpointConfig) { f(c) }
func (o Option) applyEndpoint(c *endpointConfig)         { o(&c.commonConfig) }

// RemoteOption configures a [RemoteKeySet] (and [Discover]). [Option] is
// one too.
type RemoteOption interface{ applyRemote(*remoteConfig) }

type remoteOption func(*remoteConfig)

func (f remoteOption) applyRemote(c *remoteConfig) { f(c) }
func (o Option) applyRemote(c *remoteConfig)       { o(&c.commonConfig) }

// ThrottleOption configures a [LoginThrottle]. [Option] is one too.
type ThrottleOption interface{ applyThrottle(*throttleConfig) }

type throttleOption func(*throttleConfig)

func (f throttleOption) applyThrottle(c *throttleConfig) { f(c) }
func (o Option) applyThrottle(c *throttleConfig)         { o(&c.commonConfig) }

// MemoryOption configures a [MemoryStore]. [Option] is one too: the store
// reads the clock, and logs and reports nothing itself (the Issuer and the
// checks report their calls to it).
type MemoryOption interface{ applyMemory(*commonConfig) }

func (o Option) applyMemory(c *commonConfig) { o(c) }
