package jwtguard_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/jwtguard/jwtguard"
)

// FuzzVerify feeds arbitrary tokens to the verifier: it must never panic or
// hang, every error must match ErrInvalidToken, and whatever it accepts must
// be signed by the trusted key and carry a claims set encoding/json reads.
func FuzzVerify(f *testing.F) {
	v := verifierFor(f, jwtguard.WithExpirationOptional())
	claims := fmt.Sprintf(`{"token_type":"access","jti":"j","exp":%d,"sub":"x","aud":["a"],"scp":"a b","user_id":1}`, future)
	f.Add(signRaw(f, "HS256", `{"alg":"HS256","typ":"JWT"}`, claims))
	f.Add(signRaw(f, "ES256", `{"alg":"ES256","kid":"ec"}`, claims))
	f.Add(signRaw(f, "HS256", `{"alg":"HS256","crit":["x"]}`, claims))
	f.Add(signRaw(f, "HS256", `{"alg":"HS256"}`, `{"token_type":"access","jti":"j","a":[[[{"b":"\u00e9\ud83d\ude00"}]]],"exp":1e3}`))
	f.Add("eyJhbGciOiJub25lIn0.e30.")
	f.Add("a.b.c")
	f.Fuzz(func(t *testing.T, raw string) {
		tok, err := v.Verify(context.Background(), raw)
		if err != nil {
			if tok != nil || !errors.Is(err, jwtguard.ErrInvalidToken) {
				t.Fatalf("Verify(%q) = %v, %v", raw, tok, err)
			}
			return
		}
		var m map[string]any
		if err := json.Unmarshal(tok.Payload(), &m); err != nil {
			t.Fatalf("accepted claims encoding/json rejects: %v", err)
		}
		if sub, ok := m["sub"].(string); ok && sub != tok.Claims.Subject {
			t.Fatalf("sub %q, encoding/json reads %q", tok.Claims.Subject, sub)
		}
	})
}

// FuzzClaims signs arbitrary claims sets, so the fuzzer reaches the claims
// parser behind a valid signature. Accepted claims must agree with
// encoding/json on every registered string claim.
func FuzzClaims(f *testing.F) {
	v := verifierFor(f, jwtguard.WithExpirationOptional(), jwtguard.WithTokenType(""))
	for _, s := range []string{`{"sub":"a"}`, `{"iss":"\u0041","exp":1e10,"aud":"x"}`, `{"sub":"a","sub":"b"}`, `{"x":[1,2,{"y":null}],"jti":"\ud800"}`, `{"exp":99999999999.999}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, claims string) {
		tok, err := v.Verify(context.Background(), signRaw(t, "HS256", `{"alg":"HS256"}`, claims))
		if err != nil {
			if !errors.Is(err, jwtguard.ErrInvalidToken) {
				t.Fatal(err)
			}
			return
		}
		var std map[string]any
		if err := json.Unmarshal([]byte(claims), &std); err != nil {
			t.Fatalf("accepted claims encoding/json rejects: %v", err)
		}
		c := tok.Claims
		for name, got := range map[string]string{"iss": c.Issuer, "sub": c.Subject, "jti": c.ID} {
			if want, _ := std[name].(string); got != want {
				t.Fatalf("%s = %q, encoding/json reads %q", name, got, want)
			}
		}
	})
}

// FuzzExtract feeds arbitrary Authorization, header, cookie and query values
// to the extractors: no panic, and a token found never holds white space.
// A Guard on the same extractor, which looks for blanks only in a token
// that fails to verify, must answer as Extract says: malformed credentials,
// none (anonymous), or a token (here never a valid one), on safe and
// unsafe methods alike: malformed credentials are found before the CSRF
// check.
func FuzzExtract(f *testing.F) {
	e := jwtguard.FirstOf(jwtguard.FromAuthorization("Bearer", "JWT"), jwtguard.FromHeader("X-Token"), jwtguard.FromCookie("jwt"), jwtguard.FromQuery("t"))
	g, err := jwtguard.NewGuard(verifierFor(f), jwtguard.WithExtractor(e))
	if err != nil {
		f.Fatal(err)
	}
	h := g.Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	f.Add("Bearer abc", "", "", "", false)
	f.Add("", "x y", "jwt=a; jwt=b", "t=1&t=2", false)
	f.Add("JWT\t a", "tok", "jwt=c", "t=%zz", true)
	f.Add("Bearer a b", "", "jwt=x\ty", "", false)
	f.Add("", "", "jwt=x y", "", true)
	f.Add("", "", "jwt=xy", "", true)
	f.Fuzz(func(t *testing.T, auth, hdr, cookie, query string, post bool) {
		method := "GET"
		if post {
			method = "POST"
		}
		r := httptest.NewRequest(method, "/", nil)
		r.URL.RawQuery = query
		r.Header["Authorization"] = []string{auth}
		r.Header["X-Token"] = []string{hdr}
		r.Header["Cookie"] = []string{cookie}
		tok, err := e.Extract(r)
		if err != nil && !errors.Is(err, jwtguard.ErrMalformedCredentials) {
			t.Fatalf("unexpected error %v", err)
		}
		for _, c := range tok {
			if c == ' ' || c == '\t' {
				t.Fatalf("token %q holds white space", tok)
			}
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		malformed := strings.Contains(w.Body.String(), "bad_authorization_header") || strings.Contains(w.Body.String(), "bad_cookie")
		switch {
		case err != nil && (w.Code != 401 || !malformed):
			t.Fatalf("Extract: %v; the Guard: %d %s", err, w.Code, w.Body)
		case err == nil && tok == "" && w.Code != 200:
			t.Fatalf("Extract: no credentials; the Guard: %d %s", w.Code, w.Body)
		case tok != "" && post && w.Code == 403 && strings.Contains(w.Body.String(), "csrf_failed"):
			// A cookie's token on an unsafe request, without the CSRF token.
		case tok != "" && (w.Code != 401 || malformed):
			t.Fatalf("Extract: %q; the Guard: %d %s", tok, w.Code, w.Body)
		}
	})
}

// FuzzParseJWKSet: no panic on any key set, and every key it returns is usable.
func FuzzParseJWKSet(f *testing.F) {
	f.Add(`{"keys":[{"kty":"oct","k":"c2VjcmV0"}]}`)
	f.Add(`{"keys":[{"kty":"EC","crv":"P-256","x":"AA","y":"AA"},{"kty":"RSA","n":"AQAB","e":"AQAB"}]}`)
	f.Add(`{"keys":[{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","alg":"Ed25519"}]}`)
	f.Fuzz(func(t *testing.T, data string) {
		keys, err := jwtguard.ParseJWKSet([]byte(data))
		if err != nil {
			return
		}
		if _, err := jwtguard.NewKeySet(keys...); err != nil && len(keys) == 0 {
			t.Fatal(err)
		}
		for _, k := range keys {
			if len(k.Algorithms()) == 0 {
				t.Fatalf("key %q verifies nothing", k.ID())
			}
		}
	})
}

// FuzzEndpoints posts arbitrary bodies to the token endpoints: never a
// panic or a 5xx, always a JSON body, a pair only for the right password.
func FuzzEndpoints(f *testing.F) {
	iss, _ := newIssuer(f, newTestClock())
	e, err := jwtguard.NewEndpoints(iss, testUsers, jwtguard.WithMaxBodySize(4096))
	must(f, err)
	handlers := []http.Handler{e.Obtain(), e.Refresh(), e.Verify(), e.Blacklist()}
	f.Add(uint8(0), "application/json", `{"username":"vitor","password":"123"}`)
	f.Add(uint8(0), "application/x-www-form-urlencoded", `username=vitor&password=123&password=1`)
	f.Add(uint8(0), "multipart/form-data; boundary=xx", "--xx\r\nContent-Disposition: form-data; name=\"username\"\r\n\r\nvitor\r\n--xx--\r\n")
	f.Add(uint8(1), "application/json", `{"refresh":"a.b.c"}`)
	f.Add(uint8(2), "application/json; charset=utf-8", `{"token":12}`)
	f.Add(uint8(3), "text/plain", `{`)
	f.Add(uint8(0), "application/json", "{\"username\":\"a\",\n \"password\" 1}")
	f.Fuzz(func(t *testing.T, which uint8, contentType, body string) {
		req := httptest.NewRequest("POST", "/", strings.NewReader(body))
		req.Header.Set("Content-Type", contentType)
		w := httptest.NewRecorder()
		handlers[int(which)%len(handlers)].ServeHTTP(w, req)
		switch w.Code {
		case 200, 400, 401, 413, 415:
		default:
			t.Fatalf("status %d for %q %q: %s", w.Code, contentType, body, w.Body)
		}
		if !json.Valid(w.Body.Bytes()) {
			t.Fatalf("body is not JSON: %q", w.Body)
		}
	})
}
