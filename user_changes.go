package jwtguard

import "time"

// A user check ([WithUserCheck], [WithUserLookup]) caches its answers, so a
// user activated, deactivated or deleted now would be answered from the
// cache for up to its maxStale. An application that changes a user tells
// the library, and the next request asks its UserLookup again.

// UserChanged tells the verifier that the user with ID id changed: was
// activated, deactivated or deleted, or changed password. Its user checks
// forget what they cached about that user, so the next request asks the
// [UserLookup] again. It reaches this process only; instances sharing a
// store learn of the change within their maxStale. Safe for concurrent use.
func (v *Verifier) UserChanged(id string) {
	for _, c := range v.cfg.userCaches {
		c.forget(id)
	}
}

// UserChanged tells the issuer that the user with ID id changed: was
// activated, deactivated or deleted, or changed password. The user check
// of [WithUserLookup], which the issuer's refresh and every verifier of
// [Issuer.Verifier] share, forgets what it cached about that user, so the
// next request or refresh asks the [UserLookup] again: an activated user
// is let in, a deactivated one refused, at once. A password change should
// also end the user's sessions with [Issuer.RevokeSubject]. When the
// issuer's store is a [ChangeFeed], the change is announced to every
// process sharing the store, whose issuers forget the user too; otherwise
// it reaches this process only. Safe for concurrent use.
func (i *Issuer) UserChanged(id string) {
	if i.userCheck != nil {
		i.userCheck.cache.forget(id)
		i.announce(Change{Kind: ChangedUser, Key: id})
	}
}

// withUserChecker adds an existing user check, and its cache, to a
// verifier: the issuer's verifiers share one, so that UserChanged reaches
// them all.
func withUserChecker(uc *userCheck, maxStale time.Duration) VerifierOption {
	return verifierOption(func(c *verifierConfig) {
		c.addCheck(maxStale, uc.bind)
		c.userCaches = append(c.userCaches, uc.cache)
	})
}
