package main

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"os"

	"github.com/jwtguard/jwtguard"
)

// HMAC secret sizes: the hash's output size, as RFC 7518 §3.2 asks.
var hmacSizes = map[string]int{jwtguard.HS256: 32, jwtguard.HS384: 48, jwtguard.HS512: 64}

func runKeygen(e *env, args []string) error {
	fs := newFlagSet(e, "keygen", "-alg ALG -private FILE [-jwks FILE] [-kid KID]",
		"  jwtguard keygen -alg ES256 -kid k1 -private priv.pem -jwks jwks.json\n"+
			"  jwtguard keygen -alg HS256 -private secret.txt")
	alg := fs.String("alg", "", "algorithm: RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, EdDSA, Ed25519,\nor HS256, HS384, HS512 for an HMAC secret (required)")
	kid := fs.String("kid", "", "key ID, written into the JWK (give mint the same -kid)")
	private := fs.String("private", "", "file to create for the private key, PKCS#8 PEM; for HMAC, the secret, base64url (required)")
	jwks := fs.String("jwks", "", "file to create for the public key as a JWK Set (not for HMAC: a secret has no public part)")
	bits := fs.Int("bits", 2048, "RSA key size in bits, at least 2048")
	force := fs.Bool("force", false, "overwrite existing files")
	rest, err := parse(e, fs, args)
	if err != nil {
		return err
	}
	switch {
	case len(rest) != 0:
		return usagef("unexpected argument %q", rest[0])
	case *alg == "":
		return usagef("-alg is required")
	case *private == "":
		return usagef("-private is required")
	case *jwks != "" && *jwks == *private:
		return usagef("-private and -jwks name the same file")
	}
	if size, ok := hmacSizes[*alg]; ok {
		if *jwks != "" {
			return usagef("-jwks: an HMAC secret has no public part to publish")
		}
		secret := make([]byte, size)
		rand.Read(secret)
		return writeNew(*private, []byte(base64.RawURLEncoding.EncodeToString(secret)+"\n"), 0o600, *force)
	}
	priv, err := generate(*alg, *bits)
	if err != nil {
		return err
	}
	// The key passes the library's own checks before anything is written.
	signing, err := jwtguard.NewSigningKey(*kid, priv, *alg)
	if err != nil {
		return err
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return err
	}
	if err := writeNew(*private, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600, *force); err != nil {
		return err
	}
	if *jwks != "" {
		set := append(jwtguard.MarshalJWKSet(signing.VerificationKey()), '\n')
		if err := writeNew(*jwks, set, 0o644, *force); err != nil {
			return err
		}
	}
	return nil
}

// generate makes a private key for alg.
func generate(alg string, bits int) (crypto.Signer, error) {
	switch alg {
	case jwtguard.RS256, jwtguard.RS384, jwtguard.RS512, jwtguard.PS256, jwtguard.PS384, jwtguard.PS512:
		if bits < 2048 {
			return nil, usagef("-bits %d: RSA keys have at least 2048 bits", bits)
		}
		if bits > 8192 {
			return nil, usagef("-bits %d: more than 8192 bits is not a key anyone verifies quickly", bits)
		}
		return rsa.GenerateKey(rand.Reader, bits)
	case jwtguard.ES256:
		return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case jwtguard.ES384:
		return ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	case jwtguard.ES512:
		return ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
	case jwtguard.EdDSA, jwtguard.Ed25519:
		_, priv, err := ed25519.GenerateKey(rand.Reader)
		return priv, err
	}
	return nil, usagef("-alg %q: not an algorithm jwtguard verifies", alg)
}

// writeNew writes data to a new file with mode perm; an existing file is
// an error unless force.
func writeNew(path string, data []byte, perm os.FileMode, force bool) error {
	flags := os.O_WRONLY | os.O_CREATE | os.O_EXCL
	if force {
		flags = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	}
	f, err := os.OpenFile(path, flags, perm)
	if errors.Is(err, os.ErrExist) {
		return fmt.Errorf("%s exists; -force overwrites it", path)
	}
	if err != nil {
		return err
	}
	if force {
		if err := f.Chmod(perm); err != nil {
			f.Close()
			return err
		}
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
