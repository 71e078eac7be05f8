package jwtguard

import (
	"crypto/rand"
	"encoding/base64"
	"strconv"
	"strings"
	"time"
)

// DPoPProver makes DPoP proofs (RFC 9449 §4): the client's side, for a Go
// client of an API that wants them, and for tests. It is immutable and
// safe for concurrent use.
type DPoPProver struct {
	key        *SigningKey
	header     []byte // base64url header and the dot
	thumbprint string
	now        func() time.Time
}

// NewDPoPProver returns a prover that signs with key, which must be
// asymmetric (an RSA, ECDSA or Ed25519 private key): its public half goes
// into every proof's "jwk" header, and its thumbprint is what tokens are
// bound to.
func NewDPoPProver(key *SigningKey) (*DPoPProver, error) {
	if key == nil || !dpopAsymmetric.has(key.alg) {
		return nil, configError("DPoP proofs need an asymmetric signing key")
	}
	thumb, err := key.public.Thumbprint()
	if err != nil {
		return nil, err
	}
	// The public key alone: no kid, "use" or "alg" of the signing key.
	pub, err := NewPublicKey("", key.public.Public())
	if err != nil {
		return nil, err
	}
	h := []byte(`{"typ":"dpop+jwt","alg":"` + key.alg.String() + `","jwk":`)
	h = append(h, encodeJWK(pub)...)
	h = append(h, '}')
	header := base64.RawURLEncoding.AppendEncode(nil, h)
	return &DPoPProver{key: key, header: append(header, '.'), thumbprint: thumb, now: time.Now}, nil
}

// Thumbprint returns the RFC 7638 thumbprint of the prover's key: what an
// issuer binds tokens to ("cnf" "jkt").
func (p *DPoPProver) Thumbprint() string { return p.thumbprint }

// Proof returns a fresh proof for a request of method to uri (its query
// and fragment are left out of "htu"), with a random "jti" and "iat" now.
// accessToken, when not empty, is the token the request presents, whose
// hash goes into "ath"; nonce, when not empty, is the server's last
// DPoP-Nonce.
func (p *DPoPProver) Proof(method, uri, accessToken, nonce string) (string, error) {
	if i := strings.IndexAny(uri, "?#"); i >= 0 {
		uri = uri[:i]
	}
	var jti [16]byte
	if _, err := rand.Read(jti[:]); err != nil {
		return "", err
	}
	c := []byte(`{"jti":"`)
	c = base64.RawURLEncoding.AppendEncode(c, jti[:])
	c = append(c, `","htm":`...)
	c = appendJSONString(c, method)
	c = append(c, `,"htu":`...)
	c = appendJSONString(c, uri)
	c = append(c, `,"iat":`...)
	c = strconv.AppendInt(c, p.now().Unix(), 10)
	if accessToken != "" {
		c = append(c, `,"ath":"`+DPoPTokenHash(accessToken)+`"`...)
	}
	if nonce != "" {
		c = append(c, `,"nonce":`...)
		c = appendJSONString(c, nonce)
	}
	c = append(c, '}')
	input := base64.RawURLEncoding.AppendEncode(append([]byte(nil), p.header...), c)
	out, err := p.key.sign(append(input, '.'), input)
	if err != nil {
		return "", err
	}
	return string(out), nil
}
