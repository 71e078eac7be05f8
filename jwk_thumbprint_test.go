package jwtguard_test

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"testing"

	"github.com/jwtguard/jwtguard"
)

// TestThumbprintRFC7638: the RSA example of RFC 7638 §3.1 and the Ed25519
// example of RFC 8037 Appendix A.3 give their published thumbprints;
// members that are not required (kid, alg, use) change nothing.
func TestThumbprintRFC7638(t *testing.T) {
	for _, c := range []struct{ name, jwk, want string }{
		{"RFC 7638 RSA", `{"kty":"RSA","n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw","e":"AQAB","alg":"RS256","kid":"2011-04-29"}`,
			"NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"},
		{"RFC 8037 Ed25519", `{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","use":"sig"}`,
			"kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"},
	} {
		k, err := jwtguard.ParseJWK([]byte(c.jwk))
		must(t, err)
		got, err := k.Thumbprint()
		must(t, err)
		if got != c.want {
			t.Errorf("%s: got %s, want %s", c.name, got, c.want)
		}
	}
}

// TestThumbprintEC: an EC key's thumbprint is the hash of its required
// members in lexicographic order, computed here with encoding/json (which
// sorts a map's keys), on every curve.
func TestThumbprintEC(t *testing.T) {
	for _, alg := range []string{"ES256", "ES384", "ES512"} {
		k := newDPoPKey(t, alg)
		canonical, err := json.Marshal(k.jwk)
		must(t, err)
		sum := sha256.Sum256(canonical)
		if got, want := k.thumbprint(t), base64.RawURLEncoding.EncodeToString(sum[:]); got != want {
			t.Errorf("%s: got %s, want %s", alg, got, want)
		}
	}
}

// TestThumbprintHMAC: a secret has no public thumbprint.
func TestThumbprintHMAC(t *testing.T) {
	k, err := jwtguard.NewHMACKey("", keysForTest.secret)
	must(t, err)
	if tp, err := k.Thumbprint(); err == nil {
		t.Fatalf("HMAC key thumbprint %q", tp)
	}
}
