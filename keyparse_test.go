package jwtguard_test

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard"
)

func pemOf(typ string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
}

func TestParsePEM(t *testing.T) {
	k := keysForTest
	pkix1, _ := x509.MarshalPKIXPublicKey(&k.rsa.PublicKey)
	pkcs8, _ := x509.MarshalPKCS8PrivateKey(k.ec)
	ecPriv, _ := x509.MarshalECPrivateKey(k.ec)
	edPKIX, _ := x509.MarshalPKIXPublicKey(k.ed.Public())
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "t"}, NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour)}
	cert, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.rsa.PublicKey, k.rsa)
	must(t, err)
	for _, c := range []struct {
		name string
		data []byte
		alg  string
	}{
		{"PKIX RSA", pemOf("PUBLIC KEY", pkix1), "RS256"},
		{"PKCS#1 RSA public", pemOf("RSA PUBLIC KEY", x509.MarshalPKCS1PublicKey(&k.rsa.PublicKey)), "RS256"},
		{"PKCS#1 RSA private", pemOf("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(k.rsa)), "PS256"},
		{"certificate", append([]byte("# leading text\n"), pemOf("CERTIFICATE", cert)...), "RS256"},
		{"PKCS#8 EC", pemOf("PRIVATE KEY", pkcs8), "ES256"},
		{"SEC1 EC", pemOf("EC PRIVATE KEY", ecPriv), "ES256"},
		{"PKIX Ed25519", pemOf("PUBLIC KEY", edPKIX), "EdDSA"},
	} {
		t.Run(c.name, func(t *testing.T) {
			key, err := jwtguard.ParsePEM("kid1", c.data)
			must(t, err)
			set, _ := jwtguard.NewKeySet(key)
			v, _ := jwtguard.NewVerifier(set)
			tok := signRaw(t, c.alg, `{"alg":"`+c.alg+`","kid":"kid1"}`, fmt.Sprintf(`{"token_type":"access","jti":"j","exp":%d}`, future))
			if _, err := verify(t, v, tok); err != nil {
				t.Fatal(err)
			}
		})
	}
	if _, err := jwtguard.ParsePEM("", []byte("not pem")); err == nil {
		t.Error("garbage accepted")
	}
	if _, err := jwtguard.ParsePEM("", pemOf("PUBLIC KEY", []byte{1, 2, 3})); err == nil {
		t.Error("bad DER accepted")
	}
}

func TestParseJWKSet(t *testing.T) {
	k := keysForTest
	ecPub := k.ec.PublicKey
	ecBytes, _ := ecPub.Bytes()
	set := map[string]any{"keys": []map[string]any{
		{"kty": "RSA", "kid": "r1", "use": "sig", "alg": "RS256", "n": enc.EncodeToString(k.rsa.N.Bytes()), "e": "AQAB"},
		{"kty": "EC", "kid": "e1", "crv": "P-256", "x": enc.EncodeToString(ecBytes[1:33]), "y": enc.EncodeToString(ecBytes[33:])},
		{"kty": "OKP", "kid": "d1", "crv": "Ed25519", "x": enc.EncodeToString(k.ed.Public().(ed25519.PublicKey))},
		{"kty": "oct", "kid": "h1", "k": enc.EncodeToString(k.secret)},
		{"kty": "RSA", "kid": "enc", "use": "enc", "n": "bad", "e": "AQAB"},
		{"kty": "OKP", "kid": "x", "crv": "X25519", "x": "AAAA"},
		{"kty": "EC", "kid": "ops", "crv": "P-256", "key_ops": []string{"encrypt"}, "x": "AA", "y": "AA"},
	}}
	data, _ := json.Marshal(set)
	keys, err := jwtguard.ParseJWKSet(data)
	must(t, err)
	if len(keys) != 4 {
		t.Fatalf("got %d keys, want 4 (enc, X25519 and encrypt-only skipped)", len(keys))
	}
	ks, err := jwtguard.NewKeySet(keys...)
	must(t, err)
	v, _ := jwtguard.NewVerifier(ks)
	claims := fmt.Sprintf(`{"token_type":"access","jti":"j","exp":%d}`, future)
	for alg, kid := range map[string]string{"RS256": "r1", "ES256": "e1", "EdDSA": "d1", "HS256": "h1"} {
		if _, err := verify(t, v, signRaw(t, alg, `{"alg":"`+alg+`","kid":"`+kid+`"}`, claims)); err != nil {
			t.Errorf("%s: %v", alg, err)
		}
	}
	// The JWK's alg pins the key: r1 is RS256 only.
	if _, err := verify(t, v, signRaw(t, "PS256", `{"alg":"PS256","kid":"r1"}`, claims)); err == nil {
		t.Error("PS256 accepted for a key pinned to RS256")
	}

	for name, bad := range map[string]string{
		"not json":              `{`,
		"empty set":             `{"keys":[]}`,
		"point off curve":       `{"keys":[{"kty":"EC","crv":"P-256","x":"` + enc.EncodeToString(make([]byte, 32)) + `","y":"` + enc.EncodeToString(make([]byte, 32)) + `"}]}`,
		"short coordinate":      `{"keys":[{"kty":"EC","crv":"P-256","x":"AAAA","y":"AAAA"}]}`,
		"even exponent":         `{"keys":[{"kty":"RSA","n":"` + enc.EncodeToString(k.rsa.N.Bytes()) + `","e":"Ag"}]}`,
		"alg of another family": `{"keys":[{"kty":"RSA","alg":"ES256","n":"` + enc.EncodeToString(k.rsa.N.Bytes()) + `","e":"AQAB"}]}`,
		"small RSA":             `{"keys":[{"kty":"RSA","n":"AQAB","e":"AQAB"}]}`,
		"bad base64":            `{"keys":[{"kty":"oct","k":"***"}]}`,
	} {
		if _, err := jwtguard.ParseJWKSet([]byte(bad)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := jwtguard.ParseJWK([]byte(`{"kty":"RSA","use":"enc","n":"AQAB","e":"AQAB"}`)); err == nil {
		t.Error("an encryption JWK was accepted")
	}
	var _ *ecdsa.PublicKey = &ecPub
}
