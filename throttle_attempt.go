package jwtguard

import (
	"net/http"
	"sync"
	"time"
)

// SignInAttempt is one sign-in's claim on a [LoginThrottle]'s username
// tables ([PerUsernameClient], [PerUsername]), for a sign-in view other
// than [Endpoints]' (another token profile's): a failure is counted when
// the attempt starts, so concurrent guesses count, and given back by
// [SignInAttempt.Succeeded] or [SignInAttempt.NotCounted]. Its methods
// are safe for concurrent use, and only the first call of either counts.
type SignInAttempt struct {
	t    *LoginThrottle
	a    signIn
	once sync.Once
}

// StartSignIn counts a failed sign-in of username from r's client before
// the password is checked, or reports how long to wait when a table is
// empty. The caller answers the attempt's outcome on the attempt. It does
// not count the client's attempt: call [LoginThrottle.AllowClient] first.
func (t *LoginThrottle) StartSignIn(r *http.Request, username string) (*SignInAttempt, time.Duration, bool) {
	a, wait, ok := t.reserveUser(r, username)
	if !ok {
		return nil, wait, false
	}
	return &SignInAttempt{t: t, a: a}, 0, true
}

// Succeeded gives the attempt's failure back, and remembers the client as
// one the user signs in from ([KnownClientFor]).
func (s *SignInAttempt) Succeeded() { s.once.Do(func() { s.t.succeeded(s.a) }) }

// NotCounted gives the attempt's failure back without remembering the
// client: the password could not be checked (the user store did not
// answer), which is not the user's failure.
func (s *SignInAttempt) NotCounted() { s.once.Do(func() { s.t.notCounted(s.a) }) }
