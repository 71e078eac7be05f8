package interop_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/jwtguard/jwtguard"
	"github.com/jwtguard/jwtguard/interop/internal/oidc"
)

// TestOIDCProviderDPoP: oidc-provider, with its DPoP feature on (its
// default), issues an RFC 9068 access token bound to the key of the proof
// that came with the client_credentials request; a Guard with DPoP required
// accepts it with a proof by that key, through a real server, and refuses
// it as a bearer token or with another key's proof.
func TestOIDCProviderDPoP(t *testing.T) {
	p := oidc.Start(t)
	d := discover(t, p)
	keys, _ := fetchKeys(t, p, d.JWKSURI)
	client, thief := prover(t), prover(t)
	proof, err := client.Proof(http.MethodPost, p.TokenEndpoint(), "", "")
	if err != nil {
		t.Fatal(err)
	}
	alg := oidc.Algorithms()[0]
	r := p.RequestTokenDPoP(t, alg, "read", proof)
	if r.Status != http.StatusOK || r.TokenType != "DPoP" || r.AccessToken == "" {
		t.Fatalf("token request with a proof: %d %s", r.Status, r.Body)
	}
	tok, err := accessVerifier(t, keys, p).Verify(t.Context(), r.AccessToken)
	if err != nil || tok.Claims.KeyThumbprint != client.Thumbprint() {
		t.Fatalf("the provider's token: %v, cnf.jkt %q, want %q", err, tok.Claims.KeyThumbprint, client.Thumbprint())
	}

	g, err := jwtguard.NewGuard(accessVerifier(t, keys, p), jwtguard.WithDPoP(jwtguard.DPoPRequired, nil))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(g.Require(jwtguard.IsAuthenticated())(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		io.WriteString(w, "ok")
	})))
	defer srv.Close()
	get := func(scheme string, by *jwtguard.DPoPProver) int {
		req, err := http.NewRequest(http.MethodGet, srv.URL+"/r", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", scheme+" "+r.AccessToken)
		if by != nil {
			proof, err := by.Proof(http.MethodGet, srv.URL+"/r", r.AccessToken, "")
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("DPoP", proof)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if s := get("DPoP", client); s != http.StatusOK {
		t.Errorf("with the client's proof: %d", s)
	}
	if s := get("DPoP", thief); s != http.StatusUnauthorized {
		t.Errorf("with another key's proof: %d", s)
	}
	if s := get("Bearer", nil); s != http.StatusUnauthorized {
		t.Errorf("as a bearer token: %d", s)
	}
}

func prover(t *testing.T) *jwtguard.DPoPProver {
	t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	sk, err := jwtguard.NewSigningKey("", priv, jwtguard.ES256)
	if err != nil {
		t.Fatal(err)
	}
	p, err := jwtguard.NewDPoPProver(sk)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
