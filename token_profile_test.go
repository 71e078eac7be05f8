package jwtguard_test

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/jwtguard/jwtguard"
)

// simplejwt's token profile, through a real server: with the default
// expected type a token without "token_type" or without "jti" (another
// app's token signed with the same secret) is refused with simplejwt's
// message; WithTokenType("") accepts both, as a provider's tokens need.
func TestTokenProfileOverHTTP(t *testing.T) {
	exp := strconv.FormatInt(future, 10)
	hs := func(claims string) string { return signRaw(t, "HS256", `{"alg":"HS256","typ":"JWT"}`, claims) }
	noType := hs(`{"exp":` + exp + `,"jti":"0123456789abcdef0123456789abcdef","user_id":1}`)
	noID := hs(`{"token_type":"access","exp":` + exp + `,"user_id":1}`)
	neither := hs(`{"exp":` + exp + `,"user_id":1}`) // a djangorestframework-jwt token, say
	good := hs(`{"token_type":"access","exp":` + exp + `,"jti":"0123456789abcdef0123456789abcdef","user_id":1}`)

	serve := func(opts ...jwtguard.VerifierOption) string {
		guard, err := jwtguard.NewGuard(verifierFor(t, opts...))
		must(t, err)
		srv := httptest.NewServer(guard.Require(jwtguard.IsAuthenticated())(http.HandlerFunc(
			func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("hello")) })))
		t.Cleanup(srv.Close)
		return srv.URL
	}
	get := func(url, token string) reply {
		req, err := http.NewRequest(http.MethodGet, url, nil)
		must(t, err)
		req.Header.Set("Authorization", "Bearer "+token)
		return do(t, req)
	}
	refused := func(msg string) string {
		return `{"detail":"Given token not valid for any token type","code":"token_not_valid","messages":[{"token_class":"AccessToken","token_type":"access","message":"` + msg + `"}]}`
	}

	profile := serve()
	for _, c := range []struct{ name, token, msg string }{
		{"no token_type", noType, "Token has no type"},
		{"no jti", noID, "Token has no id"},
		{"neither (jti is checked first, as simplejwt does)", neither, "Token has no id"},
	} {
		r := get(profile, c.token)
		if r.status != 401 || r.body != refused(c.msg) {
			t.Errorf("%s: %d %s, want 401 %q", c.name, r.status, r.body, c.msg)
		}
		want := `Bearer realm="api", error="invalid_token", error_description="` + c.msg + `"`
		if got := r.header.Get("WWW-Authenticate"); got != want {
			t.Errorf("%s: challenge %q, want %q", c.name, got, want)
		}
	}
	if r := get(profile, good); r.status != 200 {
		t.Errorf("a simplejwt access token: %d %s", r.status, r.body)
	}

	off := serve(jwtguard.WithTokenType(""))
	for name, token := range map[string]string{"no token_type": noType, "no jti": noID, "neither": neither, "access": good} {
		if r := get(off, token); r.status != 200 {
			t.Errorf("WithTokenType(\"\"), %s: %d %s, want 200", name, r.status, r.body)
		}
	}
}

// The token endpoints answer a token without "jti" or "token_type" as
// simplejwt's do: verify/ (untyped) wants a "jti", refresh/ and
// blacklist/ want both.
func TestTokenProfileAtTheEndpoints(t *testing.T) {
	srv, _ := tokenServer(t, newTestClock())
	exp := strconv.FormatInt(future, 10)
	hs := func(claims string) string { return signRaw(t, "HS256", `{"alg":"HS256","typ":"JWT"}`, claims) }
	noID := hs(`{"token_type":"refresh","exp":` + exp + `,"user_id":1}`)
	noType := hs(`{"exp":` + exp + `,"jti":"0123456789abcdef0123456789abcdef","user_id":1}`)
	body := func(msg string) string { return `{"detail":"` + msg + `","code":"token_not_valid"}` }
	for _, c := range []struct{ name, path, field, token, msg string }{
		{"verify, no jti", "verify/", "token", noID, "Token has no id"},
		{"refresh, no jti", "refresh/", "refresh", noID, "Token has no id"},
		{"refresh, no token_type", "refresh/", "refresh", noType, "Token has no type"},
		{"blacklist, no jti", "blacklist/", "refresh", noID, "Token has no id"},
		{"blacklist, no token_type", "blacklist/", "refresh", noType, "Token has no type"},
	} {
		checkReply(t, c.name, postJSON(t, srv.URL+"/api/token/"+c.path, map[string]string{c.field: c.token}), 401, body(c.msg))
	}
	checkReply(t, "verify, no token_type (untyped)", postJSON(t, srv.URL+"/api/token/verify/", map[string]string{"token": noType}), 200, `{}`)
}
