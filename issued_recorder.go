package jwtguard

import (
	"context"
	"time"
)

// IssuedRecorder is a [Store] that also keeps a list of the refresh tokens
// an [Issuer] signs, as simplejwt's outstanding tokens do. When the
// issuer's store implements it, every refresh token is recorded before its
// pair is returned; a failure to record fails the issuance with an error
// matching [ErrUnavailable], so no refresh token goes out unrecorded.
// A Store that wraps another hides this interface unless it implements it
// too (and passes the call on). Implementations must be safe for
// concurrent use.
type IssuedRecorder interface {
	// RecordIssued records the refresh token raw, described by r (r.ID is
	// its "jti", r.ExpiresAt the time after which it may be forgotten).
	RecordIssued(ctx context.Context, r Record, raw string) error
}

// recordIssued tells the store of the refresh token raw, within the store's
// deadline, when the store keeps such a list.
func (i *Issuer) recordIssued(ctx context.Context, raw, jti, subject, session string, iat, exp time.Time) error {
	if i.issued == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, i.cfg.storeTimeout)
	defer cancel()
	r := Record{ID: jti, Family: session, Subject: subject, IssuedAt: iat, ExpiresAt: exp.Add(recordGrace)}
	if err := i.issued.RecordIssued(ctx, r, raw); err != nil {
		return unavailable(err)
	}
	return nil
}
