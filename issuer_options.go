package jwtguard

import (
	"context"
	"log/slog"
	"time"
)

// IssuerOption configures an [Issuer]. [Option] is one too.
type IssuerOption interface{ applyIssuer(*issuerConfig) }

type issuerOption func(*issuerConfig)

func (f issuerOption) applyIssuer(c *issuerConfig) { f(c) }
func (o Option) applyIssuer(c *issuerConfig)       { o(&c.commonConfig) }

// The lifetimes simplejwt uses by default, and so does an [Issuer].
const (
	DefaultAccessLifetime  = 5 * time.Minute
	DefaultRefreshLifetime = 24 * time.Hour
)

type issuerConfig struct {
	commonConfig
	access, refresh time.Duration
	userClaim       string
	iss             string
	aud             []string
	leeway          time.Duration
	extra           func(ctx context.Context, subject string) (map[string]any, error)
	retired         []*Key
	users           UserLookup
	usersFor        time.Duration
	revocation      bool
	revocationFor   time.Duration
	grace           time.Duration
	storeTimeout    time.Duration
}

// WithAccessLifetime sets how long access tokens live. The default is
// [DefaultAccessLifetime], 5 minutes; it must be between 1 second and 24 hours.
func WithAccessLifetime(d time.Duration) IssuerOption {
	return issuerOption(func(c *issuerConfig) {
		if d < time.Second || d > 24*time.Hour {
			c.fail("access lifetime %v is outside [1s, 24h]", d)
		}
		c.access = d
	})
}

// WithRefreshLifetime sets how long refresh tokens live. The default is
// [DefaultRefreshLifetime], 24 hours; it must be between 1 second and
// 400 days, and not shorter than the access lifetime.
func WithRefreshLifetime(d time.Duration) IssuerOption {
	return issuerOption(func(c *issuerConfig) {
		if d < time.Second || d > 400*24*time.Hour {
			c.fail("refresh lifetime %v is outside [1s, 400 days]", d)
		}
		c.refresh = d
	})
}

// WithUserClaim sets the claim that carries the user's ID. The default is
// simplejwt's "user_id", written as a JSON number when the ID is a decimal
// integer (as Django writes a primary key) and as a string otherwise; "sub"
// is always a string, as RFC 7519 asks.
func WithUserClaim(name string) IssuerOption {
	return issuerOption(func(c *issuerConfig) {
		if name == "" || reservedClaim(name) && name != "sub" && name != "user_id" {
			c.fail("user claim %q is empty or reserved", name)
		}
		c.userClaim = name
	})
}

// WithTokenIssuer sets the "iss" claim of every token, and makes the
// issuer's verifiers require it. There is none by default, as in simplejwt.
func WithTokenIssuer(iss string) IssuerOption {
	return issuerOption(func(c *issuerConfig) {
		if iss == "" {
			c.fail("empty token issuer")
		}
		c.iss = iss
	})
}

// WithTokenAudience sets the "aud" claim of every token, and makes the
// issuer's verifiers require one of the audiences. There is none by default.
func WithTokenAudience(aud ...string) IssuerOption {
	return issuerOption(func(c *issuerConfig) {
		if len(aud) == 0 {
			c.fail("WithTokenAudience needs an audience")
		}
		for _, a := range aud {
			if a == "" {
				c.fail("empty audience")
			}
		}
		c.aud = append(c.aud, aud...)
	})
}

// WithExtraClaims adds claims to both tokens of every pair, from a function
// called once per pair, at login and at every refresh, so claims such as
// roles follow the user's current state. It must not set the claims the
// issuer writes itself (token_type, exp, iat, jti, sid, iss, aud, nbf,
// refresh_exp, the user claim, and neither "sub" nor "user_id", which
// verifiers read as the user), and must be safe for concurrent use.
func WithExtraClaims(fn func(ctx context.Context, subject string) (map[string]any, error)) IssuerOption {
	return issuerOption(func(c *issuerConfig) {
		if fn == nil {
			c.fail("nil extra claims function")
		}
		c.extra = fn
	})
}

// WithIssuerClock is [WithClock].
//
// Deprecated: use WithClock, which every constructor accepts.
func WithIssuerClock(now func() time.Time) IssuerOption { return WithClock(now) }

// WithIssuerLeeway sets the clock skew the issuer's verifiers allow. The
// default is 0; it must be between 0 and 5 minutes.
func WithIssuerLeeway(d time.Duration) IssuerOption {
	return issuerOption(func(c *issuerConfig) {
		if d < 0 || d > 5*time.Minute {
			c.fail("leeway %v is outside [0, 5m]", d)
		}
		c.leeway = d
	})
}

// WithRetiredKeys adds keys the issuer no longer signs with but still
// accepts, so that rotating the signing key logs nobody out: keep the old
// key here for one refresh lifetime. Give each key a kid. Public retired
// keys are published by [Issuer.JWKS] beside the active one.
func WithRetiredKeys(keys ...*Key) IssuerOption {
	return issuerOption(func(c *issuerConfig) {
		for _, k := range keys {
			if k == nil {
				c.fail("nil retired key")
				continue
			}
			c.retired = append(c.retired, k)
		}
	})
}

// WithUserLookup makes the issuer check the user at every refresh, and the
// verifier from [Issuer.Verifier] check it at every request, so that a
// deleted or deactivated user's tokens stop working at once. Answers are
// cached for up to maxStale (0: ask every time), which bounds how long a
// deactivated user's tokens may still pass, unless the application calls
// [Issuer.UserChanged], which ends it at once. A [UserLoaderFunc] also
// hands the user it loaded to the handler ([UserFromContext]).
func WithUserLookup(users UserLookup, maxStale time.Duration) IssuerOption {
	return issuerOption(func(c *issuerConfig) {
		if users == nil {
			c.fail("nil user lookup")
		}
		if maxStale < 0 {
			c.fail("negative cache time %v", maxStale)
		}
		c.users, c.usersFor = users, maxStale
	})
}

// WithAccessRevocation makes the verifier from [Issuer.Verifier] check
// every access token against the store, so that [Issuer.RevokeToken],
// [Issuer.RevokeSubject], logout and reuse detection end access tokens
// too, not only refresh tokens. Answers are cached for up to maxStale (0:
// ask every time), which bounds how long a revoked access token may still
// pass on a server that saw it before.
func WithAccessRevocation(maxStale time.Duration) IssuerOption {
	return issuerOption(func(c *issuerConfig) {
		if maxStale < 0 {
			c.fail("negative cache time %v", maxStale)
		}
		c.revocation, c.revocationFor = true, maxStale
	})
}

// WithStoreTimeout bounds every call the issuer, and the verifier from
// [Issuer.Verifier], make to the store (a [MemoryStore], which never
// waits, excepted) and to the [UserLookup], and the context of the
// sign-in's [Authenticator]; the default is [DefaultStoreTimeout]. A call that runs out of time fails as
// a store that cannot answer does: 503 with Retry-After. d must be within
// (0, 1m].
func WithStoreTimeout(d time.Duration) IssuerOption {
	return issuerOption(func(c *issuerConfig) {
		if d <= 0 || d > maxStoreTimeout {
			c.fail("store timeout %v is outside (0, %v]", d, maxStoreTimeout)
		}
		c.storeTimeout = d
	})
}

// WithIssuerLogger is [WithLogger].
//
// Deprecated: use WithLogger, which every constructor accepts.
func WithIssuerLogger(l *slog.Logger) IssuerOption { return WithLogger(l) }

// reservedClaim reports whether the issuer writes the claim name itself.
func reservedClaim(name string) bool {
	switch name {
	case "token_type", "exp", "iat", "jti", "sid", "iss", "aud", "nbf", "refresh_exp", "sub", "user_id", "cnf":
		return true
	}
	return false
}
