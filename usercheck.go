package jwtguard

import (
	"context"
	"errors"
	"time"
)

// UserLookup tells whether the user a token names still exists and may
// sign in, as simplejwt's JWTAuthentication asks the database at every
// request. It is supplied by the application.
type UserLookup interface {
	// LookupUser returns whether the user with ID id is active, or an error
	// matching [ErrUserNotFound] when there is no such user. Any other error
	// means the answer is unknown: the request fails closed with 503. It
	// must be safe for concurrent use.
	LookupUser(ctx context.Context, id string) (active bool, err error)
}

// UserLookupFunc adapts a function to a [UserLookup].
type UserLookupFunc func(ctx context.Context, id string) (active bool, err error)

// LookupUser calls f.
func (f UserLookupFunc) LookupUser(ctx context.Context, id string) (bool, error) { return f(ctx, id) }

var (
	// ErrUserNotFound: the token's user no longer exists. A [UserLookup]
	// returns it; the Guard answers 401 with simplejwt's user_not_found.
	ErrUserNotFound = errors.New("jwtguard: user not found")
	// ErrUserInactive: the token's user is deactivated (user_inactive).
	ErrUserInactive = errors.New("jwtguard: user is inactive")
	// ErrNoUserID: the token has no user claim to look up.
	ErrNoUserID = errors.New("jwtguard: token has no user identification")
	// ErrUnavailable: a store or user lookup that a check depends on failed,
	// so the token could be neither accepted nor refused. The request fails
	// closed with 503; the cause is wrapped, for the logger.
	ErrUnavailable = errors.New("jwtguard: service unavailable")
)

var (
	errUserNotFound = invalid("user not found", ErrUserNotFound)
	errUserInactive = invalid("user is inactive", ErrUserInactive)
	errNoUserID     = invalid("token has no user identification", ErrNoUserID)
	errRevoked      = invalid("token is revoked", ErrTokenRevoked)
)

// unavailable wraps the failure of a store or lookup. It does not match
// ErrInvalidToken: the token may well be good.
func unavailable(cause error) error {
	return &tokenError{msg: "unavailable: " + cause.Error(), kinds: []error{ErrUnavailable, cause}}
}

// WithUserCheck makes the verifier look up the token's user (its "sub", or
// "user_id", or the claim of [WithSubjectClaim]) and refuse the token when
// the user is gone ([ErrUserNotFound]) or inactive ([ErrUserInactive]), as
// simplejwt does. Answers are cached per user for up to maxStale (0: ask
// every time): a user deactivated now loses access within maxStale, or at
// once when the application calls [Verifier.UserChanged]. Each lookup is
// bounded by [DefaultStoreTimeout] (by [WithStoreTimeout] for the verifier
// of [Issuer.Verifier]); one that runs out of time is a 503.
func WithUserCheck(users UserLookup, maxStale time.Duration) VerifierOption {
	return func(c *verifierConfig) {
		if users == nil {
			c.fail("nil user lookup")
			return
		}
		withUserChecker(&userCheck{users: boundedLookup(users), cache: newTTLCache[bool](maxStale)}, maxStale)(c)
	}
}

type userCheck struct {
	users UserLookup
	cache *ttlCache[bool]
}

func (u *userCheck) bind(c *verifierConfig) check {
	return func(ctx context.Context, t *Token) error {
		id := c.subject(t)
		if id == "" {
			return errNoUserID
		}
		now := c.now()
		active, ok := u.cache.get(id, now)
		if !ok {
			mark := u.cache.mark()
			var err error
			active, err = u.users.LookupUser(ctx, id)
			switch {
			case errors.Is(err, ErrUserNotFound):
				return errUserNotFound
			case err != nil:
				return unavailable(err)
			}
			u.cache.putSince(id, active, now, time.Time{}, &mark)
		}
		if !active {
			return errUserInactive
		}
		return nil
	}
}
