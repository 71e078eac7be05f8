package jwtguard

import (
	"context"
	"errors"
	"time"
)

// WithRevocationCheck makes the verifier ask store whether a token was
// revoked: by its "jti", its login session ("sid"), or its subject (every
// token issued before a cutoff). Answers are cached per token for up to
// maxStale (0: ask every time), and never past the token's expiry: a token
// revoked now may still pass for maxStale on a server that checked it
// before. When the store cannot answer, the token is refused with an error
// matching [ErrUnavailable] (503): revocation fails closed. Each call to
// the store (but a [MemoryStore], which never waits) is bounded by
// [DefaultStoreTimeout] (by [WithStoreTimeout] for the verifier of
// [Issuer.Verifier]).
func WithRevocationCheck(store Store, maxStale time.Duration) VerifierOption {
	return func(c *verifierConfig) {
		if store == nil {
			c.fail("nil store")
			return
		}
		rc := &revocationCheck{store: boundedStore(store), cache: newTTLCache[bool](maxStale)}
		c.addCheck(maxStale, rc.bind)
	}
}

type revocationCheck struct {
	store Store
	cache *ttlCache[bool] // jti -> revoked
}

func (rc *revocationCheck) bind(c *verifierConfig) check {
	return passToken(func(ctx context.Context, t *Token) error {
		now := c.now()
		id := t.Claims.ID
		if id != "" {
			if revoked, ok := rc.cache.get(id, now); ok {
				if revoked {
					return errRevoked
				}
				return nil
			}
		}
		err := rc.store.Check(ctx, recordOf(t, c.subject(t)))
		if errors.Is(err, ErrTokenSpent) && t.Claims.TokenType == "sliding" {
			// A sliding token renewed since authenticates until its exp,
			// as an access token does after a refresh; only its renewal
			// is refused.
			err = nil
		}
		revoked := errors.Is(err, ErrTokenRevoked) || errors.Is(err, ErrTokenSpent)
		if err != nil && !revoked {
			return unavailable(err)
		}
		if id != "" {
			rc.cache.put(id, revoked, now, t.Claims.ExpiresAt)
		}
		if revoked {
			return errRevoked
		}
		return nil
	})
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
