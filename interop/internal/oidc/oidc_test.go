package oidc_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/jwtguard/jwtguard/interop/internal/oidc"
)

// TestProvider checks the harness against the running provider: the token
// endpoint's answers for the clients it has and has not, and rotation.
func TestProvider(t *testing.T) {
	p := oidc.Start(t)
	if !strings.HasPrefix(p.Issuer, "http://127.0.0.1:") || strings.HasSuffix(p.Issuer, "/") {
		t.Errorf("Issuer = %q, want http://127.0.0.1:<port>", p.Issuer)
	}
	if p.Audience != oidc.Audience {
		t.Errorf("Audience = %q, want %q", p.Audience, oidc.Audience)
	}

	r := p.RequestToken(t, "ES256", "write unknown read")
	if r.Status != http.StatusOK || r.TokenType != "Bearer" || r.Scope != "write read" ||
		r.ExpiresIn != int(oidc.TokenLifetime.Seconds()) || strings.Count(r.AccessToken, ".") != 2 {
		t.Errorf("RequestToken(ES256) = %+v, want 200, a Bearer JWT, scope %q, expires_in %v",
			r, "write read", oidc.TokenLifetime.Seconds())
	}

	if r := p.RequestToken(t, "HS256", "read"); r.Status != http.StatusUnauthorized || r.Error != "invalid_client" {
		t.Errorf("RequestToken(HS256) = %d %s, want 401 invalid_client: there is no such client", r.Status, r.Body)
	}

	if r := p.RequestToken(t, "RS256", ""); r.Status != http.StatusOK || r.Scope != "" {
		t.Errorf("RequestToken(RS256, no scope) = %d %s, want 200 without a scope", r.Status, r.Body)
	}

	first := p.Rotate(t)
	second := p.Rotate(t)
	if len(first) != 5 || len(second) != 5 {
		t.Fatalf("Rotate = %v then %v, want five key IDs each", first, second)
	}
	for _, kid := range first {
		if strings.Contains(strings.Join(second, " "), kid) {
			t.Errorf("kid %q survived a rotation", kid)
		}
	}
	if status, body := p.Get(t, p.Issuer+"/-/rotate"); status != http.StatusMethodNotAllowed {
		t.Errorf("GET /-/rotate = %d %s, want 405", status, body)
	}
	if tok := p.Token(t, "EdDSA", "admin"); strings.Count(tok, ".") != 2 {
		t.Errorf("Token(EdDSA) after rotation = %q, want a JWS", tok)
	}
}
