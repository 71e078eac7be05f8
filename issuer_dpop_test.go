package jwtguard_test

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard"
)

// dpopApp is a server with the token endpoints under /api/token/ and a
// resource, /tasks, behind a Guard of the issuer's tokens.
func dpopApp(t *testing.T) (*httptest.Server, *jwtguard.Issuer) {
	t.Helper()
	iss, _ := newIssuer(t, newTestClock())
	e, err := jwtguard.NewEndpoints(iss, testUsers)
	must(t, err)
	v, err := iss.Verifier()
	must(t, err)
	g, err := jwtguard.NewGuard(v)
	must(t, err)
	mux := http.NewServeMux()
	e.Register(mux, "/api/token/")
	mux.Handle("/tasks", g.Require(jwtguard.IsAuthenticated())(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "tasks")
	})))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv, iss
}

func newProver(t *testing.T) *jwtguard.DPoPProver {
	t.Helper()
	k := newDPoPKey(t, "ES256")
	sk, err := jwtguard.NewSigningKey("", k.priv, jwtguard.ES256)
	must(t, err)
	p, err := jwtguard.NewDPoPProver(sk)
	must(t, err)
	return p
}

// proofHeader returns the DPoP header of a proof by p for POST url.
func proofHeader(t *testing.T, p *jwtguard.DPoPProver, url string) []string {
	t.Helper()
	proof, err := p.Proof(http.MethodPost, url, "", "")
	must(t, err)
	return []string{"DPoP", proof}
}

// pairOf reads a sign-in's or refresh's JSON body.
func boundPairOf(t *testing.T, r reply) map[string]string {
	t.Helper()
	var m map[string]string
	if r.status != http.StatusOK || json.Unmarshal([]byte(r.body), &m) != nil {
		t.Fatalf("got %d %s", r.status, r.body)
	}
	return m
}

// TestIssuerDPoP: a sign-in with a proof gets a pair bound to the proof's
// key ("cnf" "jkt" in both tokens, "token_type": "DPoP" in the answer);
// the access token passes the Guard with proofs of that key only; the
// refresh token renews only with a proof by the same key. Through a real
// server, with the real clock.
func TestIssuerDPoP(t *testing.T) {
	srv, iss := dpopApp(t)
	signIn, refresh := srv.URL+"/api/token/", srv.URL+"/api/token/refresh/"
	client, thief := newProver(t), newProver(t)
	const creds = `{"username":"vitor","password":"123"}`

	pair := boundPairOf(t, post(t, signIn, "application/json", creds, proofHeader(t, client, signIn)...))
	if pair["token_type"] != "DPoP" || len(pair) != 3 {
		t.Fatalf("bound sign-in answered %v", pair)
	}
	for _, name := range []string{"access", "refresh"} {
		if !strings.Contains(decodePart(t, pair[name], 1), `"cnf":{"jkt":"`+client.Thumbprint()+`"}`) {
			t.Errorf("%s token not bound: %s", name, decodePart(t, pair[name], 1))
		}
	}

	use := func(p *jwtguard.DPoPProver, scheme string) int {
		req, err := http.NewRequest(http.MethodGet, srv.URL+"/tasks", nil)
		must(t, err)
		req.Header.Set("Authorization", scheme+" "+pair["access"])
		proof, err := p.Proof(http.MethodGet, srv.URL+"/tasks", pair["access"], "")
		must(t, err)
		req.Header.Set("DPoP", proof)
		return do(t, req).status
	}
	if s := use(client, "DPoP"); s != http.StatusOK {
		t.Fatalf("access token with the client's proof: %d", s)
	}
	if s := use(thief, "DPoP"); s != http.StatusUnauthorized {
		t.Fatalf("access token with another key's proof: %d", s)
	}
	if s := use(client, "Bearer"); s != http.StatusUnauthorized {
		t.Fatalf("access token as Bearer: %d", s)
	}

	body := `{"refresh":"` + pair["refresh"] + `"}`
	if r := post(t, refresh, "application/json", body); r.status != http.StatusUnauthorized {
		t.Fatalf("bound refresh token without a proof: %d %s", r.status, r.body)
	}
	if r := post(t, refresh, "application/json", body, proofHeader(t, thief, refresh)...); r.status != http.StatusUnauthorized {
		t.Fatalf("bound refresh token with another key's proof: %d %s", r.status, r.body)
	}
	if _, err := iss.Refresh(t.Context(), pair["refresh"]); !errors.Is(err, jwtguard.ErrDPoPBoundToken) {
		t.Fatalf("Issuer.Refresh of a bound token: %v", err)
	}
	renewed := boundPairOf(t, post(t, refresh, "application/json", body, proofHeader(t, client, refresh)...))
	if renewed["token_type"] != "DPoP" || !strings.Contains(decodePart(t, renewed["refresh"], 1), client.Thumbprint()) {
		t.Fatalf("renewed pair %v", renewed)
	}
}

// TestIssuerDPoPEndpointRefusals: a sign-in whose proof is refused gets
// 400 invalid_dpop_proof and no tokens: a proof for another URL, a
// replayed one (the sign-in request captured and sent again), two DPoP
// headers. Without a DPoP header the answer is as before, to the byte.
func TestIssuerDPoPEndpointRefusals(t *testing.T) {
	srv, _ := dpopApp(t)
	signIn := srv.URL + "/api/token/"
	client := newProver(t)
	const creds = `{"username":"vitor","password":"123"}`
	captured := proofHeader(t, client, signIn)
	boundPairOf(t, post(t, signIn, "application/json", creds, captured...))
	wrong := `{"detail":"Invalid DPoP proof","code":"invalid_dpop_proof","error":"invalid_dpop_proof","error_description":"Invalid DPoP proof"}`
	for name, header := range map[string][]string{
		"replayed":        captured,
		"another URL":     proofHeader(t, client, srv.URL+"/api/token/refresh/"),
		"not a JWS":       {"DPoP", "not-a-proof"},
		"with an ath":     {"DPoP", mustProof(t, client, signIn, "some-token")},
		"in another case": {"dPoP", "x.y.z"},
	} {
		if r := post(t, signIn, "application/json", creds, header...); r.status != http.StatusBadRequest || r.body != wrong {
			t.Errorf("%s: %d %s", name, r.status, r.body)
		}
	}
	req, err := http.NewRequest(http.MethodPost, signIn, strings.NewReader(creds))
	must(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Add("DPoP", proofHeader(t, client, signIn)[1])
	req.Header.Add("DPoP", proofHeader(t, client, signIn)[1])
	if r := do(t, req); r.status != http.StatusBadRequest {
		t.Errorf("two DPoP headers: %d %s", r.status, r.body)
	}
	plain := boundPairOf(t, post(t, signIn, "application/json", creds))
	if _, ok := plain["token_type"]; ok || len(plain) != 2 || strings.Contains(decodePart(t, plain["access"], 1), "cnf") {
		t.Errorf("sign-in without a proof: %v", plain)
	}
}

func mustProof(t *testing.T, p *jwtguard.DPoPProver, url, token string) string {
	t.Helper()
	proof, err := p.Proof(http.MethodPost, url, token, "")
	must(t, err)
	return proof
}

// TestIssuerDPoPEndpointNonce: token endpoints whose verifier asks for
// nonces answer a sign-in proof without one 400 use_dpop_nonce (simplejwt's
// "code" and OAuth's "error") with a DPoP-Nonce header, and the retry that
// carries it gets a bound pair, and the next nonce.
func TestIssuerDPoPEndpointNonce(t *testing.T) {
	nonces, err := jwtguard.NewDPoPNonces([]byte(strings.Repeat("e", 32)), time.Minute)
	must(t, err)
	srv, _ := tokenServer(t, newTestClock(), jwtguard.WithEndpointDPoP(newDPoPVerifier(t, jwtguard.WithDPoPNonces(nonces))))
	signIn := srv.URL + "/api/token/"
	client := newProver(t)
	const creds = `{"username":"vitor","password":"123"}`
	r := post(t, signIn, "application/json", creds, proofHeader(t, client, signIn)...)
	nonce := r.header.Get("DPoP-Nonce")
	if r.status != http.StatusBadRequest || nonce == "" || !strings.Contains(r.body, `"code":"use_dpop_nonce"`) ||
		!strings.Contains(r.body, `"error":"use_dpop_nonce"`) {
		t.Fatalf("proof without a nonce: %d %v %s", r.status, r.header, r.body)
	}
	proof, err := client.Proof(http.MethodPost, signIn, "", nonce)
	must(t, err)
	r = post(t, signIn, "application/json", creds, "DPoP", proof)
	if pair := boundPairOf(t, r); pair["token_type"] != "DPoP" {
		t.Fatalf("retry with the nonce: %v", pair)
	}
	if r.header.Get("DPoP-Nonce") == "" {
		t.Fatalf("a bound sign-in without a fresh DPoP-Nonce (RFC 9449 §8.2): %v", r.header)
	}
}
