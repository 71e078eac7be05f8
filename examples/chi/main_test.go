package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/jwtguard/jwtguard"
)

func TestRouter(t *testing.T) {
	secret := []byte("chi-example-secret")
	key, _ := jwtguard.NewHMACKey("", secret)
	keys, _ := jwtguard.NewKeySet(key)
	v, _ := jwtguard.NewVerifier(keys)
	g, _ := jwtguard.NewGuard(v)
	srv := httptest.NewServer(newRouter(g))
	defer srv.Close()
	tok, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"token_type": "access", "jti": "j7", "user_id": 7, "exp": time.Now().Add(time.Minute).Unix()}).SignedString(secret)

	for _, c := range []struct {
		method, path, auth string
		status             int
		body               string
	}{
		{"GET", "/hello", tok, 200, `{"message":"Hello, 7"}`},
		{"GET", "/hello", "", 401, `{"detail":"Authentication credentials were not provided."}`},
		{"GET", "/items/", "", 200, `[{"id":1,"name":"first"}]`},
		{"POST", "/items/", "", 401, `{"detail":"Authentication credentials were not provided."}`},
		{"POST", "/items/", tok, 201, `{"id":2,"name":"created"}`},
		{"GET", "/healthz", "", 200, `{"status":"ok"}`},
		{"GET", "/readyz", "", 200, `{"status":"ready"}`},
	} {
		req, _ := http.NewRequest(c.method, srv.URL+c.path, nil)
		if c.auth != "" {
			req.Header.Set("Authorization", "Bearer "+c.auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != c.status || strings.TrimSpace(string(body)) != c.body {
			t.Errorf("%s %s: %d %s", c.method, c.path, resp.StatusCode, body)
		}
	}
}
