package jwtguard

import (
	"context"
	"errors"
	"log/slog"
	"time"
)

// DefaultReuseGrace is how long, by default, a refresh token spent by a
// rotation may be presented again as a duplicate rather than a theft: two
// tabs refreshing at once, an HTTP client retrying a refresh whose answer
// it lost. The big identity providers do the same (a grace period for
// token rotation, a reuse interval); 30 seconds is the common default.
const DefaultReuseGrace = 30 * time.Second

// maxReuseGrace bounds WithReuseGrace: past it a duplicate is no longer
// the same moment's request.
const maxReuseGrace = 5 * time.Minute

// ErrTokenDuplicate: a refresh (or sliding) token spent by a rotation was
// presented again within the reuse grace window ([WithReuseGrace]). It is
// refused as simplejwt refuses a spent token (401 "Token is blacklisted"),
// but its session lives on: the pair the first presentation received keeps
// working. It also matches [ErrTokenSpent] and [ErrTokenRevoked].
var ErrTokenDuplicate = errors.New("jwtguard: refresh token presented again within the reuse grace window")

var errRespentInGrace = invalid("refresh token already used; within the reuse grace window, its session is kept",
	ErrTokenDuplicate, ErrTokenSpent, ErrTokenRevoked)

// WithReuseGrace sets how long after a rotation the spent refresh token
// is a duplicate rather than a theft: [DefaultReuseGrace] (30 s) by
// default, at most 5 minutes; 0 turns it off, so that any reuse revokes
// the session. A duplicate is answered as simplejwt answers a spent token
// (401 "Token is blacklisted") and its session is kept; past the window,
// reuse revokes the whole session. The window runs from the first time
// the token was presented, and a duplicate does not extend it.
//
// The cost of the window: when a thief redeems a stolen refresh token
// first, the owner's own refresh within the window is taken for a
// duplicate, and does not end the thief's session as it would without
// the window. A thief who redeems it after the owner gets nothing either
// way.
func WithReuseGrace(d time.Duration) IssuerOption {
	return issuerOption(func(c *issuerConfig) {
		if d < 0 || d > maxReuseGrace {
			c.fail("reuse grace %v is outside [0, %v]", d, maxReuseGrace)
		}
		c.grace = d
	})
}

// graceRecord is the store entry that marks rec's first presentation for
// the reuse grace window: a revoked entry of its own ID, kept for the
// window. The prefix keeps it apart from any "jti". It has a subject of
// its own and is issued now, so that nothing but its own revocation reads
// as revoked: not a revocation of a subject, nor a cut-off a store sets
// after losing its state (which covers whatever was issued before it),
// which would otherwise make every reuse a duplicate.
func (i *Issuer) graceRecord(rec Record, now time.Time) Record {
	id := "grace:" + rec.ID
	return Record{ID: id, Subject: id, IssuedAt: now, ExpiresAt: now.Add(i.cfg.grace)}
}

// spend spends the refresh or sliding token rec for a rotation. It
// returns nil the first time (and for the one retry of a spend that went
// unanswered, spend_retry.go); for a token spent before, errRespentInGrace
// within the reuse grace window and, past it, revokes the session and
// returns errReused; errRevoked for a revoked token; an error matching
// [ErrUnavailable] when the store fails.
//
// The token is checked first, so that only a token the store has just
// reported unspent can earn the retry pass (an old spent token replayed
// while the store fails is reuse, or a 503 that earns nothing). With a
// grace window, a token not yet spent then gets its marker (see
// graceRecord), and only then is spent: a concurrent duplicate that finds
// it spent therefore always finds the marker too. A token already spent
// gets no marker, so a late reuse cannot open a window for itself.
func (i *Issuer) spend(ctx context.Context, rec Record, now time.Time) error {
	if err := i.store.Check(ctx, rec); err != nil {
		return i.spent(ctx, rec, now, err)
	}
	if i.cfg.grace > 0 {
		if err := i.store.Revoke(ctx, i.graceRecord(rec, now)); err != nil {
			return unavailable(err)
		}
	}
	err := i.store.Spend(ctx, rec)
	switch {
	case err == nil:
		i.retry.forget(rec.ID) // a pass of an earlier, unanswered spend is used up
	case !isVerdict(err):
		i.unansweredSpend(rec) // it may have committed: its retry is no theft
	}
	return i.spent(ctx, rec, now, err)
}

// spent answers what the store said of rec: nil for a token not spent
// before or for the one retry of a spend that went unanswered
// (spend_retry.go), the answer of respent for a spent one, errRevoked, or an error
// matching [ErrUnavailable].
func (i *Issuer) spent(ctx context.Context, rec Record, now time.Time, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, ErrTokenSpent):
		if i.retriedSpend(ctx, rec) {
			return nil
		}
		return i.respent(ctx, rec, now)
	case errors.Is(err, ErrTokenRevoked):
		return errRevoked
	default:
		return unavailable(err)
	}
}

// respent answers a spent token presented again: a duplicate within the
// grace window, else a theft that revokes the session.
func (i *Issuer) respent(ctx context.Context, rec Record, now time.Time) error {
	if i.cfg.grace > 0 {
		switch err := i.store.Check(ctx, i.graceRecord(rec, now)); {
		case errors.Is(err, ErrTokenRevoked):
			i.log.LogAttrs(ctx, slog.LevelInfo, "jwtguard: refresh token presented again within the grace window; session kept",
				slog.String("subject", rec.Subject), slog.String("jti", rec.ID))
			return errRespentInGrace
		case err != nil && !errors.Is(err, ErrTokenSpent):
			return unavailable(err)
		}
	}
	return i.reused(ctx, rec)
}
