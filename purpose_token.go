package jwtguard

import (
	"context"
	"time"
)

// IssueToken signs a single-purpose token for the user subject: an email
// confirmation link or a password reset, say. Its token_type is
// tokenType, never "access", "refresh" or "sliding", so a verifier of
// access tokens refuses it and it can never stand in for one; verify it
// with NewVerifier(issuer.Keys(), WithTokenType(tokenType)). It lives for
// lifetime and carries the issuer's usual claims, with a session of its
// own.
func (i *Issuer) IssueToken(ctx context.Context, tokenType, subject string, lifetime time.Duration) (string, time.Time, error) {
	switch tokenType {
	case "", "access", "refresh", "sliding":
		return "", time.Time{}, configError("token type %q is reserved", tokenType)
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
