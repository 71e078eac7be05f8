package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/jwtguard/jwtguard"
)

// Store is a [jwtguard.Store] in SQL tables. Each answer comes from one
// statement (Spend, on its rare losing path, asks a second time to say
// why), so any number of goroutines and processes may share the tables: a
// Store is safe for concurrent use, and stores in different processes on
// one database see each other's writes at once. A method that cannot reach
// the database, or whose context is done, returns an error, never nil:
// callers fail closed.
//
// Expiry is measured by the clock of the process calling, not the
// database's, and entries are kept at least until their expiry, rounded up
// to the millisecond. Expired entries are never reported, and are deleted
// by [Store.Purge], which writes run at most once per purge interval (see
// [WithPurgeInterval]).
//
// Make one with [New] or [OpenSQLite]; the zero value is not usable.
type Store struct {
	db     *sql.DB
	ownsDB bool // Close closes db
	q      queries
	now    func() time.Time
	logger *slog.Logger

	// writes admits one writer at a time on SQLite, where the database
	// lock would make the others sleep and poll; nil on PostgreSQL.
	writes chan struct{}

	purgeInterval time.Duration
	nextPurge     atomic.Int64 // Unix nanoseconds

	throttle *throttleQueries // nil on SQLite

	hub      jwtguard.ChangeHub
	listener *listener // nil on SQLite and WithoutChangeFeed
}

var _ jwtguard.Store = (*Store)(nil)

// spendAttempts bounds how often Spend retries when the entry that stopped
// its insert has expired by the time it looks.
const spendAttempts = 3

// New returns a store on db, which speaks dialect, and creates its tables
// or migrates them to [SchemaVersion] (see [WithoutCreateTables]).
// Migrating is safe when several processes start at once; a database at a
// newer version than SchemaVersion is refused. The caller keeps db: [Store.Close] does
// not close it. On SQLite, db must wait for locks (the busy_timeout pragma)
// when other connections or processes write to the file; [OpenSQLite] sets
// this up. New reports every problem with its arguments and options at
// once, before it touches the database.
func New(ctx context.Context, db *sql.DB, dialect Dialect, opts ...Option) (*Store, error) {
	c := newConfig(opts)
	if db == nil {
		c.fail("nil *sql.DB")
	}
	if !dialect.valid() {
		c.fail("unknown dialect %v", dialect)
	}
	if err := errors.Join(c.errs...); err != nil {
		return nil, err
	}
	t := newTables(dialect, c.schema, c.prefix)
	var err error
	if c.createTables {
		err = t.migrate(ctx, db)
	} else {
		err = errors.Join(t.checkSchemaVersion(ctx, db), t.check(ctx, db))
	}
	if err != nil {
		return nil, err
	}
	q := newQueries(t)
	if err := q.prepare(ctx, db, dialect); err != nil {
		return nil, err
	}
	s := &Store{
		db:            db,
		q:             q,
		now:           time.Now,
		logger:        c.logger,
		purgeInterval: c.purgeInterval,
	}
	if dialect == SQLite {
		s.writes = make(chan struct{}, 1)
	}
	if dialect == PostgreSQL && (c.createTables || t.hasThrottle(ctx, db)) {
		tq := newThrottleQueries(t)
		s.throttle = &tq
		s.q.purge = append(s.q.purge, &stmt{text: `DELETE FROM ` + t.throttle + ` WHERE expires_ms <= $1`})
	}
	if dialect == PostgreSQL && c.listenRetry > 0 && db.Stats().MaxOpenConnections == 1 {
		// The listener would hold the pool's only connection for good.
		c.logger.Warn("sqlstore: no change feed: the pool has one connection, which the listener would hold; allow two or more (SetMaxOpenConns) for revocations to reach other instances at once")
	} else if dialect == PostgreSQL && c.listenRetry > 0 {
		s.listener = startListener(db, channelName(c.schema, c.prefix), c.listenRetry, &s.hub, c.logger)
	}
	return s, nil
}

// Close releases the store's prepared statements, and closes the database
// when the store opened it ([OpenSQLite]); a database passed to [New] stays
// open. Calls after Close return errors.
func (s *Store) Close() error {
	if s.listener != nil {
		s.listener.stop()
	}
	err := s.q.close()
	if s.ownsDB {
		err = errors.Join(err, s.db.Close())
	}
	return err
}

// Spend implements [jwtguard.Store]: it marks r.ID spent until r.ExpiresAt
// and returns nil the first time, [jwtguard.ErrTokenSpent] when the token
// was spent before, and [jwtguard.ErrTokenRevoked] when the token, its
// family or its subject is revoked. Of any number of concurrent calls for
// one ID, in any number of processes sharing the tables, exactly one
// returns nil.
func (s *Store) Spend(ctx context.Context, r jwtguard.Record) error {
	for range spendAttempts {
		now := s.now()
		if err := s.acquire(ctx); err != nil {
			return err
		}
		res, err := s.q.spend.exec(ctx, s.db,
			r.ID, ceilMillis(r.ExpiresAt), r.Family, r.Subject, secondMillis(r.IssuedAt), floorMillis(now))
		var n int64
		if err == nil {
			n, err = res.RowsAffected()
		}
		s.release()
		if err != nil {
			return fmt.Errorf("sqlstore: spend: %w", err)
		}
		if n > 0 {
			s.purgeLazily(ctx, now)
			return nil
		}
		// A revocation or a live entry stopped the insert: say which.
		if err := s.check(ctx, r, s.now()); err != nil {
			return err
		}
		// What stopped it expired or was purged since: try again.
	}
	return errors.New("sqlstore: spend: the token's entries kept changing; try again")
}

// Revoke implements [jwtguard.Store]: it revokes r.ID until r.ExpiresAt, or
// until a later expiry the ID already has. A spent token becomes revoked.
func (s *Store) Revoke(ctx context.Context, r jwtguard.Record) error {
	if err := s.write(ctx, "revoke", s.q.revoke, r.ID, ceilMillis(r.ExpiresAt)); err != nil {
		return err
	}
	s.announce(ctx, jwtguard.ChangedToken, r.ID)
	return nil
}

// RevokeFamily implements [jwtguard.Store]: it revokes every token of
// family until the time until. A family revoked until later stays revoked
// until then.
func (s *Store) RevokeFamily(ctx context.Context, family string, until time.Time) error {
	if err := s.write(ctx, "revoke family", s.q.revokeFamily, family, ceilMillis(until)); err != nil {
		return err
	}
	s.announce(ctx, jwtguard.ChangedFamily, family)
	return nil
}

// RevokeSubject implements [jwtguard.Store]: it revokes every token of
// subject issued at or before before, compared in whole seconds, until the
// time until. While a revocation of the subject is in force, the later
// cutoff and the later expiry of the two are kept. The zero before revokes
// nothing.
func (s *Store) RevokeSubject(ctx context.Context, subject string, before, until time.Time) error {
	if err := s.write(ctx, "revoke subject", s.q.revokeSubject,
		subject, cutoffMillis(before), ceilMillis(until), floorMillis(s.now())); err != nil {
		return err
	}
	s.announce(ctx, jwtguard.ChangedSubject, subject)
	return nil
}

// Check implements [jwtguard.Store]: it returns [jwtguard.ErrTokenRevoked]
// when r.ID, r.Family (when not empty) or r.Subject (for r.IssuedAt) is
// revoked, [jwtguard.ErrTokenSpent] when r.ID was spent, and nil otherwise.
func (s *Store) Check(ctx context.Context, r jwtguard.Record) error {
	return s.check(ctx, r, s.now())
}

func (s *Store) check(ctx context.Context, r jwtguard.Record, now time.Time) error {
	var state int64
	err := s.q.check.queryRow(ctx, s.db,
		r.ID, r.Family, r.Subject, secondMillis(r.IssuedAt), floorMillis(now)).Scan(&state)
	if err != nil {
		return fmt.Errorf("sqlstore: check: %w", err)
	}
	switch state {
	case stateNone:
		return nil
	case stateSpent:
		return jwtguard.ErrTokenSpent
	case stateRevoked:
		return jwtguard.ErrTokenRevoked
	}
	return fmt.Errorf("sqlstore: check: unexpected state %d", state)
}

// write runs one writing statement, then purges if it is time.
func (s *Store) write(ctx context.Context, op string, st *stmt, args ...any) error {
	if err := s.acquire(ctx); err != nil {
		return err
	}
	_, err := st.exec(ctx, s.db, args...)
	s.release()
	if err != nil {
		return fmt.Errorf("sqlstore: %s: %w", op, err)
	}
	s.purgeLazily(ctx, s.now())
	return nil
}

// acquire waits for this store's turn to write on SQLite, or until ctx is
// done.
func (s *Store) acquire(ctx context.Context) error {
	if s.writes == nil {
		return nil
	}
	select {
	case s.writes <- struct{}{}:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("sqlstore: waiting to write: %w", ctx.Err())
	}
}

func (s *Store) release() {
	if s.writes != nil {
		<-s.writes
	}
}
