package bench

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// The issuer and audience every token carries. jwtguard, auth0 and
// jwtauth are configured to require them; the others do not look.
const (
	issuer   = "https://issuer.example"
	audience = "https://api.example"
)

// algorithm holds one signature algorithm's keys and the two tokens every
// implementation is given for it. Fields are set once by newAlgorithms and
// only read afterwards.
type algorithm struct {
	name string // the JOSE name: HS256, RS256, ES256 or EdDSA

	// verify is what each implementation verifies with: the HMAC secret
	// ([]byte), *rsa.PublicKey, *ecdsa.PublicKey or ed25519.PublicKey.
	verify any

	// privPEM and pubPEM are the RS256 key pair in PEM, the form in which
	// gin-jwt takes RSA keys. Empty for the other algorithms.
	privPEM, pubPEM []byte

	// good is signed with the key behind verify; bad carries the same
	// claims signed by another key of the same type, so that refusing it
	// costs a full signature check rather than a decoding error.
	good, bad string
}

// newAlgorithms generates fresh keys for HS256, RS256, ES256 and EdDSA and
// signs each one's tokens.
func newAlgorithms() ([]*algorithm, error) {
	now := time.Now()
	claims := jwt.MapClaims{
		"iss":        issuer,
		"aud":        audience,
		"sub":        "42",
		"user_id":    42,
		"token_type": "access",
		"jti":        "0123456789abcdef0123456789abcdef",
		"iat":        now.Unix(),
		"exp":        now.Add(24 * time.Hour).Unix(),
	}

	type pair struct{ sign, verify any }
	keyPairs := map[string]func() (pair, error){
		"HS256": func() (pair, error) {
			secret := make([]byte, 32)
			_, err := rand.Read(secret)
			return pair{secret, secret}, err
		},
		"RS256": func() (pair, error) {
			k, err := rsa.GenerateKey(rand.Reader, 2048)
			if err != nil {
				return pair{}, err
			}
			return pair{k, &k.PublicKey}, nil
		},
		"ES256": func() (pair, error) {
			k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
			if err != nil {
				return pair{}, err
			}
			return pair{k, &k.PublicKey}, nil
		},
		"EdDSA": func() (pair, error) {
			pub, priv, err := ed25519.GenerateKey(rand.Reader)
			return pair{priv, pub}, err
		},
	}

	var algs []*algorithm
	for _, name := range []string{"HS256", "RS256", "ES256", "EdDSA"} {
		m := jwt.GetSigningMethod(name)
		mine, err := keyPairs[name]()
		if err != nil {
			return nil, fmt.Errorf("%s key: %w", name, err)
		}
		stranger, err := keyPairs[name]()
		if err != nil {
			return nil, fmt.Errorf("%s key: %w", name, err)
		}
		a := &algorithm{name: name, verify: mine.verify}
		if a.good, err = jwt.NewWithClaims(m, claims).SignedString(mine.sign); err != nil {
			return nil, fmt.Errorf("%s token: %w", name, err)
		}
		if a.bad, err = jwt.NewWithClaims(m, claims).SignedString(stranger.sign); err != nil {
			return nil, fmt.Errorf("%s token: %w", name, err)
		}
		if k, ok := mine.sign.(*rsa.PrivateKey); ok {
			if a.privPEM, a.pubPEM, err = rsaPEM(k); err != nil {
				return nil, err
			}
		}
		algs = append(algs, a)
	}
	return algs, nil
}

// rsaPEM encodes k as a PKCS #1 private key and its public half as a PKIX
// public key.
func rsaPEM(k *rsa.PrivateKey) (priv, pub []byte, err error) {
	der, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
	if err != nil {
		return nil, nil, err
	}
	priv = pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)})
	pub = pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	return priv, pub, nil
}
