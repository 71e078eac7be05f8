package minter

import (
	"testing"

	"github.com/jwtguard/jwtguard/interop/internal/testenv"
)

// DPoPProof is one proof that jose (interop/testdata/oidc/dpop.js) or PyJWT
// (interop/testdata/pyjwt/dpop.py) made.
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
	return dpopProofs(t, "dpop.js", method, url, token, dir, nil, node, "dpop.js")
}

// PyJWTDPoP is [JoseDPoP] with PyJWT.
func PyJWTDPoP(t testing.TB, method, url, token string) []DPoPProof {
	t.Helper()
	if err := pyjwtAvailable(); err != nil {
		testenv.Unavailable(t, "pyjwt", err,
			"install python3-jwt and python3-cryptography (`source scripts/ci/pyjwt.sh` does)")
	}
	dir, err := testenv.Testdata("pyjwt", "dpop.py")
	if err != nil {
		t.Fatalf("pyjwt: %v", err)
	}
	return dpopProofs(t, "dpop.py", method, url, token, dir, pythonEnviron(), Python, "dpop.py")
}

func dpopProofs(t testing.TB, name, method, url, token, dir string, env []string, command ...string) []DPoPProof {
	t.Helper()
	var out struct {
		Proofs []DPoPProof `json:"proofs"`
	}
	stdout := execJSON(t, name, map[string]string{"method": method, "url": url, "token": token}, &out, dir, env, command...)
	if len(out.Proofs) == 0 {
		t.Fatalf("%s: no proofs in the output:\n%s", name, stdout)
	}
	return out.Proofs
}
