package jwtguard

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"hash"
	"sync"
)

// minRSABits is the smallest RSA modulus jwtguard accepts (RFC 7518 §3.3).
const minRSABits = 2048

// Key is one verification key: an HMAC secret or a public key, its key ID,
// and the algorithms it may verify. A Key is immutable and safe for
// concurrent use. It is only ever used with algorithms of its own family.
type Key struct {
	id   string
	algs algSet

	secret []byte
	hmacs  [3]sync.Pool // HS256, HS384, HS512: reused MACs keyed with secret
	rsa    *rsa.PublicKey
	ec     *ecdsa.PublicKey
	ecSize int // bytes of r and of s
	ed     ed25519.PublicKey
}

// NewHMACKey returns a key for HS256, HS384 and HS512, or for the algs given.
// The secret is copied, and must have at least 16 bytes, as for
// [NewSigningKey] (see [MinHMACSecret]). kid may be empty.
func NewHMACKey(kid string, secret []byte, algs ...string) (*Key, error) {
	if err := checkHMACSecret(secret); err != nil {
		return nil, err
	}
	set, err := parseAlgs(familyHMAC, algs)
	if err != nil {
		return nil, err
	}
	k := &Key{id: kid, algs: set, secret: append([]byte(nil), secret...)}
	for i := range k.hmacs {
		h := newHash(alg(i).hash())
		k.hmacs[i].New = func() any { return &hmacState{mac: hmac.New(h, k.secret)} }
	}
	return k, nil
}

// NewPublicKey returns a key for an *rsa.PublicKey (RS* and PS*, at least
// 2048 bits), an *ecdsa.PublicKey (ES256, ES384 or ES512 by its curve) or an
// ed25519.PublicKey (EdDSA and Ed25519). A private key of these kinds is
// accepted for its public half. algs narrows the algorithms; kid may be empty.
func NewPublicKey(kid string, pub crypto.PublicKey, algs ...string) (*Key, error) {
	if priv, ok := pub.(interface{ Public() crypto.PublicKey }); ok {
		pub = priv.Public()
	}
	k := &Key{id: kid}
	var family algSet
	switch p := pub.(type) {
	case *rsa.PublicKey:
		if p == nil || p.N == nil || p.N.BitLen() < minRSABits {
			return nil, configError("RSA key must have at least %d bits", minRSABits)
		}
		k.rsa, family = p, familyRSA
	case *ecdsa.PublicKey:
		if p == nil {
			return nil, configError("nil ECDSA key")
		}
		switch p.Curve {
		case elliptic.P256():
			family, k.ecSize = setOf(algES256), 32
		case elliptic.P384():
			family, k.ecSize = setOf(algES384), 48
		case elliptic.P521():
			family, k.ecSize = setOf(algES512), 66
		default:
			return nil, configError("unsupported ECDSA curve")
		}
		k.ec = p
	case ed25519.PublicKey:
		if len(p) != ed25519.PublicKeySize {
			return nil, configError("Ed25519 key must be %d bytes", ed25519.PublicKeySize)
		}
		k.ed, family = p, familyEd25519
	default:
		return nil, configError("unsupported key type %T", pub)
	}
	set, err := parseAlgs(family, algs)
	if err != nil {
		return nil, err
	}
	k.algs = set
	return k, nil
}

// ID returns the key ID, "" when the key has none.
func (k *Key) ID() string { return k.id }

// Algorithms returns the algorithms the key may verify.
func (k *Key) Algorithms() []string { return k.algs.names() }

// Public returns the public key, or nil for an HMAC key.
func (k *Key) Public() crypto.PublicKey {
	switch {
	case k.rsa != nil:
		return k.rsa
	case k.ec != nil:
		return k.ec
	case k.ed != nil:
		return k.ed
	}
	return nil
}

// pssOptions: RFC 7518 §3.5 fixes the salt to the hash size; Auto also
// accepts signers that used a longer salt, and is no weaker.
var pssOptions = &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthAuto}

// verify checks sig over the signing input with algorithm a. The caller has
// checked that the key allows a.
func (k *Key) verify(a alg, input string, sig []byte) bool {
	msg := unsafeBytes(input)
	switch a {
	case algHS256, algHS384, algHS512:
		return k.verifyHMAC(a, msg, sig)
	case algEdDSA, algEd25519:
		return len(sig) == ed25519.SignatureSize && ed25519.Verify(k.ed, msg, sig)
	}
	var buf [sha512.Size]byte
	digest := sum(a.hash(), msg, &buf)
	switch a {
	case algRS256, algRS384, algRS512:
		return rsa.VerifyPKCS1v15(k.rsa, a.hash(), digest, sig) == nil
	case algPS256, algPS384, algPS512:
		return rsa.VerifyPSS(k.rsa, a.hash(), digest, sig, pssOptions) == nil
	case algES256, algES384, algES512:
		return k.verifyECDSA(digest, sig)
	}
	return false
}

// hmacState is a pooled MAC with room for its sum, so that a check
// allocates nothing: a buffer on the stack would escape through the
// hash.Hash interface.
type hmacState struct {
	mac hash.Hash
	sum [sha512.Size]byte
}

// mac computes the MAC of msg with a pooled state, which the caller gives
// back with release once done with sum.
func (k *Key) mac(a alg, msg []byte) (*hmacState, []byte) {
	st := k.hmacs[a-algHS256].Get().(*hmacState)
	st.mac.Reset()
	st.mac.Write(msg)
	return st, st.mac.Sum(st.sum[:0])
}

func (k *Key) release(a alg, st *hmacState) { k.hmacs[a-algHS256].Put(st) }

func (k *Key) verifyHMAC(a alg, msg, sig []byte) bool {
	st, sum := k.mac(a, msg)
	ok := hmac.Equal(sum, sig)
	k.release(a, st)
	return ok
}

// verifyECDSA checks a JWS signature, r and s as fixed-size big-endian
// integers (RFC 7518 §3.4), by re-encoding it as ASN.1 on the stack.
// VerifyASN1 refuses r or s of zero (CVE-2022-21449).
func (k *Key) verifyECDSA(digest, sig []byte) bool {
	if len(sig) != 2*k.ecSize {
		return false
	}
	var buf [2*66 + 16]byte
	der := appendASN1Int(buf[:2], sig[:k.ecSize])
	der = appendASN1Int(der, sig[k.ecSize:])
	n := len(der) - 2
	if n < 0x80 {
		der[0], der[1] = 0x30, byte(n)
	} else {
		// P-521: the sequence may need a long-form length.
		der = append(der, 0)
		copy(der[3:], der[2:len(der)-1])
		der[0], der[1], der[2] = 0x30, 0x81, byte(n)
	}
	return ecdsa.VerifyASN1(k.ec, digest, der)
}

// appendASN1Int appends b, a big-endian unsigned integer, as a DER INTEGER.
func appendASN1Int(dst, b []byte) []byte {
	for len(b) > 1 && b[0] == 0 {
		b = b[1:]
	}
	pad := len(b) > 0 && b[0]&0x80 != 0
	n := len(b)
	if pad {
		n++
	}
	dst = append(dst, 0x02, byte(n))
	if pad {
		dst = append(dst, 0)
	}
	return append(dst, b...)
}

func sum(h crypto.Hash, msg []byte, buf *[sha512.Size]byte) []byte {
	switch h {
	case crypto.SHA384:
		d := sha512.Sum384(msg)
		return append(buf[:0], d[:]...)
	case crypto.SHA512:
		d := sha512.Sum512(msg)
		return append(buf[:0], d[:]...)
	}
	d := sha256.Sum256(msg)
	return append(buf[:0], d[:]...)
}
