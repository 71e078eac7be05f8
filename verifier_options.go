package jwtguard

import (
	"context"
	"strings"
	"time"
)

// DefaultMaxTokenSize is the longest token a [Verifier] reads by default.
const DefaultMaxTokenSize = 8 << 10

type verifierConfig struct {
	commonConfig
	maxSize     int
	leeway      time.Duration
	algs        algSet // 0: every algorithm a key allows
	issuers     []string
	audiences   []string
	issuerAud   map[string][]string // WithIssuerAudience
	typ         string
	tokenType   string
	expOptional bool
	validators  []func(context.Context, *Token) error
	subjectName string                        // WithSubjectClaim
	checkMakers []func(*verifierConfig) check // store and user checks, bound at construction
	checks      []check
	userCaches  []*ttlCache[userAnswer] // of the user checks, for Verifier.UserChanged

	cacheEntries int // 0: WithoutCache
	cacheBytes   int64
	cacheMaxAge  time.Duration
}

// check is a built-in check that runs after the claims are valid. Its errors
// are already the verifier's own. It returns the token the request goes on
// with: t itself, or a copy that carries what the check loaded (the user
// of a [UserLoaderFunc]); t is never modified, as the cache shares it.
type check func(context.Context, *Token) (*Token, error)

// passToken makes a check of f, which only accepts or refuses: the request
// goes on with the token it was given.
func passToken(f func(context.Context, *Token) error) check {
	return func(ctx context.Context, t *Token) (*Token, error) {
		if err := f(ctx, t); err != nil {
			return nil, err
		}
		return t, nil
	}
}

// addCheck adds a cached built-in check, bound to the final config when
// the verifier is built.
func (c *verifierConfig) addCheck(maxStale time.Duration, bind func(*verifierConfig) check) {
	if maxStale < 0 {
		c.fail("negative cache time %v", maxStale)
	}
	c.checkMakers = append(c.checkMakers, bind)
}

// subject returns the token's user: the claim of WithSubjectClaim, else
// "sub", else "user_id".
func (c *verifierConfig) subject(t *Token) string {
	switch c.subjectName {
	case "":
		return t.Subject()
	case "sub":
		return t.Claims.Subject
	case "user_id":
		return t.Claims.UserID
	}
	return claimText(t, c.subjectName)
}

// WithAlgorithms sets the algorithm allow-list. By default it follows from
// the keys: a provider with an Algorithms() []string method, as [KeySet]
// has, gives the list; for others, each key allows only its own family.
// "none" is never accepted.
func WithAlgorithms(names ...string) VerifierOption {
	return verifierOption(func(c *verifierConfig) {
		if len(names) == 0 {
			c.fail("WithAlgorithms needs at least one algorithm")
		}
		for _, n := range names {
			a, ok := parseAlg(n)
			if !ok {
				c.fail("unsupported algorithm %q", n)
				continue
			}
			c.algs |= 1 << a
		}
	})
}

// WithLeeway sets the clock skew allowed when checking "exp", "nbf" and
// "iat". The default is 0. It must be between 0 and 5 minutes.
func WithLeeway(d time.Duration) VerifierOption {
	return verifierOption(func(c *verifierConfig) {
		if d < 0 || d > 5*time.Minute {
			c.fail("leeway %v is outside [0, 5m]", d)
		}
		c.leeway = d
	})
}

// WithIssuer requires "iss" to be one of the given issuers. By default "iss"
// is not checked (simplejwt sets none).
func WithIssuer(issuers ...string) VerifierOption {
	return verifierOption(func(c *verifierConfig) {
		for _, iss := range issuers {
			if iss == "" {
				c.fail("empty issuer")
			}
		}
		c.issuers = append(c.issuers, issuers...)
	})
}

// WithAudience requires one of the token's audiences to be one of the given
// ones. By default "aud" is not checked.
func WithAudience(audiences ...string) VerifierOption {
	return verifierOption(func(c *verifierConfig) {
		for _, aud := range audiences {
			if aud == "" {
				c.fail("empty audience")
			}
		}
		c.audiences = append(c.audiences, audiences...)
	})
}

// WithIssuerAudience sets the audiences accepted for tokens of issuer iss,
// in place of those of [WithAudience]: with several trusted issuers (see
// [Issuers]), each names its resource servers its own way. Tokens of an
// issuer without its own audiences must match those of [WithAudience];
// without any, they are refused.
func WithIssuerAudience(iss string, audiences ...string) VerifierOption {
	return verifierOption(func(c *verifierConfig) {
		if iss == "" || len(audiences) == 0 {
			c.fail("WithIssuerAudience needs an issuer and an audience")
		}
		if c.issuerAud == nil {
			c.issuerAud = map[string][]string{}
		}
		c.issuerAud[iss] = append(c.issuerAud[iss], audiences...)
	})
}

// WithExpectedType requires the header's "typ", "at+jwt" for RFC 9068
// access tokens for example. It compares without regard to case, and with
// or without the "application/" prefix (RFC 7515 §4.1.9). By default "typ"
// is not checked.
func WithExpectedType(typ string) VerifierOption {
	return verifierOption(func(c *verifierConfig) {
		if typ == "" {
			c.fail("empty expected type")
		}
		c.typ = typ
	})
}

// WithTokenType sets the "token_type" claim an accepted token must carry,
// and with it simplejwt's token profile. The default is "access": a token
// is accepted only with "token_type": "access" and a "jti", as simplejwt's
// JWTAuthentication accepts it, so a simplejwt refresh token, an
// activation link or a token of another JWT library signed with the same
// secret never passes as an access token (refused with "Token has wrong
// type", "Token has no type" and "Token has no id"). The empty string
// turns the whole profile off: any "token_type", or none, and no "jti"
// are accepted, as tokens of an identity provider need.
func WithTokenType(tokenType string) VerifierOption {
	return verifierOption(func(c *verifierConfig) { c.tokenType = tokenType })
}

// WithExpirationOptional accepts tokens that have no "exp" claim. By default
// "exp" is required: a token without it would be valid forever.
func WithExpirationOptional() VerifierOption {
	return verifierOption(func(c *verifierConfig) { c.expOptional = true })
}

// WithMaxTokenSize sets the longest token, in bytes, that the verifier reads
// at all. The default is [DefaultMaxTokenSize], 8 KiB.
func WithMaxTokenSize(n int) VerifierOption {
	return verifierOption(func(c *verifierConfig) {
		if n < 64 || n > 1<<20 {
			c.fail("max token size %d is outside [64, 1 MiB]", n)
		}
		c.maxSize = n
	})
}

// WithSubjectClaim names the claim that identifies the user for
// [WithUserCheck] and [WithRevocationCheck]. By default it is "sub", or
// "user_id" when there is no "sub".
func WithSubjectClaim(name string) VerifierOption {
	return verifierOption(func(c *verifierConfig) {
		if name == "" {
			c.fail("empty subject claim")
		}
		c.subjectName = name
	})
}

// WithValidator adds a check that runs after every built-in one, on a token
// whose signature and claims are valid. An error it returns makes the token
// invalid; it matches [ErrTokenInvalidClaims] and the error itself, and its
// text is logged, never sent to the client. Validators run in the order
// given and must be safe for concurrent use.
func WithValidator(check func(ctx context.Context, t *Token) error) VerifierOption {
	return verifierOption(func(c *verifierConfig) {
		if check == nil {
			c.fail("nil validator")
		}
		c.validators = append(c.validators, check)
	})
}

// typEqual compares media types as RFC 7515 §4.1.9 asks.
func typEqual(got, want string) bool {
	trim := func(s string) string {
		if len(s) > 12 && strings.EqualFold(s[:12], "application/") {
			return s[12:]
		}
		return s
	}
	return strings.EqualFold(trim(got), trim(want))
}

// WithCache bounds the verified-token cache, which is on by default with
// [DefaultCacheEntries] (10 000) entries, [DefaultCacheBytes] (16 MiB) and
// [DefaultCacheMaxAge] (10 minutes). A token that passed every check is
// remembered, so that the same token on the next request skips decoding
// and the signature check, the bulk of the work; an entry lives no longer
// than the token's "exp" nor maxAge.
//
// Nothing that can change is cached: on every request, cached or not,
// "exp", "nbf" and "iat" hold with the leeway (an entry ends at the
// token's "exp", and when the clock is set back to before the token was
// checked), the key that verified the token must still be among the
// provider's (a key dropped from a [RemoteKeySet] ends its tokens'
// entries), and the revocation and user checks and the custom validators
// run. So the cache
// changes how fast a token is accepted, never whether it is. Only tokens
// that passed enter it, so a flood of forged tokens never does; when it is
// full, tokens not used lately leave first. It costs memory up to the
// bounds, its own copy of each token included: turn it off with
// [WithoutCache]. The bounds are split between up to 16 shards; bytes too
// few to hold a token in each are an error.
func WithCache(entries int, bytes int64, maxAge time.Duration) VerifierOption {
	return verifierOption(func(c *verifierConfig) {
		if entries < 1 || bytes < 1 || maxAge <= 0 {
			c.fail("cache bounds %d entries, %d bytes, %v must all be positive", entries, bytes, maxAge)
		} else if least := int64(cacheShardsFor(entries)) * minCacheShardBytes; bytes < least {
			c.fail("a cache of %d entries needs at least %d bytes, not %d", entries, least, bytes)
		}
		c.cacheEntries, c.cacheBytes, c.cacheMaxAge = entries, bytes, maxAge
	})
}

// WithoutCache turns the verified-token cache off: every request decodes
// its token and checks its signature. See [WithCache].
func WithoutCache() VerifierOption {
	return verifierOption(func(c *verifierConfig) { c.cacheEntries = 0 })
}
