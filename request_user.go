package jwtguard

import (
	"context"
	"net/http"
)

// A handler often needs the user its request's token names: its name, its
// groups, its flags. The user check already loads that user (behind its
// cache), as simplejwt's authentication hands the view request.user; a
// [UserLoaderFunc] keeps what it loaded, and the handler reads it with
// [UserFromContext] instead of asking the database a second time.

// UserLoaderFunc loads the user with ID id: the user, whether it is
// active, or an error matching [ErrUserNotFound] when there is no such
// user (any other error is a 503, as for [UserLookup]). It is a
// [UserLookup], so it goes wherever one does ([WithUserCheck],
// [WithUserLookup]); the user it returns for an active user reaches the
// request's context, where [UserFromContext] with the same U finds it.
//
// The user is cached with the check's answer, for up to the check's
// maxStale, and forgotten with it by UserChanged: a handler sees the user
// as it was at most maxStale ago, the same bound that the check keeps for
// a deactivated user. The cached user is shared by every request of that
// user until then: treat it as read-only (a value type, or a pointer the
// application never writes through). It must be safe for concurrent use.
type UserLoaderFunc[U any] func(ctx context.Context, id string) (user U, active bool, err error)

// LookupUser implements [UserLookup]: f without the user.
func (f UserLoaderFunc[U]) LookupUser(ctx context.Context, id string) (bool, error) {
	_, active, err := f(ctx, id)
	return active, err
}

// loadUser implements userLoader.
func (f UserLoaderFunc[U]) loadUser(ctx context.Context, id string) (any, bool, error) {
	u, active, err := f(ctx, id)
	if err != nil {
		return nil, false, err
	}
	return u, active, nil
}

// userLoader is a UserLookup that also returns the user it found.
type userLoader interface {
	loadUser(ctx context.Context, id string) (user any, active bool, err error)
}

// loadUser asks users about id, and returns the user too when users loads
// one.
func loadUser(ctx context.Context, users UserLookup, id string) (any, bool, error) {
	if l, ok := users.(userLoader); ok {
		return l.loadUser(ctx, id)
	}
	active, err := users.LookupUser(ctx, id)
	return nil, active, err
}

// UserOf returns the user that a [UserLoaderFunc] of type U loaded for t.
// It reports false when t is nil, when no user check with a loader of that
// type verified it, or when U is not the loader's type.
func UserOf[U any](t *Token) (U, bool) {
	if t == nil {
		var zero U
		return zero, false
	}
	u, ok := t.user.(U)
	return u, ok
}

// UserFromContext returns the user of the request's token, which the
// [Guard] put into ctx; see [UserOf]. It reports false for an anonymous
// request.
func UserFromContext[U any](ctx context.Context) (U, bool) {
	t, _ := FromContext(ctx)
	return UserOf[U](t)
}

// UserFromRequest returns the user of r's token; see [UserFromContext].
func UserFromRequest[U any](r *http.Request) (U, bool) { return UserFromContext[U](r.Context()) }
