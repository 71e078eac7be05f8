package jwtguard_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/jwtguard/jwtguard"
)

// TestDPoPProver: the prover's proofs pass the verifier through a real
// server, for every kind of key, with "ath" and a server nonce; golang-jwt
// reads them too, with the key of their own header.
func TestDPoPProver(t *testing.T) {
	nonces, err := jwtguard.NewDPoPNonces([]byte(strings.Repeat("s", 32)), time.Minute)
	must(t, err)
	v := newDPoPVerifier(t, jwtguard.WithDPoPNonces(nonces))
	for _, c := range []struct {
		alg string
		key any
	}{{"ES256", newDPoPKey(t, "ES256").priv}, {"RS256", keysForTest.rsa}, {"PS256", keysForTest.rsa}, {"EdDSA", keysForTest.ed}} {
		t.Run(c.alg, func(t *testing.T) {
			sk, err := jwtguard.NewSigningKey("kid-not-in-proofs", c.key, c.alg)
			must(t, err)
			p, err := jwtguard.NewDPoPProver(sk)
			must(t, err)
			srv := dpopServer(t, v, dpopAccessToken, p.Thumbprint())
			url := srv.URL + "/r"
			proof, err := p.Proof(http.MethodGet, url+"?q=1#f", dpopAccessToken, v.Nonce())
			must(t, err)
			if status, body := send(t, http.MethodGet, url, proof); status != http.StatusOK || body != p.Thumbprint() {
				t.Fatalf("got %d %q", status, body)
			}
			var claims struct {
				jwt.RegisteredClaims
				HTM, HTU, ATH, Nonce string
			}
			_, err = jwt.ParseWithClaims(proof, &claims, func(tok *jwt.Token) (any, error) {
				if tok.Header["typ"] != "dpop+jwt" || tok.Header["kid"] != nil {
					t.Errorf("header %v", tok.Header)
				}
				k, err := jwtguard.NewPublicKey("", sk.VerificationKey().Public())
				return k.Public(), err
			}, jwt.WithValidMethods([]string{c.alg}))
			must(t, err)
			if claims.HTM != "GET" || claims.HTU != url || claims.ATH != jwtguard.DPoPTokenHash(dpopAccessToken) || claims.ID == "" {
				t.Fatalf("claims %+v", claims)
			}
		})
	}
	hmacKey, err := jwtguard.NewSigningKey("", keysForTest.secret, "HS256")
	must(t, err)
	if _, err := jwtguard.NewDPoPProver(hmacKey); err == nil {
		t.Fatal("prover with an HMAC key")
	}
}
