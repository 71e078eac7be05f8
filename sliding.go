package jwtguard

import (
	"context"
	"time"
)

// Sliding tokens are simplejwt's single-token alternative to pairs: one
// token, token_type "sliding", that authenticates until its "exp" and may be
// renewed, while it is still valid, until its "refresh_exp". A Guard
// accepts them with a verifier from Issuer.Verifier(WithTokenType("sliding")).

// IssueSliding returns a sliding token for the user subject, valid for the
// access lifetime and renewable for the refresh lifetime, and its expiry.
func (i *Issuer) IssueSliding(ctx context.Context, subject string) (string, time.Time, error) {
	if err := checkSubject(subject); err != nil {
		return "", time.Time{}, err
	}
	iat := i.cfg.now().Truncate(time.Second)
	return i.slide(ctx, subject, randomHex(), iat, iat.Add(i.cfg.refresh))
}

// RefreshSliding renews a valid sliding token: the new one has a fresh
// "exp" and "iat" and the same session and "refresh_exp". The old token is
// spent, as a refresh token is by [Issuer.Refresh]: it still authenticates
// until its "exp", as an access token does after a refresh, but never
// renews again; presented again for renewal within the reuse grace window
// ([WithReuseGrace]) it is a duplicate ([ErrTokenDuplicate], the session
// kept), past it a theft that revokes the session. A token past its
// "refresh_exp", revoked, or of another type is refused, as by
// [Issuer.Refresh].
func (i *Issuer) RefreshSliding(ctx context.Context, raw string) (string, time.Time, error) {
	tok, exp, err := i.renew(ctx, raw)
	i.refreshed(ctx, err)
	return tok, exp, err
}

// renew is RefreshSliding, unreported.
func (i *Issuer) renew(ctx context.Context, raw string) (string, time.Time, error) {
	t, err := i.sliding.Verify(ctx, raw)
	if err != nil {
		return "", time.Time{}, err
	}
	if t.Claims.TokenType != "sliding" {
		return "", time.Time{}, errTokenType
	}
	limit, ok := ClaimAs[int64](t, "refresh_exp")
	now := i.cfg.now()
	if !ok || !now.Add(-i.cfg.leeway).Before(time.Unix(limit, 0)) {
		return "", time.Time{}, errExpired
	}
	subject := i.subject(t)
	if t.Claims.ID == "" || subject == "" {
		return "", time.Time{}, errNoRefreshID
	}
	if i.users != nil { // before the spend: a refusal or failure here spends nothing
		if _, err := i.users(ctx, t); err != nil {
			return "", time.Time{}, err
		}
	}
	rec := recordOf(t, subject)
	if err := i.spend(ctx, rec, now); err != nil {
		return "", time.Time{}, err
	}
	tok, exp, err := i.slide(ctx, subject, rec.Family, now.Truncate(time.Second), time.Unix(limit, 0))
	if err != nil {
		i.unansweredSpend(rec) // spent, and nothing handed out: its retry is no theft
	}
	return tok, exp, err
}

func (i *Issuer) slide(ctx context.Context, subject, session string, iat, refreshExp time.Time) (string, time.Time, error) {
	extra, err := i.extraClaims(ctx, subject)
	if err != nil {
		return "", time.Time{}, err
	}
	exp := iat.Add(i.cfg.access)
	tok, err := i.sign("sliding", subject, session, iat, exp, refreshExp, extra)
	return tok, exp, err
}
