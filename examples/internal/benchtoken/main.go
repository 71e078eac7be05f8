// Command benchtoken makes a key and a token for the load tests of
// scripts/bench-basic.sh: it writes what examples/basic needs to trust the
// key into -dir (hmac.secret for HS256, public.pem otherwise) and prints
// one access token, valid for an hour, signed with the key.
//
//	go run ./internal/benchtoken -alg ES256 -dir /tmp/keys
package main

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

func main() {
	alg := flag.String("alg", "HS256", "HS256, RS256, ES256 or EdDSA")
	dir := flag.String("dir", ".", "where to write the key examples/basic trusts")
	flag.Parse()
	tok, err := run(*alg, *dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchtoken:", err)
		os.Exit(1)
	}
	fmt.Println(tok)
}

func run(alg, dir string) (string, error) {
	var (
		method jwt.SigningMethod
		sign   any
		pub    any
	)
	switch alg {
	case "HS256":
		secret := make([]byte, 32)
		rand.Read(secret)
		text := hex.EncodeToString(secret)
		if err := os.WriteFile(filepath.Join(dir, "hmac.secret"), []byte(text), 0o600); err != nil {
			return "", err
		}
		method, sign = jwt.SigningMethodHS256, []byte(text)
	case "RS256":
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			return "", err
		}
		method, sign, pub = jwt.SigningMethodRS256, k, &k.PublicKey
	case "ES256":
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return "", err
		}
		method, sign, pub = jwt.SigningMethodES256, k, &k.PublicKey
	case "EdDSA":
		p, k, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return "", err
		}
		method, sign, pub = jwt.SigningMethodEdDSA, k, p
	default:
		return "", fmt.Errorf("unknown algorithm %q", alg)
	}
	if pub != nil {
		der, err := x509.MarshalPKIXPublicKey(pub)
		if err != nil {
			return "", err
		}
		block := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
		if err := os.WriteFile(filepath.Join(dir, "public.pem"), block, 0o644); err != nil {
			return "", err
		}
	}
	now := time.Now()
	return jwt.NewWithClaims(method, jwt.MapClaims{
		"token_type": "access", "jti": "bench", "sub": "bench", "iat": now.Unix(), "exp": now.Add(time.Hour).Unix(),
	}).SignedString(sign)
}
