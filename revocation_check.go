package jwtguard

import (
	"context"
	"errors"
	"strings"
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
// [Issuer.Verifier]). When store is a [ChangeFeed], the revocations
// written by any process sharing it drop the cached answers they make
// wrong at once, so a revoked token is refused everywhere within the
// feed's delay, while a cached answer still costs no store call.
func WithRevocationCheck(store Store, maxStale time.Duration) VerifierOption {
	return verifierOption(func(c *verifierConfig) {
		if store == nil {
			c.fail("nil store")
			return
		}
		rc := &revocationCheck{store: boundedStore(store), cache: newTTLCache[revocationAnswer](maxStale)}
		if f, ok := changeFeedOf(store); ok && maxStale > 0 {
			f.Subscribe(rc.changed)
		}
		c.addCheck(maxStale, rc.bind)
	})
}

type revocationCheck struct {
	store Store
	cache *ttlCache[revocationAnswer] // jti -> answer
}

// revocationAnswer is a cached answer of the store, with what a change
// may name it by.
type revocationAnswer struct {
	revoked         bool
	family, subject string
}

// changed drops the answers c makes wrong.
func (rc *revocationCheck) changed(c Change) {
	switch c.Kind {
	case ChangedToken:
		rc.cache.forget(c.Key)
	case ChangedFamily:
		rc.cache.forgetWhere(func(a revocationAnswer) bool { return a.family == c.Key })
	case ChangedSubject:
		rc.cache.forgetWhere(func(a revocationAnswer) bool { return a.subject == c.Key })
	case ChangedAll:
		rc.cache.clear()
	}
}

func (rc *revocationCheck) bind(c *verifierConfig) check {
	store := observeStore(rc.store, c.observer, c.now)
	return passToken(func(ctx context.Context, t *Token) error {
		now := c.now()
		id := t.Claims.ID
		if id != "" {
			if a, ok := rc.cache.get(id, now); ok {
				if a.revoked {
					return errRevoked
				}
				return nil
			}
		}
		mark := rc.cache.mark()
		r := recordOf(t, c.subject(t))
		err := store.Check(ctx, r)
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
			// Copies: slices of the token would keep it alive.
			a := revocationAnswer{revoked: revoked, family: strings.Clone(r.Family), subject: strings.Clone(r.Subject)}
			rc.cache.putSince(id, a, now, t.Claims.ExpiresAt, &mark)
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
