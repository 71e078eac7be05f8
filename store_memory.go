package jwtguard

import (
	"context"
	"strings"
	"sync"
	"time"
)

// MemoryStore is a [Store] in this process's memory. Its state is lost when
// the process ends, and other processes do not see it: use it for a single
// instance that can afford to forget spent and revoked tokens on restart,
// and for tests. The SQL and Redis stores in this repository's stores
// directory keep state across restarts and instances.
//
// Entries past their expiry are dropped as the store is written, so memory
// stays bounded by the tokens still alive. Keys are copied: an entry never
// holds on to the token its record came from. A MemoryStore is safe for
// concurrent use; the zero value is not usable, call [NewMemoryStore].
type MemoryStore struct {
	now func() time.Time

	mu        sync.Mutex
	tokens    map[string]memToken   // jti -> state
	families  map[string]time.Time  // family -> forget after
	subjects  map[string]memSubject // subject -> cutoff
	nextSweep time.Time
}

type memToken struct {
	revoked bool // else spent
	until   time.Time
}

type memSubject struct {
	before, until time.Time
}

// sweepInterval is how often, at most, a write scans for expired entries.
const sweepInterval = time.Minute

// MemoryClock is [WithClock].
//
// Deprecated: use WithClock, which every constructor accepts.
func MemoryClock(now func() time.Time) MemoryOption { return WithClock(now) }

// NewMemoryStore returns an empty in-memory store.
func NewMemoryStore(opts ...MemoryOption) *MemoryStore {
	s := &MemoryStore{
		now:      time.Now,
		tokens:   make(map[string]memToken),
		families: make(map[string]time.Time),
		subjects: make(map[string]memSubject),
	}
	var c commonConfig
	for _, opt := range opts {
		opt.applyMemory(&c)
	}
	s.now = c.clock()
	return s
}

// Spend implements [Store].
func (s *MemoryStore) Spend(ctx context.Context, r Record) error {
	return s.locked(ctx, func(now time.Time) error {
		if err := s.check(r, now); err != nil {
			return err
		}
		s.sweep(now)
		s.tokens[strings.Clone(r.ID)] = memToken{until: r.ExpiresAt}
		return nil
	})
}

// Revoke implements [Store].
func (s *MemoryStore) Revoke(ctx context.Context, r Record) error {
	return s.locked(ctx, func(now time.Time) error {
		s.sweep(now)
		if t, ok := s.tokens[r.ID]; ok && t.until.After(r.ExpiresAt) {
			r.ExpiresAt = t.until
		}
		s.tokens[strings.Clone(r.ID)] = memToken{revoked: true, until: r.ExpiresAt}
		return nil
	})
}

// RevokeFamily implements [Store].
func (s *MemoryStore) RevokeFamily(ctx context.Context, family string, until time.Time) error {
	return s.locked(ctx, func(now time.Time) error {
		s.sweep(now)
		if old, ok := s.families[family]; !ok || until.After(old) {
			s.families[strings.Clone(family)] = until
		}
		return nil
	})
}

// RevokeSubject implements [Store].
func (s *MemoryStore) RevokeSubject(ctx context.Context, subject string, before, until time.Time) error {
	return s.locked(ctx, func(now time.Time) error {
		s.sweep(now)
		if cur, ok := s.subjects[subject]; ok && cur.until.After(now) {
			before = later(before, cur.before)
			until = later(until, cur.until)
		}
		s.subjects[strings.Clone(subject)] = memSubject{before: before, until: until}
		return nil
	})
}

// Check implements [Store].
func (s *MemoryStore) Check(ctx context.Context, r Record) error {
	return s.locked(ctx, func(now time.Time) error { return s.check(r, now) })
}

// locked runs fn under the store's lock, unless ctx is already done: a
// caller that gave up gets an error, never an answer it did not wait for.
func (s *MemoryStore) locked(ctx context.Context, fn func(now time.Time) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return fn(s.now())
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

func (s *MemoryStore) check(r Record, now time.Time) error {
	t, known := s.tokens[r.ID]
	known = known && t.until.After(now)
	if known && t.revoked {
		return ErrTokenRevoked
	}
	if r.Family != "" {
		if until, ok := s.families[r.Family]; ok && until.After(now) {
			return ErrTokenRevoked
		}
	}
	if sub, ok := s.subjects[r.Subject]; ok && sub.until.After(now) && revokedBy(sub.before, r.IssuedAt) {
		return ErrTokenRevoked
	}
	if known {
		return ErrTokenSpent
	}
	return nil
}

// Len returns the number of entries held, expired ones not yet dropped
// included.
func (s *MemoryStore) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.tokens) + len(s.families) + len(s.subjects)
}

// sweep drops expired entries, at most once per sweepInterval.
func (s *MemoryStore) sweep(now time.Time) {
	if now.Before(s.nextSweep) {
		return
	}
	s.nextSweep = now.Add(sweepInterval)
	for k, t := range s.tokens {
		if !t.until.After(now) {
			delete(s.tokens, k)
		}
	}
	for k, until := range s.families {
		if !until.After(now) {
			delete(s.families, k)
		}
	}
	for k, sub := range s.subjects {
		if !sub.until.After(now) {
			delete(s.subjects, k)
		}
	}
}
