package jwtguard_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/jwtguard/jwtguard"
)

// FuzzCookieGuard sends a Guard in cookie mode arbitrary methods, cookies,
// CSRF headers, Sec-Fetch-Site and Origin: no panic, no status but 200,
// 401 and 403, and an unsafe request authenticated by a cookie passes only
// with one CSRF cookie of at least 16 characters echoed exactly in the
// header, from the same origin.
func FuzzCookieGuard(f *testing.F) {
	mode, err := jwtguard.NewCookieMode()
	must(f, err)
	g, err := jwtguard.NewGuard(verifierFor(f), jwtguard.WithCookies(mode))
	must(f, err)
	h := g.Require(jwtguard.IsAuthenticated())(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	tok := signRaw(f, "HS256", `{"alg":"HS256"}`, `{"jti":"j","token_type":"access","exp":`+strconv.FormatInt(future, 10)+`}`)
	csrf := "0123456789abcdef0123456789abcdef"
	f.Add("POST", "access_token="+tok+"; csrftoken="+csrf, csrf, "same-origin", "")
	f.Add("POST", "access_token="+tok+"; csrftoken="+csrf, csrf, "", "http://example.com")
	f.Add("DELETE", "access_token="+tok+"; csrftoken="+csrf+"; csrftoken=x", csrf, "", "")
	f.Add("GET", "access_token="+tok, "", "cross-site", "https://evil.example")
	f.Add("post", "access_token="+tok+"; csrftoken=short", "short", "none", "null")
	f.Fuzz(func(t *testing.T, method, cookie, header, site, origin string) {
		if !validMethod(method) {
			return
		}
		r := httptest.NewRequest("GET", "http://example.com/", nil)
		r.Method = method
		r.Header["Cookie"] = []string{cookie}
		r.Header["X-Csrftoken"] = []string{header}
		if site != "" {
			r.Header["Sec-Fetch-Site"] = []string{site}
		}
		if origin != "" {
			r.Header["Origin"] = []string{origin}
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		switch w.Code {
		case 200, 401, 403:
		default:
			t.Fatalf("status %d", w.Code)
		}
		if w.Code != 200 || method == "GET" || method == "HEAD" || method == "OPTIONS" {
			return
		}
		cs := r.CookiesNamed("csrftoken")
		if len(cs) != 1 || len(cs[0].Value) < 16 || cs[0].Value != header {
			t.Fatalf("unsafe %s passed with CSRF cookies %v and header %q", method, cs, header)
		}
		if site != "" && site != "same-origin" && site != "none" {
			t.Fatalf("unsafe %s passed with Sec-Fetch-Site %q", method, site)
		}
	})
}

// FuzzCSRFCheck: Check answers nil or an error matching ErrCSRF, and never
// nil for an unsafe request without a matching token.
func FuzzCSRFCheck(f *testing.F) {
	check, err := jwtguard.NewCSRF(jwtguard.WithTrustedOrigins("https://app.example.com"))
	must(f, err)
	f.Add("PUT", "csrftoken=0123456789abcdef", "0123456789abcdef", "cross-site", "https://app.example.com", "api.example.com")
	f.Add("PATCH", "csrftoken=", "", "", "http://api.example.com", "api.example.com")
	f.Fuzz(func(t *testing.T, method, cookie, header, site, origin, host string) {
		if !validMethod(method) {
			return
		}
		r := httptest.NewRequest("GET", "/", nil)
		r.Method, r.Host = method, host
		r.Header["Cookie"] = []string{cookie}
		r.Header["X-Csrftoken"] = []string{header}
		r.Header["Sec-Fetch-Site"] = []string{site}
		r.Header["Origin"] = []string{origin}
		err := check.Check(r)
		if err != nil && !errors.Is(err, jwtguard.ErrCSRF) {
			t.Fatalf("error %v does not match ErrCSRF", err)
		}
		if err == nil && method != "GET" && method != "HEAD" && method != "OPTIONS" {
			if cs := r.CookiesNamed("csrftoken"); len(cs) != 1 || cs[0].Value != header || len(header) < 16 {
				t.Fatalf("unsafe %s passed with CSRF cookies %v and header %q", method, cs, header)
			}
		}
	})
}

// validMethod reports an RFC 9110 method token, as net/http accepts.
func validMethod(m string) bool {
	if m == "" {
		return false
	}
	for i := 0; i < len(m); i++ {
		c := m[i]
		if c <= ' ' || c >= 0x7f || c == '(' || c == ')' || c == ',' || c == '/' || c == ':' || c == ';' ||
			c == '<' || c == '=' || c == '>' || c == '?' || c == '@' || c == '[' || c == '\\' || c == ']' ||
			c == '{' || c == '}' || c == '"' {
			return false
		}
	}
	return true
}
