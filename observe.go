package jwtguard

import (
	"context"
	"errors"
	"time"
)

// The names an [Event] carries for store and user lookup calls
// (EventStoreCall).
const (
	StoreSpend         = "spend"
	StoreRevoke        = "revoke"
	StoreRevokeFamily  = "revoke_family"
	StoreRevokeSubject = "revoke_subject"
	StoreCheck         = "check"
	StoreLookupUser    = "lookup_user"
)

// The names an [Event] carries for the Guard's decisions (EventDecision).
const (
	DecisionAuthenticate = "authenticate" // the token: accepted, anonymous or refused
	DecisionAuthorize    = "authorize"    // the policy: accepted or refused
)

// observation is one operation being reported to an observer: begun by
// begin, ended by end. Its zero value, for no observer, does nothing and
// reads no clock.
type observation struct {
	obs   Observer
	ctx   context.Context
	start time.Time
}

// begin starts an operation of kind k for o, nil for none: a SpanObserver
// is told, and the operation runs in the context it returns. It reads the
// clock, and end reads it again for the Duration.
func begin(ctx context.Context, o Observer, now func() time.Time, k EventKind) observation {
	ob := beginUntimed(ctx, o, k)
	if o != nil {
		ob.start = now()
	}
	return ob
}

// beginUntimed is begin without the clock: the operation is reported
// without a Start and a Duration unless its start is set before it ends.
// The Guard's decisions begin so, keeping clock reads off a cache hit.
func beginUntimed(ctx context.Context, o Observer, k EventKind) observation {
	if o == nil {
		return observation{ctx: ctx}
	}
	if so, ok := o.(SpanObserver); ok {
		ctx = so.Begin(ctx, k)
	}
	return observation{obs: o, ctx: ctx}
}

// end reports e, its Start and Duration filled in from the clock when the
// operation's start is known.
func (ob observation) end(now func() time.Time, e Event) {
	if ob.obs == nil {
		return
	}
	if !ob.start.IsZero() {
		e.Start, e.Duration = ob.start, now().Sub(ob.start)
	}
	ob.obs.Observe(ob.ctx, e)
}

// observe reports an instant event to o, nil for none.
func observe(ctx context.Context, o Observer, e Event) {
	if o != nil {
		o.Observe(ctx, e)
	}
}

// storeRefusal is an EventStoreCall's Refusal: KindUnavailable when the
// store could not answer, "" when it answered (revoked, spent and unknown
// users are answers).
func storeRefusal(err error) string {
	if err == nil || errors.Is(err, ErrTokenRevoked) || errors.Is(err, ErrTokenSpent) || errors.Is(err, ErrUserNotFound) {
		return ""
	}
	return KindUnavailable
}

// observedStore is a Store whose every call is reported to an observer.
type observedStore struct {
	Store
	obs Observer
	now func() time.Time
}

// observeStore returns s reporting its calls to o; s itself when o is nil
// or s reports already.
func observeStore(s Store, o Observer, now func() time.Time) Store {
	if o == nil {
		return s
	}
	for w := s; w != nil; w = innerStore(w) {
		if _, ok := w.(*observedStore); ok {
			return s
		}
	}
	return &observedStore{Store: s, obs: o, now: now}
}

func (s *observedStore) call(ctx context.Context, name string, f func(context.Context) error) error {
	ob := begin(ctx, s.obs, s.now, EventStoreCall)
	err := f(ob.ctx)
	ob.end(s.now, Event{Kind: EventStoreCall, Name: name, Err: err, Refusal: storeRefusal(err)})
	return err
}

// Spend implements [Store], reported.
func (s *observedStore) Spend(ctx context.Context, r Record) error {
	return s.call(ctx, StoreSpend, func(ctx context.Context) error { return s.Store.Spend(ctx, r) })
}

// Revoke implements [Store], reported.
func (s *observedStore) Revoke(ctx context.Context, r Record) error {
	return s.call(ctx, StoreRevoke, func(ctx context.Context) error { return s.Store.Revoke(ctx, r) })
}

// RevokeFamily implements [Store], reported.
func (s *observedStore) RevokeFamily(ctx context.Context, family string, until time.Time) error {
	return s.call(ctx, StoreRevokeFamily, func(ctx context.Context) error { return s.Store.RevokeFamily(ctx, family, until) })
}

// RevokeSubject implements [Store], reported.
func (s *observedStore) RevokeSubject(ctx context.Context, subject string, before, until time.Time) error {
	return s.call(ctx, StoreRevokeSubject, func(ctx context.Context) error {
		return s.Store.RevokeSubject(ctx, subject, before, until)
	})
}

// Check implements [Store], reported.
func (s *observedStore) Check(ctx context.Context, r Record) error {
	return s.call(ctx, StoreCheck, func(ctx context.Context) error { return s.Store.Check(ctx, r) })
}

// observedUsers is a UserLookup whose every call is reported.
type observedUsers struct {
	UserLookup
	obs Observer
	now func() time.Time
}

// observeUsers returns users reporting its calls to o; users itself when
// o is nil or it reports already.
func observeUsers(users UserLookup, o Observer, now func() time.Time) UserLookup {
	if _, ok := users.(*observedUsers); ok || o == nil {
		return users
	}
	return &observedUsers{UserLookup: users, obs: o, now: now}
}

// LookupUser implements [UserLookup], reported.
func (u *observedUsers) LookupUser(ctx context.Context, id string) (bool, error) {
	_, active, err := u.loadUser(ctx, id)
	return active, err
}

// loadUser implements userLoader, reported.
func (u *observedUsers) loadUser(ctx context.Context, id string) (any, bool, error) {
	ob := begin(ctx, u.obs, u.now, EventStoreCall)
	user, active, err := loadUser(ob.ctx, u.UserLookup, id)
	ob.end(u.now, Event{Kind: EventStoreCall, Name: StoreLookupUser, Err: err, Refusal: storeRefusal(err)})
	return user, active, err
}

// innerStore returns the store s wraps, or nil.
func innerStore(s Store) Store {
	switch w := s.(type) {
	case *observedStore:
		return w.Store
	case *deadlineStore:
		return w.Store
	}
	return nil
}
