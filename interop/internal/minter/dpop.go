package minter

import (
	"testing"

	"github.com/jwtguard/jwtguard/interop/internal/testenv"
)

// DPoPProof is one proof that jose made (interop/testdata/oidc/dpop.js).
type DPoPProof struct {
	// Alg is the proof's algorithm, and Jkt jose's RFC 7638 thumbprint of
	// its key.
	Alg string `json:"alg"`
	Jkt string `json:"jkt"`
	// Case is "good", or the field made wrong: "htm", "htu", "ath",
	// "stale", "future", "jti", "typ", "private" (the private key in the
	// header), "hmac" (an HS256 proof).
	Case  string `json:"case"`
	Proof string `json:"proof"`
}

// JoseDPoP has jose make DPoP proofs for a request of method to url that
// presents token: with a new key per algorithm, a good proof and one with
// each field wrong. It fails t if jose cannot run.
func JoseDPoP(t testing.TB, method, url, token string) []DPoPProof {
	t.Helper()
	node, dir, err := testenv.Node()
	if err != nil {
		testenv.Unavailable(t, "jose", err, testenv.NodeHint)
	}
	var out struct {
		Proofs []DPoPProof `json:"proofs"`
	}
	stdout := execJSON(t, "dpop.js", map[string]string{"method": method, "url": url, "token": token}, &out, dir, nil, node, "dpop.js")
	if len(out.Proofs) == 0 {
		t.Fatalf("dpop.js: no proofs in the output:\n%s", stdout)
	}
	return out.Proofs
}
