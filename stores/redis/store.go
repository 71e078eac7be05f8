package redisstore

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/jwtguard/jwtguard"
	"github.com/redis/go-redis/v9"
)

// Store is a [jwtguard.Store] on Redis. Every process that uses a Store
// with the same Redis and key prefix shares its state: a token spent or
// revoked through one is spent or revoked for all.
//
// Each token, family and subject entry is one key that expires when the
// entry does, so Redis forgets entries by itself and no cleanup job is
// needed. Every method is a single round trip: one Lua script, atomic on
// the server. Whether a record has already expired, so that there is
// nothing to keep, is decided by the calling process's clock; keys expire
// by the server's.
//
// A method returns an error, never nil, when its context is done or Redis
// fails, so a caller that treats errors as refusals fails closed.
//
// A Store is safe for concurrent use by any number of goroutines and
// processes. It does not own its client: closing the client is the
// caller's business.
type Store struct {
	client redis.UniversalClient
	keys   keys
	log    *slog.Logger
	onLoss func(StateLoss)
	epoch  atomic.Pointer[string] // of the last marker seen, "" before the first
	fresh  atomic.Pointer[string] // the epoch of a marker this process would write
	// volatile: Open accepts a Redis that is not durable.
	volatile bool

	feed        feed
	listenRetry time.Duration // 0: WithoutChangeFeed
}

var _ jwtguard.Store = (*Store)(nil)

// New returns a store that keeps its entries in Redis through client:
// a *redis.Client, *redis.ClusterClient, *redis.Ring or failover client.
// The default key prefix is [DefaultKeyPrefix]. New does not contact
// Redis, and it reports every problem with its arguments at once.
//
// On a Redis Cluster all of a store's keys live in one hash slot (see
// [WithKeyPrefix]), so one shard holds the whole store.
func New(client redis.UniversalClient, opts ...Option) (*Store, error) {
	c := config{prefix: DefaultKeyPrefix, log: slog.New(slog.DiscardHandler), listenRetry: DefaultListenRetry}
	if isNil(client) {
		c.fail("nil client")
	}
	for i, opt := range opts {
		if opt == nil {
			c.fail("option %d is nil", i)
			continue
		}
		opt(&c)
	}
	if err := errors.Join(c.errs...); err != nil {
		return nil, err
	}
	s := &Store{client: client, keys: newKeys(c.prefix), log: c.log, onLoss: c.onLoss, volatile: c.volatile, listenRetry: c.listenRetry}
	s.epoch.Store(new(string))
	fresh := newEpoch()
	s.fresh.Store(&fresh)
	return s, nil
}

// isNil reports whether client is nil, or a nil pointer of one of
// go-redis's client types.
func isNil(client redis.UniversalClient) bool {
	switch c := client.(type) {
	case nil:
		return true
	case *redis.Client:
		return c == nil
	case *redis.ClusterClient:
		return c == nil
	case *redis.Ring:
		return c == nil
	}
	return false
}

// Spend implements [jwtguard.Store]: it marks r.ID spent until
// r.ExpiresAt, atomically. A record that has already expired is not
// written, but Spend still reports its revoked or spent state.
func (s *Store) Spend(ctx context.Context, r jwtguard.Record) error {
	if err := ctx.Err(); err != nil {
		return fail("spend", err)
	}
	n, err := s.run(ctx, "spend", spendScript, s.keys.record(r), unixSeconds(r.IssuedAt), expiry(r.ExpiresAt))
	return verdict("spend", n, err)
}

// Check implements [jwtguard.Store]: it reads the token's, family's and
// subject's entries in one round trip.
func (s *Store) Check(ctx context.Context, r jwtguard.Record) error {
	if err := ctx.Err(); err != nil {
		return fail("check", err)
	}
	n, err := s.run(ctx, "check", checkScript, s.keys.record(r), unixSeconds(r.IssuedAt))
	return verdict("check", n, err)
}

// Revoke implements [jwtguard.Store]: it revokes r.ID until r.ExpiresAt,
// over a spent marker if there is one, keeping the later expiry of the
// two. Revoking an already expired record keeps nothing new.
func (s *Store) Revoke(ctx context.Context, r jwtguard.Record) error {
	if err := ctx.Err(); err != nil {
		return fail("revoke", err)
	}
	_, err := s.run(ctx, "revoke", revokeScript, s.keys.of(s.keys.token(r.ID)), expiry(r.ExpiresAt))
	if err == nil {
		s.announce(ctx, jwtguard.ChangedToken, r.ID)
	}
	return err
}

// RevokeFamily implements [jwtguard.Store]. A revocation that would end
// earlier than one already kept for the family changes nothing.
func (s *Store) RevokeFamily(ctx context.Context, family string, until time.Time) error {
	if err := ctx.Err(); err != nil {
		return fail("revoke family", err)
	}
	_, err := s.run(ctx, "revoke family", revokeFamilyScript, s.keys.of(s.keys.family(family)), expiry(until))
	if err == nil {
		s.announce(ctx, jwtguard.ChangedFamily, family)
	}
	return err
}

// RevokeSubject implements [jwtguard.Store]. The subject keeps the later of
// its old and new cutoffs, compared in whole seconds, and the later of
// their expiries. A zero before revokes nothing, but still extends an
// existing revocation to until.
func (s *Store) RevokeSubject(ctx context.Context, subject string, before, until time.Time) error {
	if err := ctx.Err(); err != nil {
		return fail("revoke subject", err)
	}
	cut := ""
	if !before.IsZero() {
		cut = unixSeconds(before)
	}
	_, err := s.run(ctx, "revoke subject", revokeSubjectScript, s.keys.of(s.keys.subject(subject)), cut, expiry(until))
	if err == nil {
		s.announce(ctx, jwtguard.ChangedSubject, subject)
	}
	return err
}

// verdict turns a state script's reply into the Store's answer.
func verdict(op string, state int64, err error) error {
	if err != nil {
		return err
	}
	switch state {
	case stateOK:
		return nil
	case stateSpent:
		return jwtguard.ErrTokenSpent
	case stateRevoked:
		return jwtguard.ErrTokenRevoked
	}
	return fmt.Errorf("redisstore: %s: unexpected script reply %d", op, state)
}

// fail wraps an error of operation op; it returns nil for nil.
func fail(op string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("redisstore: %s: %w", op, err)
}

// unixSeconds formats t's Unix time in whole seconds, as "iat" has it.
func unixSeconds(t time.Time) string {
	return strconv.FormatInt(t.Unix(), 10)
}

// expiry formats t as Unix milliseconds, rounded up so that an entry never
// expires before t, or "0" when t is not in the future: nothing to keep.
func expiry(t time.Time) string {
	if !t.After(time.Now()) {
		return "0"
	}
	ms := t.UnixMilli()
	if t.After(time.UnixMilli(ms)) {
		ms++
	}
	return strconv.FormatInt(ms, 10)
}
