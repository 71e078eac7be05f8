package jwtguard

import (
	"context"
	"time"
)

// DefaultStoreTimeout bounds each call to a [Store] or a [UserLookup] on a
// request's path unless [WithStoreTimeout] sets another bound: a store
// that hangs costs a request this long at most, and the request gets 503
// with Retry-After, as when the store fails.
const DefaultStoreTimeout = 2 * time.Second

// maxStoreTimeout is the longest bound WithStoreTimeout accepts.
const maxStoreTimeout = time.Minute

// deadlineStore is a Store whose every call has a deadline.
type deadlineStore struct {
	Store
	d time.Duration
}

// withStoreDeadline returns s with every call bounded by d. A MemoryStore
// is returned as it is: it never waits on anything, and a timer per call
// would cost the uncached revocation check five times its time.
func withStoreDeadline(s Store, d time.Duration) Store {
	if _, ok := s.(*MemoryStore); ok {
		return s
	}
	return &deadlineStore{Store: s, d: d}
}

// Spend implements [Store] within the deadline.
func (s *deadlineStore) Spend(ctx context.Context, r Record) error {
	ctx, cancel := context.WithTimeout(ctx, s.d)
	defer cancel()
	return s.Store.Spend(ctx, r)
}

// Revoke implements [Store] within the deadline.
func (s *deadlineStore) Revoke(ctx context.Context, r Record) error {
	ctx, cancel := context.WithTimeout(ctx, s.d)
	defer cancel()
	return s.Store.Revoke(ctx, r)
}

// RevokeFamily implements [Store] within the deadline.
func (s *deadlineStore) RevokeFamily(ctx context.Context, family string, until time.Time) error {
	ctx, cancel := context.WithTimeout(ctx, s.d)
	defer cancel()
	return s.Store.RevokeFamily(ctx, family, until)
}

// RevokeSubject implements [Store] within the deadline.
func (s *deadlineStore) RevokeSubject(ctx context.Context, subject string, before, until time.Time) error {
	ctx, cancel := context.WithTimeout(ctx, s.d)
	defer cancel()
	return s.Store.RevokeSubject(ctx, subject, before, until)
}

// Check implements [Store] within the deadline.
func (s *deadlineStore) Check(ctx context.Context, r Record) error {
	ctx, cancel := context.WithTimeout(ctx, s.d)
	defer cancel()
	return s.Store.Check(ctx, r)
}

// boundedStore returns s bounded by DefaultStoreTimeout, unless it is
// bounded already (the issuer's store, bounded by WithStoreTimeout).
func boundedStore(s Store) Store {
	for w := s; w != nil; w = innerStore(w) {
		switch w.(type) {
		case *deadlineStore, *MemoryStore: // bounded, or never waits
			return s
		}
	}
	return withStoreDeadline(s, DefaultStoreTimeout)
}

// boundedLookup returns users bounded by DefaultStoreTimeout, unless it is
// bounded already.
func boundedLookup(users UserLookup) UserLookup {
	if du, ok := users.(*deadlineUsers); ok {
		return du
	}
	return withLookupDeadline(users, DefaultStoreTimeout)
}

// deadlineUsers is a UserLookup whose every call has a deadline.
type deadlineUsers struct {
	UserLookup
	d time.Duration
}

// withLookupDeadline returns users with every call bounded by d.
func withLookupDeadline(users UserLookup, d time.Duration) UserLookup {
	return &deadlineUsers{UserLookup: users, d: d}
}

// LookupUser implements [UserLookup] within the deadline.
func (u *deadlineUsers) LookupUser(ctx context.Context, id string) (bool, error) {
	ctx, cancel := context.WithTimeout(ctx, u.d)
	defer cancel()
	return u.UserLookup.LookupUser(ctx, id)
}

// loadUser implements userLoader within the deadline.
func (u *deadlineUsers) loadUser(ctx context.Context, id string) (any, bool, error) {
	ctx, cancel := context.WithTimeout(ctx, u.d)
	defer cancel()
	return loadUser(ctx, u.UserLookup, id)
}
