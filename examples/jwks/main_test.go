package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/jwtguard/jwtguard"
)

// fakeProvider serves discovery and a JWK Set until the test ends, and
// signs tokens with its key, priv.
func fakeProvider(t *testing.T) (url string, token func(scope string) string, priv ed25519.PrivateKey) {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	must(t, err)
	sk, err := jwtguard.NewSigningKey("op-1", priv, jwtguard.EdDSA)
	must(t, err)
	keyIssuer, err := jwtguard.NewIssuer(sk, jwtguard.NewMemoryStore())
	must(t, err)
	mux := http.NewServeMux()
	op := httptest.NewServer(mux)
	t.Cleanup(op.Close)
	mux.Handle("GET /jwks", keyIssuer.JWKS(time.Minute))
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, _ *http.Request) {
		io.WriteString(w, `{"issuer":"`+op.URL+`","jwks_uri":"`+op.URL+`/jwks"}`)
	})
	return op.URL, func(scope string) string {
		tok := jwt.NewWithClaims(jwt.SigningMethodEdDSA, jwt.MapClaims{
			"iss": op.URL, "sub": "svc-1", "aud": "api", "scope": scope, "client_id": "svc-1",
			"exp": time.Now().Add(time.Minute).Unix(),
		})
		tok.Header["kid"] = "op-1"
		tok.Header["typ"] = "at+jwt"
		raw, err := tok.SignedString(priv)
		must(t, err)
		return raw
	}, priv
}

// A fake provider: discovery, a JWK Set, and tokens signed with its key.
func TestJWKSExample(t *testing.T) {
	opURL, token, priv := fakeProvider(t)

	for _, args := range [][]string{
		{"-issuer", opURL, "-audience", "api", "-at-jwt"},
		{"-jwks-url", opURL + "/jwks", "-audience", "api"},
	} {
		cfg, err := parseFlags(args, io.Discard)
		must(t, err)
		h, closeKeys, err := newHandler(context.Background(), cfg, slog.New(slog.DiscardHandler))
		must(t, err)
		for _, c := range []struct {
			path, token string
			status      int
			body        string
		}{
			{"/hello", token("read"), 200, `{"message":"Hello, svc-1"}`},
			{"/hello", "", 401, `{"detail":"Authentication credentials were not provided."}`},
			{"/admin", token("read"), 403, `{"detail":"You do not have permission to perform this action.","code":"insufficient_scope"}`},
			{"/admin", token("read admin"), 200, `{"message":"Welcome, admin svc-1"}`},
			{"/readyz", "", 200, `{"status":"ready"}`},
		} {
			req := httptest.NewRequest("GET", c.path, nil)
			if c.token != "" {
				req.Header.Set("Authorization", "Bearer "+c.token)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			if w.Code != c.status || w.Body.String() != c.body {
				t.Errorf("%v GET %s: %d %s, want %d %s", args, c.path, w.Code, w.Body, c.status, c.body)
			}
		}
		closeKeys()
	}

	testDPoP(t, opURL, token, priv)

	for _, args := range [][]string{{}, {"-issuer", "x", "-jwks-url", "y"}, {"-issuer", opURL + "/elsewhere"},
		{"-jwks-url", opURL + "/jwks", "-dpop", "sometimes"}, {"-jwks-url", opURL + "/jwks", "-public-url", "ftp://x"}} {
		cfg, err := parseFlags(args, io.Discard)
		if err == nil {
			_, _, err = newHandler(context.Background(), cfg, slog.New(slog.DiscardHandler))
		}
		if err == nil {
			t.Errorf("%v: no error", args)
		}
	}
}

// testDPoP: with -dpop=required behind -public-url, a token the provider
// bound to a client's key passes with the client's proof for the public
// URL, through a real server; a bearer token, and the bound token as
// Bearer, do not.
func testDPoP(t *testing.T, opURL string, bearer func(string) string, priv ed25519.PrivateKey) {
	clientKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	must(t, err)
	sk, err := jwtguard.NewSigningKey("", clientKey, jwtguard.ES256)
	must(t, err)
	prover, err := jwtguard.NewDPoPProver(sk)
	must(t, err)
	tok := jwt.NewWithClaims(jwt.SigningMethodEdDSA, jwt.MapClaims{
		"iss": opURL, "sub": "svc-1", "aud": "api", "exp": time.Now().Add(time.Minute).Unix(),
		"cnf": map[string]string{"jkt": prover.Thumbprint()},
	})
	tok.Header["kid"] = "op-1"
	bound, err := tok.SignedString(priv)
	must(t, err)

	cfg, err := parseFlags([]string{"-jwks-url", opURL + "/jwks", "-audience", "api", "-dpop=required",
		"-public-url", "https://api.example"}, io.Discard)
	must(t, err)
	h, closeKeys, err := newHandler(context.Background(), cfg, slog.New(slog.DiscardHandler))
	must(t, err)
	defer closeKeys()
	srv := httptest.NewServer(h)
	defer srv.Close()
	get := func(scheme, token string, withProof bool) int {
		req, err := http.NewRequest("GET", srv.URL+"/hello", nil)
		must(t, err)
		req.Header.Set("Authorization", scheme+" "+token)
		if withProof {
			proof, err := prover.Proof("GET", "https://api.example/hello", token, "")
			must(t, err)
			req.Header.Set("DPoP", proof)
		}
		resp, err := http.DefaultClient.Do(req)
		must(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}
	if s := get("DPoP", bound, true); s != http.StatusOK {
		t.Errorf("bound token with its proof: %d", s)
	}
	if s := get("Bearer", bound, false); s != http.StatusUnauthorized {
		t.Errorf("bound token as Bearer: %d", s)
	}
	if s := get("Bearer", bearer("read"), false); s != http.StatusUnauthorized {
		t.Errorf("bearer token with DPoP required: %d", s)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
