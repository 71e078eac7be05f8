package jwtguard_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard"
)

// testKeys are keys generated once per test binary.
type testKeys struct {
	secret []byte
	rsa    *rsa.PrivateKey
	ec     *ecdsa.PrivateKey
	ed     ed25519.PrivateKey
}

var keysForTest = func() *testKeys {
	r, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	e, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	_, d, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		panic(err)
	}
	return &testKeys{secret: []byte("a-test-secret-of-32-bytes-length"), rsa: r, ec: e, ed: d}
}()

var enc = base64.RawURLEncoding

// signRaw builds a compact JWS from literal header and payload JSON, so
// tests can craft tokens no JWT library would produce.
func signRaw(t testing.TB, alg, header, payload string) string {
	t.Helper()
	input := enc.EncodeToString([]byte(header)) + "." + enc.EncodeToString([]byte(payload))
	return input + "." + enc.EncodeToString(signature(t, alg, []byte(input), nil))
}

// signature signs input with the test key of alg's family, or with secret
// for HMAC when it is given.
func signature(t testing.TB, alg string, input, secret []byte) []byte {
	t.Helper()
	k := keysForTest
	if secret == nil {
		secret = k.secret
	}
	digest := sha256.Sum256(input)
	switch alg {
	case "HS256":
		m := hmac.New(sha256.New, secret)
		m.Write(input)
		return m.Sum(nil)
	case "RS256":
		s, err := rsa.SignPKCS1v15(rand.Reader, k.rsa, crypto.SHA256, digest[:])
		if err != nil {
			t.Fatal(err)
		}
		return s
	case "PS256":
		s, err := rsa.SignPSS(rand.Reader, k.rsa, crypto.SHA256, digest[:], &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash})
		if err != nil {
			t.Fatal(err)
		}
		return s
	case "ES256":
		r, s, err := ecdsa.Sign(rand.Reader, k.ec, digest[:])
		if err != nil {
			t.Fatal(err)
		}
		out := make([]byte, 64)
		r.FillBytes(out[:32])
		s.FillBytes(out[32:])
		return out
	case "EdDSA", "Ed25519":
		return ed25519.Sign(k.ed, input)
	}
	return []byte("unsigned")
}

// verifierFor returns a verifier that trusts every test key.
func verifierFor(t testing.TB, opts ...jwtguard.VerifierOption) *jwtguard.Verifier {
	t.Helper()
	k := keysForTest
	hk, err := jwtguard.NewHMACKey("", k.secret)
	must(t, err)
	rk, err := jwtguard.NewPublicKey("rsa", &k.rsa.PublicKey)
	must(t, err)
	ek, err := jwtguard.NewPublicKey("ec", &k.ec.PublicKey)
	must(t, err)
	dk, err := jwtguard.NewPublicKey("ed", k.ed.Public())
	must(t, err)
	set, err := jwtguard.NewKeySet(hk, rk, ek, dk)
	must(t, err)
	v, err := jwtguard.NewVerifier(set, opts...)
	must(t, err)
	return v
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// future and past are "exp" values for valid and expired tokens.
var (
	future = time.Now().Add(time.Hour).Unix()
	past   = time.Now().Add(-time.Hour).Unix()
)

func verify(t testing.TB, v *jwtguard.Verifier, raw string) (*jwtguard.Token, error) {
	t.Helper()
	return v.Verify(context.Background(), raw)
}
