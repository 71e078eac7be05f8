package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// The quick start as the README runs it: a token minted with the secret
// passes, a request without one gets 401, and a secret too short is
// refused at start.
func TestQuickStart(t *testing.T) {
	const secret = "a-signing-key-of-32-bytes-length"
	h, err := newHandler(secret)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()

	var tok strings.Builder
	if err := mint(&tok, secret, "alice"); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		auth, want string
		status     int
	}{
		{"Bearer " + strings.TrimSpace(tok.String()), "Hello, alice\n", http.StatusOK},
		{"", `{"detail":"Authentication credentials were not provided."}`, http.StatusUnauthorized},
	} {
		req, _ := http.NewRequest("GET", srv.URL+"/hello", nil)
		if c.auth != "" {
			req.Header.Set("Authorization", c.auth)
		}
		res, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != c.status || string(body) != c.want {
			t.Errorf("%q: got %d %q, want %d %q", c.auth, res.StatusCode, body, c.status, c.want)
		}
	}

	if _, err := newHandler("short"); err == nil {
		t.Error("a 5-byte secret was accepted")
	}
	if err := mint(io.Discard, "", "alice"); err == nil {
		t.Error("minting with no secret worked")
	}
}
