package jwtguard

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"strings"
	"time"
)

// DPoPVerifier checks DPoP proofs (RFC 9449): the JWT a client signs for
// each request with a key it holds, so that a token bound to that key is
// worth nothing to whoever steals it without the key. It is immutable
// after construction and safe for concurrent use.
//
// A proof passes when, in order: the request has exactly one DPoP header,
// no longer than [MaxDPoPProofSize]; it is a compact JWS whose header and
// claims are JSON objects without duplicate names; its "typ" is
// "dpop+jwt"; its "alg" is on the allow-list (asymmetric only); its "jwk"
// is a public key (no private or symmetric member) that fits the
// algorithm; "htm" is the request's method; "htu" the request's URI
// without query and fragment (see [WithDPoPOrigin]); "iat" within the
// window; "jti" present and at most [MaxDPoPIDLength] bytes; "ath" the
// base64url SHA-256 of the access token presented, and absent when none
// is; the signature verifies with the "jwk"; the key is the one the token
// is bound to; the "nonce" is accepted, when nonces are required; and,
// last, the proof was not seen before within its window.
type DPoPVerifier struct {
	cfg    dpopConfig
	memory *dpopMemoryReplay // nil with a store
}

// NewDPoPVerifier returns a verifier of DPoP proofs. It reports every
// problem with the options at once.
func NewDPoPVerifier(opts ...DPoPOption) (*DPoPVerifier, error) {
	c, err := newDPoPConfig(opts)
	if err != nil {
		return nil, err
	}
	if h, ok := c.nonces.(*hmacNonces); ok {
		// NewDPoPNonces' nonces keep the verifier's clock ([WithClock]):
		// a copy, since one DPoPNonces may serve several verifiers.
		own := *h
		own.now = c.now
		c.nonces = &own
	}
	v := &DPoPVerifier{cfg: c}
	if c.store == nil {
		v.memory = newDPoPMemoryReplay(c.entries)
	}
	return v, nil
}

// DPoPProof is a proof that passed every check.
type DPoPProof struct {
	// Key is the proof's public key.
	Key *Key
	// Thumbprint is the key's RFC 7638 thumbprint: what a token bound to
	// the key carries as "cnf" "jkt".
	Thumbprint string
	// ID is the proof's "jti".
	ID string
	// IssuedAt is the proof's "iat".
	IssuedAt time.Time
}

// DPoPRequest is what a proof must match.
type DPoPRequest struct {
	// Method is the request's HTTP method, compared with "htm".
	Method string
	// URIs are the request's absolute URIs as the client may see them,
	// one of which "htu" must name after normalization; query and
	// fragment are ignored.
	URIs []string
	// AccessToken is the token presented with the proof, whose hash
	// "ath" must be; "" where none is (a token endpoint), and then the
	// proof must have no "ath".
	AccessToken string
	// Thumbprint is the key the token is bound to (its "cnf" "jkt"); ""
	// for any key.
	Thumbprint string
}

// Check checks the DPoP proof of r (its one DPoP header) for r's method
// and URI, with accessToken and thumbprint as in [DPoPRequest]. A refusal
// matches [ErrDPoPProof] and one more specific sentinel, or
// [ErrUnavailable] when the replay cache's store could not answer.
func (v *DPoPVerifier) Check(r *http.Request, accessToken, thumbprint string) (*DPoPProof, error) {
	p, err := v.checkUnspent(r, accessToken, thumbprint)
	if err != nil {
		return nil, err
	}
	if err := v.spendProof(r.Context(), p); err != nil {
		return nil, err
	}
	return p, nil
}

// DPoPHeader returns the value of r's one DPoP header: [ErrDPoPMissing]
// when it has none, [ErrDPoPMultiple] when it has several or one holding
// a list, both matching [ErrDPoPProof].
func DPoPHeader(r *http.Request) (string, error) {
	values := r.Header.Values("DPoP")
	switch {
	case len(values) == 0:
		return "", errDPoPMissing
	case len(values) > 1 || strings.IndexByte(values[0], ',') >= 0:
		return "", errDPoPMultiple
	}
	return values[0], nil
}

// Nonce returns the nonce to send a client in the DPoP-Nonce header, or ""
// when the verifier asks for none.
func (v *DPoPVerifier) Nonce() string {
	if v.cfg.nonces == nil {
		return ""
	}
	return v.cfg.nonces.Nonce()
}

// usesNonces reports whether the verifier asks for server nonces.
func (v *DPoPVerifier) usesNonces() bool { return v.cfg.nonces != nil }

// Algorithms returns the algorithms a proof may use, for the "algs" of a
// DPoP challenge.
func (v *DPoPVerifier) Algorithms() []string { return v.cfg.algs.names() }

// Verify checks proof, the value of a DPoP header, against req, and
// records it in the replay cache. See [DPoPVerifier.Check].
func (v *DPoPVerifier) Verify(ctx context.Context, proof string, req DPoPRequest) (*DPoPProof, error) {
	p, err := v.verifyUnspent(proof, req)
	if err != nil {
		return nil, err
	}
	if err := v.spendProof(ctx, p); err != nil {
		return nil, err
	}
	return p, nil
}

// checkUnspent is [DPoPVerifier.Check] without the replay cache: a proof
// that passes must then be spent with spendProof before it is acted on.
// A sign-in checks the password in between, so that a proof spends a
// place in the cache only for a client that has an account.
func (v *DPoPVerifier) checkUnspent(r *http.Request, accessToken, thumbprint string) (*DPoPProof, error) {
	proof, err := DPoPHeader(r)
	if err != nil {
		return nil, err
	}
	var buf [2]string
	req := DPoPRequest{Method: r.Method, URIs: v.cfg.requestHTU(r, buf[:0]), AccessToken: accessToken, Thumbprint: thumbprint}
	return v.verifyUnspent(proof, req)
}

// verifyUnspent is Verify but for the replay cache.
func (v *DPoPVerifier) verifyUnspent(proof string, req DPoPRequest) (*DPoPProof, error) {
	c := &v.cfg
	p, err := parseDPoPProof(proof)
	if err != nil {
		return nil, err
	}
	a, ok := parseAlg(p.alg)
	switch {
	case !typEqual(p.typ, "dpop+jwt"):
		return nil, errDPoPType
	case !ok || !c.algs.has(a):
		return nil, errDPoPAlgorithm
	case p.htm == "" || p.htm != req.Method:
		return nil, errDPoPMethod
	case !htuMatches(p.htu, req.URIs):
		return nil, errDPoPURI
	}
	now := c.now().Round(0)
	if err := c.checkIssuedAt(p.iat, now); err != nil {
		return nil, err
	}
	switch {
	case p.jti == "" || len(p.jti) > MaxDPoPIDLength:
		return nil, errDPoPID
	case !athMatches(p.ath, p.hasAth, req.AccessToken):
		return nil, errDPoPTokenHash
	}
	key, err := dpopKey(p.jwk, a)
	if err != nil {
		return nil, err
	}
	if !key.verify(a, p.input, p.sig) {
		return nil, errDPoPSignature
	}
	thumb, err := key.Thumbprint()
	if err != nil {
		return nil, errDPoPKey
	}
	if req.Thumbprint != "" && subtle.ConstantTimeCompare([]byte(thumb), []byte(req.Thumbprint)) != 1 {
		return nil, errDPoPKeyMismatch
	}
	if c.nonces != nil && (!p.hasNonce || !c.nonces.Valid(p.nonce)) {
		return nil, &dpopNonceError{nonce: c.nonces.Nonce()}
	}
	return &DPoPProof{Key: key, Thumbprint: thumb, ID: strings.Clone(p.jti), IssuedAt: unixTime(p.iat)}, nil
}

// spendProof records a verified proof in the replay cache for the rest of
// its window: errDPoPReplay if it was there already.
func (v *DPoPVerifier) spendProof(ctx context.Context, p *DPoPProof) error {
	// A proof passes while now <= iat + window + leeway; a second more
	// covers the rounding of a fractional "iat". The expiry depends on the
	// proof alone: counting a future "iat" as now would let the proof
	// pass, unknown, for up to the leeway after its entry expired, and a
	// replay of a dropped proof would not be found at or below floor.
	expires := p.IssuedAt.Add(v.cfg.window + v.cfg.leeway + time.Second)
	now := v.cfg.now().Round(0)
	id := newDPoPReplayID(p.Thumbprint, p.ID)
	if v.memory != nil {
		return v.memory.spend(id, p.Thumbprint, expires, now)
	}
	return spendDPoPInStore(ctx, v.cfg.store, id, p.IssuedAt, expires)
}

// checkIssuedAt refuses an "iat" older than the window and the leeway, or
// later than the leeway.
func (c *dpopConfig) checkIssuedAt(iat float64, now time.Time) error {
	secs := float64(now.UnixNano()) / 1e9
	switch {
	case iat < secs-(c.window+c.leeway).Seconds():
		return errDPoPStale
	case iat > secs+c.leeway.Seconds():
		return errDPoPFuture
	}
	return nil
}

// htuMatches reports whether htu names one of uris, both normalized.
func htuMatches(htu string, uris []string) bool {
	if htu == "" {
		return false
	}
	for _, u := range uris {
		if htu == u && strings.IndexAny(u, "?#") < 0 {
			return true // as most clients write it: nothing to normalize
		}
	}
	got, ok := normalizeHTU(htu)
	if !ok {
		return false
	}
	for _, u := range uris {
		if want, ok := normalizeHTU(u); ok && got == want {
			return true
		}
	}
	return false
}

// athMatches checks "ath" against the access token: present and equal to
// its hash when one is presented, absent when none is.
func athMatches(ath string, has bool, token string) bool {
	if token == "" {
		return !has
	}
	return has && subtle.ConstantTimeCompare([]byte(ath), []byte(DPoPTokenHash(token))) == 1
}

// DPoPTokenHash returns the "ath" of a proof sent with accessToken: the
// base64url SHA-256 of the token (RFC 9449 §4.2).
func DPoPTokenHash(accessToken string) string {
	sum := sha256.Sum256([]byte(accessToken))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}
