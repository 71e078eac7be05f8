package jwtguard_test

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/jwtguard/jwtguard"
)

// The README's pattern, tok, _ := FromRequest(r) and then tok.Subject(),
// on a route that lets anonymous requests through: through a real server,
// an anonymous GET gets the handler's answer with an empty subject, not a
// panic (which net/http would turn into a dropped connection).
func TestAnonymousRequestReadsNilToken(t *testing.T) {
	guard, err := jwtguard.NewGuard(verifierFor(t))
	must(t, err)
	h := guard.Require(jwtguard.IsAuthenticatedOrReadOnly())(http.HandlerFunc(
		func(w http.ResponseWriter, r *http.Request) {
			tok, _ := jwtguard.FromRequest(r)
			var custom struct{ Tenant string }
			decodeErr := tok.Decode(&custom)
			tenant, _ := jwtguard.ClaimAs[string](tok, "tenant")
			fmt.Fprintf(w, "hello %q scope=%v scopes=%v payload=%v tenant=%q decode=%v",
				tok.Subject(), tok.HasScope("read"), tok.Scopes(), tok.Payload(), tenant,
				errors.Is(decodeErr, jwtguard.ErrNoCredentials))
		}))
	srv := httptest.NewServer(h)
	defer srv.Close()

	res, err := srv.Client().Get(srv.URL + "/tasks")
	if err != nil {
		t.Fatalf("anonymous GET: %v (a panic in the handler drops the connection)", err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	want := `hello "" scope=false scopes=[] payload=[] tenant="" decode=true`
	if res.StatusCode != http.StatusOK || string(body) != want {
		t.Fatalf("got %d %q, want 200 %q", res.StatusCode, body, want)
	}
}

// Every method of a nil *Token answers as for a token without claims.
func TestNilTokenAccessors(t *testing.T) {
	var tok *jwtguard.Token
	if got := tok.Subject(); got != "" {
		t.Errorf("Subject() = %q", got)
	}
	if tok.HasScope("read") || tok.HasScope("") {
		t.Error("HasScope is true")
	}
	if got := tok.Scopes(); got != nil {
		t.Errorf("Scopes() = %v", got)
	}
	if got := tok.Payload(); got != nil {
		t.Errorf("Payload() = %q", got)
	}
	v := struct{ Sub string }{Sub: "kept"}
	if err := tok.Decode(&v); !errors.Is(err, jwtguard.ErrNoCredentials) || v.Sub != "kept" {
		t.Errorf("Decode: %v, %+v", err, v)
	}
	if raw, ok := tok.RawClaim("sub"); ok || raw != nil {
		t.Errorf("RawClaim = %q, %v", raw, ok)
	}
	if c, ok := tok.Claim("sub"); ok || c != nil {
		t.Errorf("Claim = %v, %v", c, ok)
	}
	if n, ok := jwtguard.ClaimAs[int](tok, "n"); ok || n != 0 {
		t.Errorf("ClaimAs = %v, %v", n, ok)
	}
}
