package jwtguard

// A refresh token's life after its issue: the rotation that spends it for
// a new pair (Refresh), reuse detection (a spent token presented again
// revokes its session), the reuse grace window that takes a presentation
// within it for a duplicate, and the retry of a spend that went
// unanswered. Sliding renewals (sliding.go) spend their token the same way.

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
			return storeWrite(err)
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
	}
	return storeAnswer(err)
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

// Refresh spends the refresh token raw and returns a new pair of the same
// login session. A token spent before is, within the reuse grace window
// ([WithReuseGrace]), a duplicate: refused with an error matching
// [ErrTokenDuplicate], [ErrTokenSpent] and [ErrTokenRevoked], and the
// session kept. Past the window it is a sign of theft: the whole session
// is revoked and the error matches [ErrTokenSpent] and [ErrTokenRevoked].
// Errors match [ErrInvalidToken] for a bad token, [ErrTokenWrongType] for
// one that is not a refresh token, [ErrTokenRevoked] for a revoked one, the
// user errors under [WithUserLookup], and [ErrUnavailable] when the store
// fails.
func (i *Issuer) Refresh(ctx context.Context, raw string) (*Pair, error) {
	return i.refreshBound(ctx, raw, "", nil)
}

// refreshBound is Refresh with the thumbprint of the DPoP key that proved
// possession, "" for none: a bound refresh token needs its own key's.
// proven, if not nil, runs once every check passed and before the token
// is spent: the endpoints spend the proof there, so that a refresh with a
// token that fails spends no place in the replay cache.
func (i *Issuer) refreshBound(ctx context.Context, raw, jkt string, proven func() error) (*Pair, error) {
	pair, err := i.rotate(ctx, raw, jkt, proven)
	i.refreshed(ctx, err)
	return pair, err
}

// rotate is refreshBound, unreported.
func (i *Issuer) rotate(ctx context.Context, raw, jkt string, proven func() error) (*Pair, error) {
	t, err := i.refresh.Verify(ctx, raw)
	if err != nil {
		return nil, err
	}
	if err := checkBinding(t, jkt); err != nil {
		return nil, err
	}
	if t.Claims.TokenType != "refresh" {
		return nil, errTokenType
	}
	subject := i.subject(t)
	if t.Claims.ID == "" || subject == "" {
		return nil, errNoRefreshID
	}
	rec := recordOf(t, subject)
	// Before the spend: the new pair is no younger than the checks, and a
	// user check that refuses or fails spends nothing.
	now := i.cfg.now()
	if err := i.checkUser(ctx, t, now); err != nil {
		return nil, err
	}
	if proven != nil {
		if err := proven(); err != nil {
			return nil, err
		}
	}
	if err := i.spend(ctx, rec, now); err != nil {
		return nil, err
	}
	pair, err := i.issue(ctx, subject, rec.Family, now, jkt)
	if err != nil {
		i.unansweredSpend(rec) // spent, and nothing handed out: its retry is no theft
	}
	return pair, err
}

// reused answers the reuse of a spent refresh token: a sign of theft, so
// the whole session is revoked.
func (i *Issuer) reused(ctx context.Context, rec Record) error {
	if err := i.store.RevokeFamily(ctx, rec.Family, i.familyUntil(rec)); err != nil {
		i.log.LogAttrs(ctx, slog.LevelError, "jwtguard: revoking a reused session failed",
			slog.String("subject", rec.Subject), slog.String("error", err.Error()))
		return unavailable(err)
	}
	i.log.LogAttrs(ctx, slog.LevelWarn, "jwtguard: refresh token reused; session revoked",
		slog.String("subject", rec.Subject), slog.String("jti", rec.ID))
	i.revoked(ctx, RevokedFamily)
	return errReused
}

// refreshed reports a refresh or sliding renewal that ended with err.
func (i *Issuer) refreshed(ctx context.Context, err error) {
	if i.cfg.observer == nil {
		return
	}
	e := Event{Kind: EventRefresh, Outcome: OutcomeRotated}
	switch {
	case err == nil:
	case errors.Is(err, ErrTokenDuplicate):
		e.Outcome = OutcomeDuplicate
	case err == errReused:
		e.Outcome = OutcomeReuse
	default:
		e.Outcome, e.Refusal, e.Err = OutcomeRefused, RefusalKind(err), err
	}
	i.cfg.observer.Observe(ctx, e)
}

// familyUntil is how long a session's revocation must be kept: past the
// expiry of any token the session may have, this issuer's or (for a token
// that came with a longer life, from simplejwt say) the one presented.
func (i *Issuer) familyUntil(rec Record) time.Time {
	until := i.cfg.now().Add(i.cfg.refresh + recordGrace)
	if rec.ExpiresAt.After(until) {
		until = rec.ExpiresAt
	}
	return until
}

// unansweredGrace is how long a refresh whose spend failed may be retried
// with the same token: long enough for a client's retries, short enough
// that a stolen token gains little from it.
const unansweredGrace = time.Minute

// A refresh whose spend returned an error (the store failed, or its
// deadline passed) has an unknown outcome: the spend may have committed
// after all, its reply lost, and the client was told 503. Its retry would
// then find the token spent and take it for theft, revoking the session of
// a client that did nothing wrong. So the issuer remembers, for
// unansweredGrace and in this process only, the tokens whose spend went
// unanswered, and lets one later refresh of each through when the store
// says spent. A second presentation is answered as any spent token (a
// duplicate within the reuse grace window, reuse past it). If a thief's
// replay takes that one pass, the client's own retry is a duplicate within
// the window (refused, the session kept: the cost the window's doc
// states), and reuse that revokes the session past it. A spend that
// succeeds, or a failure after the spend with nothing handed out, is
// handled alike: the success uses up the pass, the failure earns one.
//
// Only a token the store had just reported unspent can earn the pass: the
// spend is preceded by a check, and a token already spent (an old one a
// thief replays while the store is failing) is reuse at once, or, when
// the check fails too, a 503 that earns nothing.

// unansweredSpend notes that the spend of rec's token went unanswered.
func (i *Issuer) unansweredSpend(rec Record) {
	i.retry.put(rec.ID, true, i.cfg.now(), time.Time{})
}

// retriedSpend reports whether rec's token, found spent, is the retry of a
// refresh whose spend went unanswered, and uses up its pass.
func (i *Issuer) retriedSpend(ctx context.Context, rec Record) bool {
	if !i.retry.take(rec.ID, i.cfg.now()) {
		return false
	}
	i.log.LogAttrs(ctx, slog.LevelWarn, "jwtguard: refresh retried after its spend went unanswered; not taken for reuse",
		slog.String("subject", rec.Subject), slog.String("jti", rec.ID))
	return true
}
