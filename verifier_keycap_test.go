package jwtguard_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard"
)

// A token is checked against at most MaxKeysTried keys: one signed by the
// key just past the cap, in a set of keys without kid, is refused as if no
// key verified it; one signed by the last key within the cap passes.
func TestMaxKeysTried(t *testing.T) {
	n := jwtguard.MaxKeysTried + 4
	keys := make([]*jwtguard.Key, n)
	secrets := make([][]byte, n)
	for i := range keys {
		secrets[i] = []byte("key-cap-test-secret-number-" + strconv.Itoa(100+i) + "-padding")
		k, err := jwtguard.NewHMACKey("", secrets[i])
		must(t, err)
		keys[i] = k
	}
	set, err := jwtguard.NewKeySet(keys...)
	must(t, err)
	v, err := jwtguard.NewVerifier(set, jwtguard.WithTokenType("")) // a bare token: no simplejwt profile
	must(t, err)
	payload := `{"exp":` + strconv.FormatInt(time.Now().Add(time.Hour).Unix(), 10) + `}`
	signedBy := func(i int) string {
		input := enc.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." + enc.EncodeToString([]byte(payload))
		return input + "." + enc.EncodeToString(signature(t, "HS256", []byte(input), secrets[i]))
	}
	if _, err := v.Verify(context.Background(), signedBy(jwtguard.MaxKeysTried-1)); err != nil {
		t.Fatalf("token of key %d (within the cap): %v", jwtguard.MaxKeysTried, err)
	}
	_, err = v.Verify(context.Background(), signedBy(jwtguard.MaxKeysTried))
	if !errors.Is(err, jwtguard.ErrTokenSignatureInvalid) {
		t.Fatalf("token of key %d (past the cap): %v, want a signature error", jwtguard.MaxKeysTried+1, err)
	}
}

// BenchmarkForgedTokenManyKeys is the cost of one forged ES256 token
// without kid against a set of 6173 P-256 keys without kid (1 MiB as a
// JWK Set): MaxKeysTried signature checks, not 6173.
func BenchmarkForgedTokenManyKeys(b *testing.B) {
	keys := make([]*jwtguard.Key, 6173)
	for i := range keys {
		priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		must(b, err)
		keys[i], err = jwtguard.NewPublicKey("", &priv.PublicKey, jwtguard.ES256)
		must(b, err)
	}
	set, err := jwtguard.NewKeySet(keys...)
	must(b, err)
	v, err := jwtguard.NewVerifier(set)
	must(b, err)
	forged := signRaw(b, "ES256", `{"alg":"ES256"}`, `{"exp":`+strconv.FormatInt(time.Now().Add(time.Hour).Unix(), 10)+`}`)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Verify(context.Background(), forged); err == nil {
			b.Fatal("a forged token passed")
		}
	}
}
