package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/jwtguard/jwtguard"
)

// TestTasksDPoP: a sign-in that carries a DPoP proof gets tokens bound to
// the proof's key, which the API accepts with the key's proofs only,
// never as bearer tokens; a sign-in without one is answered as before.
func TestTasksDPoP(t *testing.T) {
	srv := server(t)
	prover := newProver(t)
	send := func(method, path, scheme, token, body string) (int, string) {
		req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		must(t, err)
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		if token != "" {
			req.Header.Set("Authorization", scheme+" "+token)
		}
		if scheme == "DPoP" || token == "" {
			proof, err := prover.Proof(method, srv.URL+path, token, "")
			must(t, err)
			req.Header.Set("DPoP", proof)
		}
		res, err := http.DefaultClient.Do(req)
		must(t, err)
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	status, body := send("POST", "/api/token/", "", "", `{"username":"vitor","password":"123"}`)
	var pair map[string]string
	if err := json.Unmarshal([]byte(body), &pair); status != 200 || err != nil || pair["token_type"] != "DPoP" {
		t.Fatalf("sign-in with a proof: %d %s", status, body)
	}
	if status, body := send("GET", "/hello/", "DPoP", pair["access"], ""); status != 200 || body != `{"message":"Hello, vitor"}` {
		t.Fatalf("bound token with its proof: %d %s", status, body)
	}
	if status, _ := send("GET", "/hello/", "Bearer", pair["access"], ""); status != 401 {
		t.Fatalf("bound token as Bearer: %d", status)
	}
	access, _ := login(t, srv, "vitor", "123")
	if r := call(t, srv, "GET", "/hello/", access, ""); r.status != 200 {
		t.Fatalf("bearer token of a sign-in without a proof: %d %s", r.status, r.body)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestTasksDPoPBehindProxy: with -public-url, as behind nginx's TLS (no
// TLS here, the upstream Host), a sign-in whose proof names the public
// https origin gets bound tokens, and a proof naming the Host the request
// carries is refused.
func TestTasksDPoPBehindProxy(t *testing.T) {
	srv := httptest.NewServer(newTestApp(t, "-public-url", "https://tasks.example.com"))
	t.Cleanup(srv.Close)
	prover := newProver(t)
	signIn := func(htu string) int {
		req, err := http.NewRequest("POST", srv.URL+"/api/token/", strings.NewReader(`{"username":"vitor","password":"123"}`))
		must(t, err)
		req.Header.Set("Content-Type", "application/json")
		proof, err := prover.Proof("POST", htu, "", "")
		must(t, err)
		req.Header.Set("DPoP", proof)
		res, err := http.DefaultClient.Do(req)
		must(t, err)
		res.Body.Close()
		return res.StatusCode
	}
	if s := signIn("https://tasks.example.com/api/token/"); s != 200 {
		t.Fatalf("a proof for the public origin: %d", s)
	}
	if s := signIn(srv.URL + "/api/token/"); s != 400 {
		t.Fatalf("a proof for the upstream's own URL: %d", s)
	}
}

// newProver returns a DPoP prover of a fresh P-256 key.
func newProver(t *testing.T) *jwtguard.DPoPProver {
	t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	must(t, err)
	sk, err := jwtguard.NewSigningKey("", priv, jwtguard.ES256)
	must(t, err)
	prover, err := jwtguard.NewDPoPProver(sk)
	must(t, err)
	return prover
}
