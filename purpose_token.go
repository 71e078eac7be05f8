package jwtguard

import (
	"context"
	"errors"
	"time"
)

// IssueToken signs a single-purpose token for the user subject: an email
// confirmation link or a password reset, say. Its token_type is
// tokenType, never "access", "refresh" or "sliding", so a verifier of
// access tokens refuses it and it can never stand in for one; verify it
// with NewVerifier(issuer.Keys(), WithTokenType(tokenType)), usable
// again while it lives, or redeem it once with [Issuer.RedeemToken] where a
// replay matters (a password reset). It lives for lifetime and carries the
// issuer's usual claims, with a session of its own.
func (i *Issuer) IssueToken(ctx context.Context, tokenType, subject string, lifetime time.Duration) (string, time.Time, error) {
	if err := checkPurpose(tokenType); err != nil {
		return "", time.Time{}, err
	}
	if lifetime < time.Second {
		return "", time.Time{}, configError("lifetime %v is under a second", lifetime)
	}
	if err := checkSubject(subject); err != nil {
		return "", time.Time{}, err
	}
	iat := i.cfg.now().Truncate(time.Second)
	exp := iat.Add(lifetime)
	tok, err := i.sign(tokenType, subject, randomHex(), iat, exp, time.Time{}, nil)
	return tok, exp, err
}

// checkPurpose refuses the token types of sessions, and none.
func checkPurpose(tokenType string) error {
	switch tokenType {
	case "", "access", "refresh", "sliding":
		return configError("token type %q is reserved", tokenType)
	}
	return nil
}

// errRedeemed: a single-use token presented a second time.
var errRedeemed = invalid("single-use token already used", ErrTokenSpent)

// RedeemToken verifies raw, a token of [Issuer.IssueToken] of type
// tokenType, and spends it in the store: single use. The first redemption
// returns the token; any later one, here or on any instance sharing the
// store, an error matching [ErrTokenSpent]. A token revoked (by
// [Issuer.RevokeSubject] after a password change, say) gives
// [ErrTokenRevoked], a token of another type [ErrTokenWrongType], and a
// store that cannot answer [ErrUnavailable]. The session token types
// ("access", "refresh", "sliding") are never redeemed.
func (i *Issuer) RedeemToken(ctx context.Context, tokenType, raw string) (*Token, error) {
	if err := checkPurpose(tokenType); err != nil {
		return nil, err
	}
	t, err := i.any.Verify(ctx, raw)
	if err != nil {
		return nil, err
	}
	subject := i.subject(t)
	switch {
	case t.Claims.TokenType != tokenType:
		return nil, errTokenType
	case t.Claims.ID == "" || subject == "":
		return nil, errNoRefreshID
	}
	switch err := i.store.Spend(ctx, recordOf(t, subject)); {
	case err == nil:
		i.revoked(ctx, RevokedToken)
		return t, nil
	case errors.Is(err, ErrTokenSpent):
		return nil, errRedeemed
	case errors.Is(err, ErrTokenRevoked):
		return nil, errRevoked
	default:
		return nil, unavailable(err)
	}
}
