package jwtguarddjango

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jwtguard/jwtguard"
)

// Store is a [jwtguard.Store] over simplejwt's blacklist, shared with the
// Django project live and both ways:
//
//   - every refresh token the issuer signs is recorded in
//     token_blacklist_outstandingtoken ([Store.RecordIssued]), with its
//     user, so Django's admin lists it and flushexpiredtokens removes it;
//   - a rotation ([Store.Spend]) and a logout ([Store.Revoke]) write
//     token_blacklist_blacklistedtoken as simplejwt's blacklist() does, so
//     Django refuses the token;
//   - [Store.Check] and Spend read the rows Django wrote: a token Django
//     rotated or logged out is refused as revoked;
//   - a session revoked after reuse, and a user's tokens revoked by
//     [jwtguard.Issuer.RevokeSubject], blacklist the refresh tokens of that
//     session or user that Django knows too.
//
// What simplejwt's tables cannot hold (a token spent by a rotation as
// distinct from one logged out, session and user revocations, revoked
// access tokens) lives in jwtguard's own table ([Tables.State]). Of a
// refresh token presented to both sides at once, the unique token_id of
// the blacklist lets one blacklist it; Django must refuse the rotation
// when its own blacklist() did not create the row (see the README's
// "Migrating from Django"), as stock simplejwt does not.
//
// Store is safe for concurrent use by any number of processes on both
// sides. Entries of jwtguard's table outlive their token by at most the
// time until [Store.Purge] runs.
type Store struct{ d *DB }

var (
	_ jwtguard.Store          = (*Store)(nil)
	_ jwtguard.IssuedRecorder = (*Store)(nil)
)

// Store returns the store over the project's blacklist. Call [DB.Migrate]
// once first, so that jwtguard's table exists.
func (d *DB) Store() *Store { return &Store{d: d} }

// Kinds of entries of jwtguard's table.
const (
	kindIssued  = "i" // a refresh token the issuer signed, with its family
	kindSpent   = "s" // a refresh token spent by a rotation here
	kindToken   = "t" // a revoked token
	kindFamily  = "f" // a revoked session
	kindSubject = "u" // a revoked user, with a cutoff
)

// userParam is the user ID as the user table's key takes it, or nil for
// one that no integer key can equal.
func (d *DB) userParam(subject string) any {
	if d.t.TextUserID {
		if !validText(subject) {
			return nil
		}
		return subject
	}
	n, err := strconv.ParseInt(subject, 10, 64)
	if err != nil || strconv.FormatInt(n, 10) != subject {
		return nil
	}
	return n
}

// RecordIssued implements [jwtguard.IssuedRecorder]: the refresh token
// raw becomes an outstanding token of its user (or of no user when the
// subject is not in the users table), and jwtguard's table remembers its
// session.
func (s *Store) RecordIssued(ctx context.Context, r jwtguard.Record, raw string) error {
	d := s.d
	return d.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, d.q.outstanding, r.ID, raw, d.datetime(r.IssuedAt), d.datetime(r.ExpiresAt), d.userParam(r.Subject)); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, d.q.stateInsert, kindIssued, r.ID, r.Family, r.ExpiresAt.UnixMilli())
		return err
	})
}

// Spend implements [jwtguard.Store]. The token is blacklisted in
// simplejwt's table (made an outstanding token first when Django never
// listed it, with an empty token text), and marked spent in jwtguard's.
// A token Django blacklisted (rotated or logged out there) is revoked.
func (s *Store) Spend(ctx context.Context, r jwtguard.Record) error {
	d := s.d
	errLost := errors.New("blacklisted by another")
	err := d.inTx(ctx, func(tx *sql.Tx) error {
		if err := d.check(ctx, tx, r); err != nil {
			return err
		}
		now := d.now()
		if _, err := tx.ExecContext(ctx, d.q.outstanding, r.ID, "", d.datetime(r.IssuedAt), d.datetime(r.ExpiresAt), d.userParam(r.Subject)); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, d.q.blacklistJTI, d.datetime(now), r.ID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return errors.Join(errLost, err)
		}
		_, err = tx.ExecContext(ctx, d.q.stateInsert, kindSpent, r.ID, "", r.ExpiresAt.UnixMilli())
		return err
	})
	if errors.Is(err, errLost) {
		// Blacklisted by a concurrent call, here or at Django, between
		// the check and the insert: report what it did.
		if err := d.check(ctx, d.db, r); err != nil {
			return err
		}
		return jwtguard.ErrTokenRevoked
	}
	return err
}

// Revoke implements [jwtguard.Store]: the token is revoked in jwtguard's
// table, and blacklisted in simplejwt's when Django lists it (refresh
// tokens; access tokens are never listed there).
func (s *Store) Revoke(ctx context.Context, r jwtguard.Record) error {
	d := s.d
	return d.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, d.q.stateExtend, kindToken, r.ID, r.ExpiresAt.UnixMilli()); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, d.q.blacklistJTI, d.datetime(d.now()), r.ID)
		return err
	})
}

// RevokeFamily implements [jwtguard.Store]: the session is revoked in
// jwtguard's table, and the refresh tokens of it that the issuer recorded
// are blacklisted in simplejwt's, so Django refuses them too.
func (s *Store) RevokeFamily(ctx context.Context, family string, until time.Time) error {
	d := s.d
	return d.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, d.q.stateExtend, kindFamily, family, until.UnixMilli()); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, d.q.blacklistFamily, d.datetime(d.now()), family)
		return err
	})
}

// RevokeSubject implements [jwtguard.Store]: the cutoff is kept in
// jwtguard's table, and the user's outstanding refresh tokens created
// before it, Django's and jwtguard's, are blacklisted in simplejwt's.
func (s *Store) RevokeSubject(ctx context.Context, subject string, before, until time.Time) error {
	d := s.d
	return d.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, d.q.stateRaise, subject, before.Unix(), until.UnixMilli()); err != nil {
			return err
		}
		now := d.now()
		cutoff := time.Unix(before.Unix()+1, 0) // whole seconds, as "iat" has them
		_, err := tx.ExecContext(ctx, d.q.blacklistUser, d.datetime(now), d.userParam(subject), d.datetime(now), d.datetime(cutoff))
		return err
	})
}

// Check implements [jwtguard.Store].
func (s *Store) Check(ctx context.Context, r jwtguard.Record) error {
	return s.d.check(ctx, s.d.db, r)
}

// querier is a *sql.DB or a *sql.Tx.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// check reads what both sides recorded about r: a revocation of the token,
// its session or its user (ErrTokenRevoked) comes before a spend here
// (ErrTokenSpent), which comes before Django's blacklisting
// (ErrTokenRevoked: Django rotated or logged the token out).
func (d *DB) check(ctx context.Context, q querier, r jwtguard.Record) error {
	now := d.now()
	rows, err := q.QueryContext(ctx, d.q.check, r.ID, d.datetime(now), now.UnixMilli(), r.ID, r.Family, r.Subject)
	if err != nil {
		return err
	}
	defer rows.Close()
	var revoked, spent, django bool
	for rows.Next() {
		var kind string
		var before int64
		if err := rows.Scan(&kind, &before); err != nil {
			return err
		}
		switch kind {
		case kindToken:
			revoked = true
		case kindFamily:
			revoked = revoked || r.Family != ""
		case kindSubject:
			revoked = revoked || r.IssuedAt.Unix() <= before
		case kindSpent:
			spent = true
		case "b":
			django = true
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	switch {
	case revoked:
		return jwtguard.ErrTokenRevoked
	case spent:
		return jwtguard.ErrTokenSpent
	case django:
		return jwtguard.ErrTokenRevoked
	}
	return nil
}

// Purge deletes the entries of jwtguard's table whose tokens have expired,
// and returns how many. Run it now and then (hourly, say), as Django's
// flushexpiredtokens is run for simplejwt's tables.
func (s *Store) Purge(ctx context.Context) (int64, error) {
	res, err := s.d.db.ExecContext(ctx, s.d.q.purge, s.d.now().UnixMilli())
	if err != nil {
		return 0, fmt.Errorf("jwtguarddjango: purge: %w", err)
	}
	return res.RowsAffected()
}

// inTx runs f in a transaction, committed when f returns nil.
func (d *DB) inTx(ctx context.Context, f func(*sql.Tx) error) error {
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := f(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}
