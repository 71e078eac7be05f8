package jwtguard

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"encoding/base64"

	"github.com/golang-jwt/jwt/v5"
)

// SigningKey is a key an [Issuer] signs tokens with: an HMAC secret or a
// private key, its key ID and its one algorithm. It is immutable and safe
// for concurrent use.
type SigningKey struct {
	alg    alg
	method jwt.SigningMethod
	key    any  // []byte for HMAC, else the private key
	public *Key // the key that verifies what this one signs
	header string
}

// NewSigningKey returns a signing key for algorithm alg, its arguments in
// the order of [NewHMACKey] and [NewPublicKey]: an HMAC secret ([]byte or
// string, at least [MinHMACSecret] bytes) for HS256, HS384 and HS512; an
// *rsa.PrivateKey (at least 2048 bits) for RS* and PS*; an *ecdsa.PrivateKey
// on the curve of ES256, ES384 or ES512; an ed25519.PrivateKey for EdDSA or
// Ed25519. kid, when not empty, goes into every token's header so that
// verifiers pick the right key while keys rotate.
func NewSigningKey(kid string, key any, algorithm string) (*SigningKey, error) {
	a, ok := parseAlg(algorithm)
	if !ok {
		return nil, configError("unsupported signing algorithm %q", algorithm)
	}
	k := &SigningKey{alg: a}
	if s, ok := key.(string); ok {
		key = []byte(s)
	}
	var err error
	switch priv := key.(type) {
	case []byte:
		secret := append([]byte(nil), priv...)
		k.key = secret
		k.public, err = NewHMACKey(kid, secret, algorithm)
	case *rsa.PrivateKey, *ecdsa.PrivateKey, ed25519.PrivateKey:
		if !validPrivateKey(priv) {
			return nil, configError("invalid %T", key)
		}
		k.key = priv
		k.public, err = NewPublicKey(kid, priv.(crypto.Signer).Public(), algorithm)
	default:
		return nil, configError("unsupported signing key type %T", key)
	}
	if err != nil {
		return nil, err
	}
	k.method = signingMethod(a)
	k.header = encodeHeader(kid, algorithm)
	return k, nil
}

func validPrivateKey(key any) bool {
	switch priv := key.(type) {
	case *rsa.PrivateKey:
		return priv != nil && priv.N != nil && priv.Validate() == nil
	case *ecdsa.PrivateKey:
		return priv != nil && priv.Curve != nil && priv.D != nil //nolint:staticcheck // presence only
	case ed25519.PrivateKey:
		return len(priv) == ed25519.PrivateKeySize
	}
	return false
}

// ID returns the key ID, "" when the key has none.
func (k *SigningKey) ID() string { return k.public.ID() }

// Algorithm returns the algorithm the key signs with.
func (k *SigningKey) Algorithm() string { return k.alg.String() }

// VerificationKey returns the key that verifies what k signs: the same
// secret for HMAC, the public half otherwise.
func (k *SigningKey) VerificationKey() *Key { return k.public }

// sign appends the base64url signature of input to dst.
func (k *SigningKey) sign(dst []byte, input []byte) ([]byte, error) {
	var sig []byte
	if k.alg <= algHS512 {
		st, sum := k.public.mac(k.alg, input)
		sig = append([]byte(nil), sum...)
		k.public.release(k.alg, st)
	} else {
		var err error
		if sig, err = k.method.Sign(string(input), k.key); err != nil {
			return nil, err
		}
	}
	return base64.RawURLEncoding.AppendEncode(dst, sig), nil
}

// encodeHeader returns the base64url JOSE header, its members sorted by
// name as PyJWT writes them: {"alg":…,"kid":…,"typ":"JWT"}.
func encodeHeader(kid, algorithm string) string {
	h := []byte(`{"alg":`)
	h = appendJSONString(h, algorithm)
	if kid != "" {
		h = append(h, `,"kid":`...)
		h = appendJSONString(h, kid)
	}
	h = append(h, `,"typ":"JWT"}`...)
	return base64.RawURLEncoding.EncodeToString(h)
}

func signingMethod(a alg) jwt.SigningMethod {
	switch a {
	case algHS256:
		return jwt.SigningMethodHS256
	case algHS384:
		return jwt.SigningMethodHS384
	case algHS512:
		return jwt.SigningMethodHS512
	case algRS256:
		return jwt.SigningMethodRS256
	case algRS384:
		return jwt.SigningMethodRS384
	case algRS512:
		return jwt.SigningMethodRS512
	case algPS256:
		return jwt.SigningMethodPS256
	case algPS384:
		return jwt.SigningMethodPS384
	case algPS512:
		return jwt.SigningMethodPS512
	case algES256:
		return jwt.SigningMethodES256
	case algES384:
		return jwt.SigningMethodES384
	case algES512:
		return jwt.SigningMethodES512
	}
	return jwt.SigningMethodEdDSA // EdDSA and Ed25519 sign alike
}
