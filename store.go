package jwtguard

import (
	"context"
	"errors"
	"time"
)

// Store keeps what an [Issuer] must remember about the tokens it issued:
// which refresh tokens were spent by a rotation, and which tokens, login
// sessions (families) and subjects were revoked. Every entry carries the
// time after which it may be forgotten, so storage stays bounded by the
// tokens still alive.
//
// Implementations must be safe for concurrent use, by one process or, for
// shared stores, by many. The package storetest checks an implementation
// against this contract.
type Store interface {
	// Spend marks the refresh token r.ID as used, to be remembered until
	// r.ExpiresAt. It returns nil the first time, [ErrTokenSpent] when the
	// token was spent before, and [ErrTokenRevoked] when the token, its
	// family or its subject was revoked (checked as [Store.Check] does).
	// It is atomic: of any number of concurrent calls for one ID, across
	// every process sharing the store, exactly one returns nil.
	Spend(ctx context.Context, r Record) error

	// Revoke revokes the token r.ID until r.ExpiresAt. Revoking twice is
	// not an error.
	Revoke(ctx context.Context, r Record) error

	// RevokeFamily revokes every token of the login session family until
	// the time until, which must be at or after the expiry of the family's
	// last token.
	RevokeFamily(ctx context.Context, family string, until time.Time) error

	// RevokeSubject revokes every token of subject issued at or before
	// before (compared in whole seconds, as "iat" is), remembering it
	// until the time until. A later call with an earlier before does not
	// undo a later one.
	RevokeSubject(ctx context.Context, subject string, before, until time.Time) error

	// Check returns [ErrTokenRevoked] when r.ID, r.Family (when not empty)
	// or r.Subject (for r.IssuedAt) is revoked, [ErrTokenSpent] when r.ID
	// was spent, and nil otherwise.
	Check(ctx context.Context, r Record) error
}

// Record describes one token to a [Store].
type Record struct {
	// ID is the token's "jti".
	ID string
	// Family is the login session the token descends from: the "sid"
	// claim of tokens this package issues. Empty for none.
	Family string
	// Subject is the token's user claim ("user_id" or "sub").
	Subject string
	// IssuedAt is the token's "iat".
	IssuedAt time.Time
	// ExpiresAt is when the store may forget the entry: the token's "exp"
	// plus the longest leeway any verifier allows, so that no verifier
	// still accepts the token once its entry is gone.
	ExpiresAt time.Time
}

// revokedBy reports whether a subject revocation with cutoff before covers
// a token issued at iat, comparing whole seconds as "iat" has them.
func revokedBy(before, iat time.Time) bool {
	return !before.IsZero() && iat.Unix() <= before.Unix()
}

// recordGrace keeps a store's entry past its token's "exp" for the longest
// leeway a verifier may allow (WithLeeway caps it at 5 minutes): a verifier
// with leeway still accepts the token then, so the store must still know it.
const recordGrace = 5 * time.Minute

// recordOf describes a verified token to a store. A token without "sid"
// (one minted by simplejwt, say) is its own family.
func recordOf(t *Token, subject string) Record {
	family := t.Claims.SessionID
	if family == "" {
		family = t.Claims.ID
	}
	return Record{
		ID:        t.Claims.ID,
		Family:    family,
		Subject:   subject,
		IssuedAt:  t.Claims.IssuedAt,
		ExpiresAt: t.Claims.ExpiresAt.Add(recordGrace),
	}
}

// isVerdict reports whether err is a store's answer about a token, not a
// failure to answer.
func isVerdict(err error) bool {
	return errors.Is(err, ErrTokenSpent) || errors.Is(err, ErrTokenRevoked)
}

// storeAnswer maps what a store said of a token to the issuer's and the
// checks' error: nil, errRevoked for a token revoked or spent, and for a
// store that could not answer an error matching [ErrUnavailable]. The one
// mapping of store errors.
func storeAnswer(err error) error {
	switch {
	case err == nil:
		return nil
	case isVerdict(err):
		return errRevoked
	}
	return unavailable(err)
}

// storeWrite maps a store's error on a write (a revocation) to
// [ErrUnavailable], nil to nil.
func storeWrite(err error) error {
	if err == nil {
		return nil
	}
	return unavailable(err)
}
