package jwtguard_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard"
)

// The published set verifies the issuer's tokens, old and new; secrets
// never appear in it.
func TestIssuerJWKS(t *testing.T) {
	ctx := context.Background()
	k := keysForTest
	ec, _ := jwtguard.NewSigningKey("ec-1", k.ec, jwtguard.ES256)
	rs, _ := jwtguard.NewSigningKey("rs-2", k.rsa, jwtguard.RS256)
	hm, _ := jwtguard.NewHMACKey("hm-0", k.secret)
	old, err := jwtguard.NewIssuer(ec, jwtguard.NewMemoryStore())
	must(t, err)
	oldPair, err := old.Issue(ctx, "1")
	must(t, err)
	iss, err := jwtguard.NewIssuer(rs, jwtguard.NewMemoryStore(), jwtguard.WithRetiredKeys(ec.VerificationKey(), hm))
	must(t, err)
	newPair, err := iss.Issue(ctx, "1")
	must(t, err)

	srv := httptest.NewServer(iss.JWKS(5 * time.Minute))
	defer srv.Close()
	r := do(t, must1(http.NewRequest("GET", srv.URL, nil)))
	if r.status != 200 || r.header.Get("Content-Type") != "application/jwk-set+json" || r.header.Get("Cache-Control") != "public, max-age=300" {
		t.Fatalf("JWKS: %d %v", r.status, r.header)
	}
	if strings.Contains(r.body, `"oct"`) || strings.Contains(r.body, enc.EncodeToString(k.secret)) || strings.Contains(r.body, `"d"`) {
		t.Fatalf("JWKS leaks a secret or private key: %s", r.body)
	}
	keys, err := jwtguard.ParseJWKSet([]byte(r.body))
	must(t, err)
	if len(keys) != 2 {
		t.Fatalf("published %d keys, want the two public ones: %s", len(keys), r.body)
	}
	set, err := jwtguard.NewKeySet(keys...)
	must(t, err)
	v, err := jwtguard.NewVerifier(set)
	must(t, err)
	for name, tok := range map[string]string{"old": oldPair.Access, "new": newPair.Access} {
		if _, err := v.Verify(ctx, tok); err != nil {
			t.Errorf("%s token does not verify with the published set: %v", name, err)
		}
	}
	r = post(t, srv.URL, "", "")
	if r.status != 405 || r.header.Get("Allow") != "GET, HEAD" {
		t.Errorf("POST to JWKS: %d Allow %q", r.status, r.header.Get("Allow"))
	}

	// An HMAC issuer publishes nothing.
	hs, _ := jwtguard.NewSigningKey("", k.secret, jwtguard.HS256)
	secretIss, _ := jwtguard.NewIssuer(hs, jwtguard.NewMemoryStore())
	w := httptest.NewRecorder()
	secretIss.JWKS(time.Minute).ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
	if w.Body.String() != `{"keys":[]}` {
		t.Errorf("HMAC issuer publishes %s", w.Body)
	}
}
