package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/jwtguard/jwtguard"
)

// writeJWKS writes dir/jwks.json, a JWK Set of one HMAC key, kid hs1, and
// returns its secret.
func writeJWKS(t *testing.T, dir string) []byte {
	t.Helper()
	secret := []byte("oct-secret-for-the-basic-example")
	jwks := `{"keys":[{"kty":"oct","kid":"hs1","alg":"HS256","k":"` + base64.RawURLEncoding.EncodeToString(secret) + `"}]}`
	must(t, os.WriteFile(filepath.Join(dir, "jwks.json"), []byte(jwks), 0o600))
	return secret
}

func TestBasicServer(t *testing.T) {
	dir := t.TempDir()
	secret := writeJWKS(t, dir)
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	der, _ := x509.MarshalPKIXPublicKey(&ec.PublicKey)
	must(t, os.WriteFile(filepath.Join(dir, "ec.pem"), pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), 0o600))

	cfg, err := parseFlags([]string{"-jwks-file", filepath.Join(dir, "jwks.json"), "-pem", filepath.Join(dir, "ec.pem"), "-pem-kid", "ec1",
		"-issuer", "https://id.example", "-audience", "api", "-token-type", ""}, io.Discard)
	must(t, err)
	var logs strings.Builder
	h, closeKeys, err := newHandler(cfg, slog.New(slog.NewTextHandler(&logs, nil)))
	must(t, err)
	defer closeKeys()
	if !strings.Contains(logs.String(), "trust configuration") || !strings.Contains(logs.String(), `\"hs1\":HS256`) {
		t.Errorf("trust configuration not logged: %s", logs.String())
	}
	srv := httptest.NewServer(h)
	defer srv.Close()

	claims := func(aud string) jwt.MapClaims {
		return jwt.MapClaims{"sub": "alice", "iss": "https://id.example", "aud": aud, "exp": time.Now().Add(time.Minute).Unix()}
	}
	hsTok := jwt.NewWithClaims(jwt.SigningMethodHS256, claims("api"))
	hsTok.Header["kid"] = "hs1"
	hs, _ := hsTok.SignedString(secret)
	esTok := jwt.NewWithClaims(jwt.SigningMethodES256, claims("api"))
	esTok.Header["kid"] = "ec1"
	es, _ := esTok.SignedString(ec)
	wrongAud, _ := jwt.NewWithClaims(jwt.SigningMethodES256, claims("other")).SignedString(ec)

	for _, c := range []struct {
		method, path, tok string
		status            int
		body              string
	}{
		{"GET", "/hello", hs, 200, `{"message":"Hello, alice"}`},
		{"GET", "/hello", es, 200, `{"message":"Hello, alice"}`},
		{"GET", "/hello", wrongAud, 401, ""},
		{"GET", "/hello", "", 401, `{"detail":"Authentication credentials were not provided."}`},
		{"GET", "/public", "", 200, `{"message":"Public, anonymous"}`},
		{"GET", "/items", "", 200, `[{"id":1,"name":"first"}]`},
		{"POST", "/items", "", 401, ""},
		{"POST", "/items", es, 201, `{"id":2,"name":"created"}`},
		{"GET", "/healthz", "", 200, `{"status":"ok"}`},
	} {
		req, _ := http.NewRequest(c.method, srv.URL+c.path, nil)
		if c.tok != "" {
			req.Header.Set("Authorization", "Bearer "+c.tok)
		}
		resp, err := http.DefaultClient.Do(req)
		must(t, err)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != c.status || (c.body != "" && string(body) != c.body) {
			t.Errorf("%s %s: %d %s", c.method, c.path, resp.StatusCode, body)
		}
	}
}

// -jwks-url: the keys come from a remote JWK Set.
func TestBasicRemoteKeys(t *testing.T) {
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	must(t, err)
	sk, err := jwtguard.NewSigningKey("remote-1", priv, jwtguard.ES256)
	must(t, err)
	iss, err := jwtguard.NewIssuer(sk, jwtguard.NewMemoryStore(), jwtguard.WithTokenIssuer("https://id.example"))
	must(t, err)
	jwks := httptest.NewServer(iss.JWKS(time.Minute))
	defer jwks.Close()
	cfg, err := parseFlags([]string{"-jwks-url", jwks.URL, "-issuer", "https://id.example", "-token-type", ""}, io.Discard)
	must(t, err)
	h, closeKeys, err := newHandler(cfg, slog.New(slog.DiscardHandler))
	must(t, err)
	defer closeKeys()
	p, err := iss.Issue(context.Background(), "alice")
	must(t, err)
	req := httptest.NewRequest("GET", "/hello", nil)
	req.Header.Set("Authorization", "Bearer "+p.Access)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	if w.Code != 200 || w.Body.String() != `{"message":"Hello, alice"}` {
		t.Fatalf("token verified by a remote key: %d %s", w.Code, w.Body)
	}
}

func TestBasicFlagErrors(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"-jwks-url", "http://127.0.0.1:1/jwks"},
		{"-jwks-url", "http://127.0.0.1:1/jwks", "-pem", "x.pem"},
		{"-pem", "/does/not/exist"},
		{"-pem-kid", "x"},
	} {
		cfg, err := parseFlags(args, io.Discard)
		if err == nil {
			_, _, err = newHandler(cfg, slog.New(slog.DiscardHandler))
		}
		if err == nil {
			t.Errorf("%v: no error", args)
		}
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
