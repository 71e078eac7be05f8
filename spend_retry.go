package jwtguard

import (
	"context"
	"errors"
	"log/slog"
	"time"
)

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

// isVerdict reports whether err is a store's answer about a token, not a
// failure to answer.
func isVerdict(err error) bool {
	return errors.Is(err, ErrTokenSpent) || errors.Is(err, ErrTokenRevoked)
}
