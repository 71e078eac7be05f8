package interop_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/jwtguard/jwtguard"
	"github.com/jwtguard/jwtguard/interop/internal/minter"
)

const dpopToken = "an-access-token-bound-to-the-proof-key"

// TestJoseDPoPProofs: DPoP proofs that jose (Node.js) signs, for every
// algorithm both support, pass jwtguard's checks through a real server,
// which computes the same RFC 7638 thumbprint as jose; a proof with any
// field wrong is refused with that field's sentinel.
func TestJoseDPoPProofs(t *testing.T) {
	testDPoPProofs(t, minter.JoseDPoP(t, http.MethodGet, "https://api.example/r", dpopToken))
}

// TestPyJWTDPoPProofs: the same with proofs that PyJWT signs.
func TestPyJWTDPoPProofs(t *testing.T) {
	testDPoPProofs(t, minter.PyJWTDPoP(t, http.MethodGet, "https://api.example/r", dpopToken))
}

func testDPoPProofs(t *testing.T, proofs []minter.DPoPProof) {
	const token = dpopToken
	v, err := jwtguard.NewDPoPVerifier(jwtguard.WithDPoPOrigin("https://api.example"))
	if err != nil {
		t.Fatal(err)
	}
	// The server binds the token to the key named in X-Test-Jkt, as a
	// token's "cnf" would, and answers the proof key's thumbprint, or
	// the refusal.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := v.Check(r, token, r.Header.Get("X-Test-Jkt"))
		if err != nil {
			w.WriteHeader(http.StatusUnauthorized)
			io.WriteString(w, err.Error())
			return
		}
		io.WriteString(w, p.Thumbprint)
	}))
	defer srv.Close()
	want := map[string]error{
		"htm": jwtguard.ErrDPoPMethod, "htu": jwtguard.ErrDPoPURI, "ath": jwtguard.ErrDPoPTokenHash,
		"stale": jwtguard.ErrDPoPStale, "future": jwtguard.ErrDPoPFuture, "jti": jwtguard.ErrDPoPID,
		"typ": jwtguard.ErrDPoPType, "private": jwtguard.ErrDPoPPrivateKey, "hmac": jwtguard.ErrDPoPAlgorithm,
	}
	seen := map[string]bool{}
	for _, p := range proofs {
		t.Run(p.Alg+"/"+p.Case, func(t *testing.T) {
			seen[p.Case] = true
			req, err := http.NewRequest(http.MethodGet, srv.URL+"/r", nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("DPoP", p.Proof)
			req.Header.Set("X-Test-Jkt", p.Jkt)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if p.Case == "good" {
				if resp.StatusCode != http.StatusOK || string(body) != p.Jkt {
					t.Fatalf("good proof: %d %s (jose's thumbprint %s)", resp.StatusCode, body, p.Jkt)
				}
				return
			}
			if resp.StatusCode != http.StatusUnauthorized || string(body) != want[p.Case].Error() {
				t.Fatalf("%s wrong: %d %q, want %q", p.Case, resp.StatusCode, body, want[p.Case])
			}
		})
	}
	for c := range want {
		if !seen[c] {
			t.Errorf("no %q proof", c)
		}
	}
	if !seen["good"] {
		t.Error("no good proof")
	}
}
