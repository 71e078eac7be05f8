package jwtguard

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"math/big"
)

// Thumbprint returns the key's JWK thumbprint (RFC 7638): the base64url
// SHA-256 of its required public members, in lexicographic order, without
// white space: crv, kty, x, y for EC keys, e, kty, n for RSA and crv, kty,
// x for Ed25519. It is what a DPoP-bound token's "cnf" "jkt" holds (RFC
// 9449 §6.1). An HMAC key has no public thumbprint and returns an error.
func (k *Key) Thumbprint() (string, error) {
	var members []byte
	switch p := k.Public().(type) {
	case *ecdsa.PublicKey:
		size := (p.Curve.Params().BitSize + 7) / 8
		point, err := p.Bytes() // 0x04 || X || Y, each of size bytes
		if err != nil {
			return "", configError("EC key: %v", err)
		}
		members = append(members, `{"crv":"`...)
		members = append(members, p.Curve.Params().Name...)
		members = append(members, `","kty":"EC","x":"`...)
		members = base64.RawURLEncoding.AppendEncode(members, point[1:1+size])
		members = append(members, `","y":"`...)
		members = base64.RawURLEncoding.AppendEncode(members, point[1+size:])
		members = append(members, `"}`...)
	case *rsa.PublicKey:
		members = append(members, `{"e":"`...)
		members = base64.RawURLEncoding.AppendEncode(members, big.NewInt(int64(p.E)).Bytes())
		members = append(members, `","kty":"RSA","n":"`...)
		members = base64.RawURLEncoding.AppendEncode(members, p.N.Bytes())
		members = append(members, `"}`...)
	case ed25519.PublicKey:
		members = append(members, `{"crv":"Ed25519","kty":"OKP","x":"`...)
		members = base64.RawURLEncoding.AppendEncode(members, p)
		members = append(members, `"}`...)
	default:
		return "", configError("an HMAC key has no public thumbprint")
	}
	sum := sha256.Sum256(members)
	return base64.RawURLEncoding.EncodeToString(sum[:]), nil
}
