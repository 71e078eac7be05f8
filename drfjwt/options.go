package drfjwt

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/jwtguard/jwtguard"
)

// Option configures a [Profile].
type Option func(*config)

type config struct {
	prefix     string
	realm      string
	expiration time.Duration
	window     time.Duration
	maxStale   time.Duration
	maxBody    int64
	now        func() time.Time
	log        *slog.Logger
	throttle   *jwtguard.LoginThrottle
	errs       []error
}

func (c *config) fail(format string, args ...any) {
	c.errs = append(c.errs, fmt.Errorf("drfjwt: "+format, args...))
}

// WithPrefix sets the Authorization header's prefix, JWT_AUTH_HEADER_PREFIX:
// "JWT" by default ("Bearer" in many tutorials). It is matched without
// regard to ASCII case, as the old library matched it, and it names the
// WWW-Authenticate challenge as configured.
func WithPrefix(prefix string) Option {
	return func(c *config) {
		if prefix == "" || !isToken(prefix) {
			c.fail("prefix %q is not an HTTP auth-scheme token", prefix)
		}
		c.prefix = prefix
	}
}

// WithRealm sets the challenge's realm, "api" by default, as DRF's.
func WithRealm(realm string) Option {
	return func(c *config) {
		for i := 0; i < len(realm); i++ {
			if b := realm[i]; b == '"' || b == '\\' || b < 0x20 || b == 0x7f {
				c.fail("realm %q has a quote, a backslash or a control character", realm)
				return
			}
		}
		c.realm = realm
	}
}

// WithExpiration sets a token's lifetime, JWT_EXPIRATION_DELTA: five
// minutes by default, as the old library's. It must be a whole number of
// seconds, at least one.
func WithExpiration(d time.Duration) Option {
	return func(c *config) {
		if d < time.Second || d%time.Second != 0 {
			c.fail("expiration %v is not a whole number of seconds of at least 1s", d)
		}
		c.expiration = d
	}
}

// WithRefreshWindow sets how long after the first sign-in a token may
// still be refreshed, JWT_REFRESH_EXPIRATION_DELTA: seven days by
// default, as the old library's. It must be a whole number of seconds.
func WithRefreshWindow(d time.Duration) Option {
	return func(c *config) {
		if d < time.Second || d%time.Second != 0 {
			c.fail("refresh window %v is not a whole number of seconds of at least 1s", d)
		}
		c.window = d
	}
}

// WithUserCache lets the Guard's user check keep an account's answer for
// up to maxStale: 0 by default, which asks [Accounts] at every request, as
// the old library queried the database. [Profile.UserChanged] forgets an
// account at once.
func WithUserCache(maxStale time.Duration) Option {
	return func(c *config) {
		if maxStale < 0 {
			c.fail("negative user cache time %v", maxStale)
		}
		c.maxStale = maxStale
	}
}

// WithMaxBodySize sets the largest body the token views read,
// [jwtguard.DefaultMaxBodySize] by default; larger ones are refused with
// 413.
func WithMaxBodySize(n int64) Option {
	return func(c *config) {
		if n < 1 {
			c.fail("max body size %d is below 1", n)
		}
		c.maxBody = n
	}
}

// WithClock sets the clock tokens are minted and checked by, time.Now by
// default. Tests set it; production leaves it.
func WithClock(now func() time.Time) Option {
	return func(c *config) {
		if now == nil {
			c.fail("nil clock")
		}
		c.now = now
	}
}

// WithLogger sets the logger for failures the client does not see (an
// [Accounts] error). The default discards. Tokens and passwords are never
// logged.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) {
		if l == nil {
			c.fail("nil logger")
		}
		c.log = l
	}
}

// WithLoginThrottle limits sign-ins as the simplejwt endpoints do: every
// attempt per client address, failures per username and client, and per
// username ([jwtguard.LoginThrottle]); past them, obtain answers 429 with
// Retry-After and DRF's throttled body. There is none by default;
// production servers want one.
func WithLoginThrottle(t *jwtguard.LoginThrottle) Option {
	return func(c *config) {
		if t == nil {
			c.fail("nil throttle")
		}
		c.throttle = t
	}
}

func newConfig(opts []Option) (config, error) {
	c := config{
		prefix:     "JWT",
		realm:      "api",
		expiration: 5 * time.Minute,
		window:     7 * 24 * time.Hour,
		maxBody:    jwtguard.DefaultMaxBodySize,
		now:        time.Now,
	}
	for _, opt := range opts {
		opt(&c)
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	return c, errors.Join(c.errs...)
}

// isToken reports whether s is an RFC 9110 token (an auth-scheme).
func isToken(s string) bool {
	for i := 0; i < len(s); i++ {
		b := s[i]
		switch {
		case b >= 'a' && b <= 'z', b >= 'A' && b <= 'Z', b >= '0' && b <= '9':
		case b < 0x80 && b > 0x20 && strings.IndexByte("!#$%&'*+-.^_`|~", b) >= 0:
		default:
			return false
		}
	}
	return true
}
