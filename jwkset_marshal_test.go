package jwtguard_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"strings"
	"testing"

	"github.com/jwtguard/jwtguard"
)

// What MarshalJWKSet writes, ParseJWKSet reads back: the same public keys,
// kids and algorithms; an HMAC secret is never written.
func TestMarshalJWKSetRoundTrip(t *testing.T) {
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	must(t, err)
	ecKey, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	must(t, err)
	edPub, _, err := ed25519.GenerateKey(rand.Reader)
	must(t, err)
	r, err := jwtguard.NewPublicKey("r1", &rsaKey.PublicKey, jwtguard.PS256)
	must(t, err)
	e, err := jwtguard.NewPublicKey("e1", &ecKey.PublicKey)
	must(t, err)
	d, err := jwtguard.NewPublicKey("d1", edPub, "EdDSA")
	must(t, err)
	h, err := jwtguard.NewHMACKey("h1", []byte("a secret that must never be written"), jwtguard.HS256)
	must(t, err)

	set := jwtguard.MarshalJWKSet(r, nil, e, h, d)
	if strings.Contains(string(set), `"h1"`) || strings.Contains(string(set), `"oct"`) {
		t.Fatalf("the HMAC key was written: %s", set)
	}
	keys, err := jwtguard.ParseJWKSet(set)
	must(t, err)
	want := []*jwtguard.Key{r, e, d}
	if len(keys) != len(want) {
		t.Fatalf("%d keys read back from %s", len(keys), set)
	}
	for i, k := range keys {
		w := want[i]
		if k.ID() != w.ID() || strings.Join(k.Algorithms(), ",") != strings.Join(w.Algorithms(), ",") {
			t.Errorf("key %d: %s %v, want %s %v", i, k.ID(), k.Algorithms(), w.ID(), w.Algorithms())
		}
		type equaler interface{ Equal(crypto.PublicKey) bool }
		if !k.Public().(equaler).Equal(w.Public()) {
			t.Errorf("key %d: another public key", i)
		}
	}
	if got := string(jwtguard.MarshalJWKSet()); got != `{"keys":[]}` {
		t.Errorf("empty set: %s", got)
	}
}
