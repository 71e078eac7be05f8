package jwtguard

import (
	"errors"
	"slices"
	"strings"
)

// checkReachable refuses a configuration under which no token could ever
// pass, so that a mistake shows at construction rather than as a 401 on
// every request: an allow-list that no key of the provider can verify
// (HMAC keys with WithAlgorithms(RS256), or a remote key set, which never
// holds HMAC keys, with HS256 only), and issuers named in WithIssuer or
// WithIssuerAudience that the provider has no keys for, or that
// WithIssuer does not admit.
func (c *verifierConfig) checkReachable(keys KeyProvider) {
	if keys == nil {
		return
	}
	if possible, known := providerAlgs(keys); known && c.algs&possible == 0 {
		c.fail("no key can verify the allowed algorithms %s (the keys verify %s)",
			strings.Join(c.algs.names(), ", "), strings.Join(possible.names(), ", "))
	}
	var named []string // issuers with keys; nil when the provider does not say
	if iss, ok := keys.(*Issuers); ok {
		named = iss.Issuers()
		for _, want := range c.issuers {
			if !slices.Contains(named, want) {
				c.fail("WithIssuer(%q): the key provider has no keys for that issuer", want)
			}
		}
	}
	for iss := range c.issuerAud {
		if named != nil && !slices.Contains(named, iss) {
			c.fail("WithIssuerAudience(%q): the key provider has no keys for that issuer", iss)
		}
		if len(c.issuers) > 0 && !slices.Contains(c.issuers, iss) {
			c.fail("WithIssuerAudience(%q): WithIssuer does not admit that issuer", iss)
		}
	}
}

// providerAlgs returns every algorithm p could ever give a key for, and
// whether it can tell: a KeySet lists its keys' algorithms, a remote key
// set never holds an HMAC key, and Issuers can tell when each of its
// providers can.
func providerAlgs(p KeyProvider) (algSet, bool) {
	switch p := p.(type) {
	case *KeySet:
		return p.algs, true
	case *RemoteKeySet:
		return algSet(1<<numAlgs-1) &^ familyHMAC, true
	case *Issuers:
		var all algSet
		for _, sub := range p.byIssuer {
			s, ok := providerAlgs(sub)
			if !ok {
				return 0, false
			}
			all |= s
		}
		return all, true
	}
	return 0, false
}

// checkReachable refuses options of [Issuer.Verifier] that no token of the
// issuer can pass: an "iss" or "aud" required of tokens the issuer writes
// without one ([WithTokenIssuer], [WithTokenAudience] add them).
func (i *Issuer) checkReachable(v *Verifier) error {
	var errs []error
	iss, aud := v.requiresClaims()
	if iss && i.cfg.iss == "" {
		errs = append(errs, configError("WithIssuer: the issuer's tokens carry no \"iss\" (WithTokenIssuer sets one)"))
	}
	if aud && len(i.cfg.aud) == 0 {
		errs = append(errs, configError("WithAudience: the issuer's tokens carry no \"aud\" (WithTokenAudience sets one)"))
	}
	return errors.Join(errs...)
}

// requiresClaims reports whether v requires an "iss" and an "aud".
func (v *Verifier) requiresClaims() (iss, aud bool) {
	return len(v.cfg.issuers) > 0, len(v.cfg.audiences) > 0 || len(v.cfg.issuerAud) > 0
}
