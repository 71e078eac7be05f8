package jwtguard

import (
	"context"
	"encoding/base64"
	"errors"
	"slices"
	"time"
)

// maxSignatureSize is the longest signature read: RSA with 8192 bits.
const maxSignatureSize = 1024

// b64 is base64url without padding, strict about trailing bits, as RFC 7515
// asks. Padding and the standard alphabet's '+' and '/' are refused.
var b64url = base64.RawURLEncoding.Strict()

// Verifier turns a compact JWS into a verified [*Token]. It knows nothing of
// HTTP, so gRPC interceptors, websocket handshakes and queue consumers can
// use it as well as the [Guard]. It is immutable and safe for concurrent use.
//
// Verify checks, in order: the size cap; three base64url segments; the header
// (JSON, no duplicate names, no "crit", "alg" on the allow-list, "typ" when
// configured); the claims set (JSON, no duplicate names, registered claims of
// the right types); "iss" when configured; the signature, with keys from the
// [KeyProvider] that allow the algorithm; "exp" (required by default), "nbf",
// "iat" not in the future, with the leeway; "aud" when configured;
// simplejwt's profile unless [WithTokenType]("") ("jti" present, then
// "token_type" present and the expected one); the revocation and user
// checks; and the custom validators.
type Verifier struct {
	keys  KeyProvider
	cfg   verifierConfig
	cache *tokenCache // nil: WithoutCache
}

// NewVerifier returns a verifier that trusts the keys of keys. It reports
// every problem with the options at once.
func NewVerifier(keys KeyProvider, opts ...VerifierOption) (*Verifier, error) {
	c := verifierConfig{maxSize: DefaultMaxTokenSize, tokenType: "access",
		cacheEntries: DefaultCacheEntries, cacheBytes: DefaultCacheBytes, cacheMaxAge: DefaultCacheMaxAge}
	if keys == nil {
		c.fail("nil key provider")
	}
	for _, opt := range opts {
		opt.applyVerifier(&c)
	}
	if lister, ok := keys.(interface{ Algorithms() []string }); ok && c.algs == 0 {
		for _, name := range lister.Algorithms() {
			if a, ok := parseAlg(name); ok {
				c.algs |= 1 << a
			}
		}
	}
	if c.algs == 0 {
		c.algs = 1<<numAlgs - 1 // keys still allow only their own family
	}
	c.checkReachable(keys)
	if err := c.err(); err != nil {
		return nil, err
	}
	c.errs = nil
	c.setDefaults()
	v := &Verifier{keys: keys, cfg: c}
	if c.cacheEntries > 0 {
		v.cache = newTokenCache(c.cacheEntries, c.cacheBytes, c.cacheMaxAge, keys)
	}
	for _, bind := range c.checkMakers {
		v.cfg.checks = append(v.cfg.checks, bind(&v.cfg))
	}
	return v, nil
}

// Verify verifies raw, a compact JWS, and returns its token. Every error
// matches [ErrInvalidToken] and a more specific sentinel.
func (v *Verifier) Verify(ctx context.Context, raw string) (*Token, error) {
	t, _, _, err := v.verifyCached(ctx, raw)
	return t, err
}

// verifyCached is Verify that also says whether the cache answered, and
// when it began by the verifier's clock (with its monotonic reading, for
// timing the verification).
func (v *Verifier) verifyCached(ctx context.Context, raw string) (*Token, bool, time.Time, error) {
	c := &v.cfg
	// Wall-clock time only, as the token's dates are: the cache's windows
	// compared by time.Now's monotonic reading would miss a clock step or
	// a suspend (the monotonic clock stops), and a window that outlived
	// "exp" so would accept an expired token.
	at := c.now()
	now := at.Round(0)
	var h uint64
	if v.cache != nil {
		var e *cacheEntry
		e, h = v.cache.get(raw, now)
		hit := e != nil && (v.cache.trusted || v.cache.stillTrusted(ctx, v.keys, e))
		v.cache.count(h, hit)
		if hit {
			// The times need no second look: the token passed them when
			// it entered, at e's start, and e holds only until "exp"
			// (without the leeway) and never before its start, so that
			// "exp", "nbf" and "iat" with the leeway still pass at any
			// time e holds.
			t, err := v.runChecks(ctx, e.tok)
			return t, true, at, err
		}
	}
	t, key, d, err := v.verify(ctx, raw, now)
	if err != nil {
		return nil, false, at, err
	}
	checked, err := v.runChecks(ctx, t)
	if err != nil {
		return nil, false, at, err
	}
	if v.cache != nil {
		// The cache keeps the token as verified, not the copy a check
		// made to carry its user: that is loaded again, or taken from
		// the check's own cache, on every hit.
		for n := v.cache.put(h, t, key, &d, now); n > 0 && c.observer != nil; n-- {
			c.observer.Observe(ctx, Event{Kind: EventCacheEviction})
		}
		if checked != t {
			checked.Raw = t.Raw // the cache's copy, as for t
		}
	}
	return checked, false, at, nil
}

// verify does every check that depends on the token alone, and the times
// at now. It returns the token, the key that verified it and its dates.
func (v *Verifier) verify(ctx context.Context, raw string, now time.Time) (*Token, *Key, dates, error) {
	c := &v.cfg
	var d dates
	if len(raw) > c.maxSize {
		return nil, nil, d, errTooLarge
	}
	dot1, dot2 := -1, -1
	for i := 0; i < len(raw); i++ {
		switch tokenChars[raw[i]] {
		case charBase64:
		case charDot:
			if dot1 < 0 {
				dot1 = i
			} else if dot2 < 0 {
				dot2 = i
			} else {
				return nil, nil, d, errSegments
			}
		default:
			return nil, nil, d, errEncoding
		}
	}
	if dot2 < 0 {
		return nil, nil, d, errSegments
	}
	hseg, pseg, sseg := raw[:dot1], raw[dot1+1:dot2], raw[dot2+1:]
	hlen, plen := b64url.DecodedLen(len(hseg)), b64url.DecodedLen(len(pseg))
	if len(sseg) > b64url.EncodedLen(maxSignatureSize) {
		return nil, nil, d, errSignature
	}

	// One buffer holds the decoded header and claims; the token's strings
	// point into it, so they need no copies. Most tokens fit in the
	// Token's own allocation.
	t, buf := newToken(hlen + plen)
	hn, err := b64url.Decode(buf, unsafeBytes(hseg))
	if err != nil {
		return nil, nil, d, errEncoding
	}
	pn, err := b64url.Decode(buf[hn:], unsafeBytes(pseg))
	if err != nil {
		return nil, nil, d, errEncoding
	}
	var sigBuf [maxSignatureSize]byte
	sn, err := b64url.Decode(sigBuf[:], unsafeBytes(sseg))
	if err != nil {
		return nil, nil, d, errEncoding
	}

	t.Raw, t.payload = RawToken(raw), buf[hn:hn+pn]
	if err := parseHeader(buf[:hn], &t.Header); err != nil {
		return nil, nil, d, err
	}
	a, ok := parseAlg(t.Header.Alg)
	if !ok || !c.algs.has(a) {
		return nil, nil, d, errAlg
	}
	if c.typ != "" && !typEqual(t.Header.Typ, c.typ) {
		return nil, nil, d, errTyp
	}
	if err := parseClaims(t.payload, &t.Claims, &d); err != nil {
		return nil, nil, d, err
	}
	if len(c.issuers) > 0 && !slices.Contains(c.issuers, t.Claims.Issuer) {
		return nil, nil, d, errIssuer
	}

	keys, err := v.keys.Keys(ctx, KeyQuery{Alg: t.Header.Alg, KeyID: t.Header.Kid, Issuer: t.Claims.Issuer})
	switch {
	case err == nil:
	case errors.Is(err, ErrTokenInvalidIssuer):
		return nil, nil, d, errIssuer
	case errors.Is(err, ErrUnknownKey):
		return nil, nil, d, errNoKey
	default:
		return nil, nil, d, providerError(err)
	}
	key := verifyAny(keys, a, raw[:dot2], sigBuf[:sn])
	if key == nil {
		return nil, nil, d, errSignature
	}

	if err := c.checkTimes(&d, now); err != nil {
		return nil, nil, d, err
	}
	audiences := c.audiences
	if c.issuerAud != nil {
		if a, ok := c.issuerAud[t.Claims.Issuer]; ok {
			audiences = a
		} else if len(audiences) == 0 {
			return nil, nil, d, errAudience // per-issuer audiences: an issuer without one fails closed
		}
	}
	if len(audiences) > 0 && !anyIn(t.Claims.Audience, audiences) {
		return nil, nil, d, errAudience
	}
	if err := c.checkProfile(&t.Claims); err != nil {
		return nil, nil, d, err
	}
	return t, key, d, nil
}

// runChecks runs the revocation and user checks and the custom validators,
// which depend on more than the token: on every request, cached or not.
func (v *Verifier) runChecks(ctx context.Context, t *Token) (*Token, error) {
	c := &v.cfg
	for _, check := range c.checks {
		var err error
		if t, err = check(ctx, t); err != nil {
			return nil, err
		}
	}
	for _, check := range c.validators {
		if err := check(ctx, t); err != nil {
			return nil, validatorError(err)
		}
	}
	return t, nil
}

// inlineTokenBytes is the decoded header and claims that fit in a Token's
// own allocation: a simplejwt token, or one of the Issuer, needs about 200.
const inlineTokenBytes = 256

// tokenWithBuf is a Token and room for its decoded segments, allocated
// together.
type tokenWithBuf struct {
	Token
	buf [inlineTokenBytes]byte
}

// newToken returns an empty Token and a buffer of n bytes for its decoded
// header and claims: one allocation when they fit, two otherwise.
func newToken(n int) (*Token, []byte) {
	if n <= inlineTokenBytes {
		tb := new(tokenWithBuf)
		return &tb.Token, tb.buf[:n]
	}
	return new(Token), make([]byte, n)
}

// MaxKeysTried is the most keys one token's signature is checked against.
// A token without "kid", or with a kid that several keys match (keys
// without a kid match any), is checked against each candidate key of its
// algorithm in the provider's order, and refused as one no key verifies
// once MaxKeysTried of them failed: against a remote set of thousands of
// keys, one forged token would otherwise cost a signature check per key.
// Give keys a kid, and tokens theirs, when a set holds more.
const MaxKeysTried = 8

// verifyAny returns the first of keys that verifies sig, or nil, trying
// at most MaxKeysTried of them.
func verifyAny(keys []*Key, a alg, input string, sig []byte) *Key {
	tried := 0
	for _, k := range keys {
		if !k.algs.has(a) {
			continue
		}
		if tried++; tried > MaxKeysTried {
			return nil
		}
		if k.verify(a, input, sig) {
			return k
		}
	}
	return nil
}

// checkTimes applies RFC 7519 §4.1.4-6 with the leeway: a token is expired
// from the second "exp" names (simplejwt and PyJWT agree).
func (c *verifierConfig) checkTimes(d *dates, now time.Time) error {
	secs := float64(now.Unix()) + float64(now.Nanosecond())/1e9
	leeway := c.leeway.Seconds()
	switch {
	case !d.hasExp && !c.expOptional:
		return errNoExp
	case d.hasExp && secs >= d.exp+leeway:
		return errExpired
	case d.hasNbf && secs+leeway < d.nbf:
		return errNotYet
	case d.hasIat && secs+leeway < d.iat:
		return errIssuedFuture
	}
	return nil
}

func anyIn(have, want []string) bool {
	for _, h := range have {
		if slices.Contains(want, h) {
			return true
		}
	}
	return false
}

// The classes of a compact JWS's bytes: base64url, the dot between
// segments, and everything else (0), which makes a token malformed.
const (
	charBase64 = 1 + iota
	charDot
)

// tokenChars classifies bytes with one load each, faster than comparing
// ranges on a path that reads every byte of every token.
var tokenChars = func() (t [256]byte) {
	for c := 0; c < 256; c++ {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '_':
			t[c] = charBase64
		case c == '.':
			t[c] = charDot
		}
	}
	return t
}()
