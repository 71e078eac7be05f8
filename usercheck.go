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
// of [Issuer.Verifier]); one that runs out of time is a 503. A
// [UserLoaderFunc] also hands the user it loaded to the handler
// ([UserFromContext]), with the same staleness bound.
func WithUserCheck(users UserLookup, maxStale time.Duration) VerifierOption {
	return verifierOption(func(c *verifierConfig) {
		if users == nil {
			c.fail("nil user lookup")
			return
		}
		withUserChecker(newUserCheck(boundedLookup(users), maxStale), maxStale).applyVerifier(c)
	})
}

// userAnswer is what a user check caches about a user: whether it is
// active, and the user its [UserLoaderFunc] loaded (nil for a plain
// [UserLookup]).
type userAnswer struct {
	user   any
	active bool
}

type userCheck struct {
	users UserLookup
	cache *ttlCache[userAnswer]
}

func newUserCheck(users UserLookup, maxStale time.Duration) *userCheck {
	return &userCheck{users: users, cache: newTTLCache[userAnswer](maxStale)}
}

// bind returns the check: the token's user must exist and be active. When
// the lookup loaded the user ([UserLoaderFunc]), the request goes on with
// a copy of the token that carries it, for [UserFromContext].
func (u *userCheck) bind(c *verifierConfig) check {
	users := observeUsers(u.users, c.observer, c.now)
	return func(ctx context.Context, t *Token) (*Token, error) {
		id := c.subject(t)
		if id == "" {
			return nil, errNoUserID
		}
		now := c.now()
		a, ok := u.cache.get(id, now)
		if !ok {
			mark := u.cache.mark()
			var err error
			a.user, a.active, err = loadUser(ctx, users, id)
			switch {
			case errors.Is(err, ErrUserNotFound):
				return nil, errUserNotFound
			case err != nil:
				return nil, unavailable(err)
			}
			u.cache.putSince(id, a, now, time.Time{}, &mark)
		}
		if !a.active {
			return nil, errUserInactive
		}
		if a.user == nil {
			return t, nil
		}
		withUser := *t
		withUser.user = a.user
		return &withUser, nil
	}
}
