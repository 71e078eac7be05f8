package jwtguard

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"slices"
)

// ParsePEM returns a key for the first key-bearing block of PEM data: a
// PKIX "PUBLIC KEY", a PKCS#1 "RSA PUBLIC KEY", an X.509 "CERTIFICATE", or a
// private key ("PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY"), of which
// only the public half is kept. kid and algs are as for [NewPublicKey].
func ParsePEM(kid string, data []byte, algs ...string) (*Key, error) {
	for {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			return nil, configError("no key found in PEM data")
		}
		var pub crypto.PublicKey
		var err error
		switch block.Type {
		case "PUBLIC KEY":
			pub, err = x509.ParsePKIXPublicKey(block.Bytes)
		case "RSA PUBLIC KEY":
			pub, err = x509.ParsePKCS1PublicKey(block.Bytes)
		case "CERTIFICATE":
			var cert *x509.Certificate
			if cert, err = x509.ParseCertificate(block.Bytes); err == nil {
				pub = cert.PublicKey
			}
		case "PRIVATE KEY":
			pub, err = x509.ParsePKCS8PrivateKey(block.Bytes)
		case "RSA PRIVATE KEY":
			pub, err = x509.ParsePKCS1PrivateKey(block.Bytes)
		case "EC PRIVATE KEY":
			pub, err = x509.ParseECPrivateKey(block.Bytes)
		default:
			continue
		}
		if err != nil {
			return nil, configError("PEM %s: %v", block.Type, err)
		}
		return NewPublicKey(kid, pub, algs...)
	}
}

// jwk is the JSON form of a JSON Web Key (RFC 7517, RFC 7518 §6, RFC 8037).
type jwk struct {
	Kty    string   `json:"kty"`
	Kid    string   `json:"kid"`
	Alg    string   `json:"alg"`
	Use    string   `json:"use"`
	KeyOps []string `json:"key_ops"`
	Crv    string   `json:"crv"`
	X      string   `json:"x"`
	Y      string   `json:"y"`
	N      string   `json:"n"`
	E      string   `json:"e"`
	K      string   `json:"k"`
}

// ParseJWK returns the key of one JSON Web Key: "RSA", "EC" (P-256, P-384,
// P-521), "OKP" (Ed25519) or "oct" (an HMAC secret). A JWK's "alg", when
// present, is the only algorithm the key may verify. A key whose "use" is not
// "sig", or whose "key_ops" lack "verify", is refused. Private members are
// ignored: only the public half of a private key is used.
func ParseJWK(data []byte) (*Key, error) {
	var j jwk
	if err := json.Unmarshal(data, &j); err != nil {
		return nil, configError("JWK: %v", err)
	}
	return j.key()
}

// ParseJWKSet returns the keys of a JSON Web Key Set ({"keys": [...]}).
// Keys for encryption and of unsupported types or curves are skipped, as
// RFC 7517 §5 asks; a malformed signing key is an error, and so is a set
// with no usable key.
func ParseJWKSet(data []byte) ([]*Key, error) {
	var set struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(data, &set); err != nil {
		return nil, configError("JWK Set: %v", err)
	}
	var keys []*Key
	for i, raw := range set.Keys {
		var j jwk
		if err := json.Unmarshal(raw, &j); err != nil {
			return nil, configError("JWK Set key %d: %v", i, err)
		}
		if !j.forSignatures() || !j.supported() {
			continue
		}
		k, err := j.key()
		if err != nil {
			return nil, configError("JWK Set key %d (kid %q): %v", i, j.Kid, err)
		}
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		return nil, configError("JWK Set has no usable signature key")
	}
	return keys, nil
}

func (j *jwk) forSignatures() bool {
	return (j.Use == "" || j.Use == "sig") && (j.KeyOps == nil || slices.Contains(j.KeyOps, "verify"))
}

func (j *jwk) supported() bool {
	switch j.Kty {
	case "RSA", "oct":
		return true
	case "EC":
		return j.Crv == "P-256" || j.Crv == "P-384" || j.Crv == "P-521"
	case "OKP":
		return j.Crv == "Ed25519"
	}
	return false
}

func (j *jwk) key() (*Key, error) {
	if !j.forSignatures() {
		return nil, configError("JWK is not for signatures (use %q, key_ops %v)", j.Use, j.KeyOps)
	}
	var algs []string
	if j.Alg != "" {
		algs = []string{j.Alg}
	}
	switch j.Kty {
	case "oct":
		secret, err := b64(j.K)
		if err != nil {
			return nil, err
		}
		return NewHMACKey(j.Kid, secret, algs...)
	case "RSA":
		n, err := b64(j.N)
		if err != nil {
			return nil, err
		}
		e, err := b64(j.E)
		if err != nil {
			return nil, err
		}
		if len(e) == 0 || len(e) > 4 {
			return nil, configError("JWK RSA exponent out of range")
		}
		exp := int(new(big.Int).SetBytes(e).Int64())
		if exp < 3 || exp%2 == 0 {
			return nil, configError("JWK RSA exponent is invalid")
		}
		return NewPublicKey(j.Kid, &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: exp}, algs...)
	case "EC":
		return j.ecKey(algs)
	case "OKP":
		if j.Crv != "Ed25519" {
			return nil, configError("unsupported OKP curve %q", j.Crv)
		}
		x, err := b64(j.X)
		if err != nil {
			return nil, err
		}
		return NewPublicKey(j.Kid, ed25519.PublicKey(x), algs...)
	}
	return nil, configError("unsupported JWK key type %q", j.Kty)
}

func (j *jwk) ecKey(algs []string) (*Key, error) {
	var curve elliptic.Curve
	switch j.Crv {
	case "P-256":
		curve = elliptic.P256()
	case "P-384":
		curve = elliptic.P384()
	case "P-521":
		curve = elliptic.P521()
	default:
		return nil, configError("unsupported EC curve %q", j.Crv)
	}
	size := (curve.Params().BitSize + 7) / 8
	x, err := b64(j.X)
	if err != nil {
		return nil, err
	}
	y, err := b64(j.Y)
	if err != nil {
		return nil, err
	}
	if len(x) != size || len(y) != size {
		return nil, configError("JWK EC coordinates must be %d bytes", size)
	}
	point := append(append([]byte{4}, x...), y...)
	pub, err := ecdsa.ParseUncompressedPublicKey(curve, point)
	if err != nil {
		return nil, configError("JWK EC point: %v", err)
	}
	return NewPublicKey(j.Kid, pub, algs...)
}

func b64(s string) ([]byte, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) == 0 {
		return nil, configError("JWK member is not base64url")
	}
	return b, nil
}
