package jwtguard_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard"
)

// cookieApp is a browser app's server in cookie mode: the token endpoints
// under /api/token/ and, behind a Guard, GET /hello/ and POST /tasks/.
type cookieApp struct {
	srv    *httptest.Server
	issuer *jwtguard.Issuer
	clock  *testClock
	posts  int // POST /tasks/ that reached the handler
}

func newCookieApp(t *testing.T, mode *jwtguard.CookieMode, guardOpts ...jwtguard.GuardOption) *cookieApp {
	t.Helper()
	a := &cookieApp{clock: newTestClock()}
	iss, _ := newIssuer(t, a.clock, jwtguard.WithAccessRevocation(time.Nanosecond))
	a.issuer = iss
	e, err := jwtguard.NewEndpoints(iss, testUsers, jwtguard.WithEndpointCookies(mode))
	must(t, err)
	v, err := iss.Verifier()
	must(t, err)
	g, err := jwtguard.NewGuard(v, append([]jwtguard.GuardOption{jwtguard.WithCookies(mode)}, guardOpts...)...)
	must(t, err)
	mux := http.NewServeMux()
	e.Register(mux, "/api/token/")
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			a.posts++
		}
		tok, _ := jwtguard.FromRequest(r)
		w.Write([]byte("hello " + tok.Subject()))
	})
	mux.Handle("/hello/", g.Require(jwtguard.IsAuthenticated())(ok))
	mux.Handle("/tasks/", g.Require(jwtguard.IsAuthenticated())(ok))
	a.srv = httptest.NewServer(mux)
	t.Cleanup(a.srv.Close)
	return a
}

// jar is what a browser keeps: the cookies by name.
type jar map[string]*http.Cookie

func cookiesOf(r reply) jar {
	j := jar{}
	for _, c := range (&http.Response{Header: r.header}).Cookies() {
		j[c.Name] = c
	}
	return j
}

// request builds a request to the app carrying the named cookies' values
// and header pairs.
func (a *cookieApp) request(t *testing.T, method, path, body string, cookies jar, header ...string) reply {
	t.Helper()
	req, err := http.NewRequest(method, a.srv.URL+path, strings.NewReader(body))
	must(t, err)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for _, c := range cookies {
		req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Add(header[i], header[i+1])
	}
	return do(t, req)
}

func (a *cookieApp) login(t *testing.T) jar {
	t.Helper()
	r := a.request(t, "POST", "/api/token/", `{"username":"vitor","password":"123"}`, nil,
		"Sec-Fetch-Site", "same-origin")
	if r.status != 200 {
		t.Fatalf("login: %d %s", r.status, r.body)
	}
	return cookiesOf(r)
}

func mustMode(t *testing.T, opts ...jwtguard.CookieOption) *jwtguard.CookieMode {
	t.Helper()
	m, err := jwtguard.NewCookieMode(opts...)
	must(t, err)
	return m
}

func TestCookieAttributesDefault(t *testing.T) {
	a := newCookieApp(t, mustMode(t))
	r := a.request(t, "POST", "/api/token/", `{"username":"vitor","password":"123"}`, nil)
	if r.status != 200 || r.body != `{}` {
		t.Fatalf("login: %d %s, want 200 {} (tokens stay out of the body)", r.status, r.body)
	}
	j := cookiesOf(r)
	want := []struct {
		name, path string
		maxAge     int
		httpOnly   bool
	}{
		{"access_token", "/", 300, true},
		{"refresh_token", "/api/token/", 86400, true},
		{"csrftoken", "/", 86400, false},
	}
	if len(j) != len(want) {
		t.Fatalf("cookies %v, want %d", j, len(want))
	}
	for _, w := range want {
		c := j[w.name]
		if c == nil {
			t.Fatalf("no %s cookie", w.name)
		}
		if c.Path != w.path || c.MaxAge != w.maxAge || c.HttpOnly != w.httpOnly || !c.Secure ||
			c.SameSite != http.SameSiteLaxMode || c.Domain != "" {
			t.Errorf("%s: %q", w.name, c.Raw)
		}
	}
	ctx := context.Background()
	if tok, err := a.issuer.Verify(ctx, j["access_token"].Value); err != nil || tok.Claims.TokenType != "access" {
		t.Errorf("access cookie: %v", err)
	}
	if tok, err := a.issuer.Verify(ctx, j["refresh_token"].Value); err != nil || tok.Claims.TokenType != "refresh" {
		t.Errorf("refresh cookie: %v", err)
	}
	if n := len(j["csrftoken"].Value); n != 43 {
		t.Errorf("csrftoken has %d characters, want 43", n)
	}
}

func TestCookieAttributesConfigured(t *testing.T) {
	csrf, err := jwtguard.NewCSRF(jwtguard.WithCSRFNames("xsrf", "X-XSRF-Token"))
	must(t, err)
	m := mustMode(t,
		jwtguard.WithCookieNames("at", "rt"),
		jwtguard.WithCookiePaths("/", "/api/token/refresh/"),
		jwtguard.WithCookieDomain("example.com"),
		jwtguard.WithSameSite(http.SameSiteStrictMode),
		jwtguard.WithInsecureCookies(),
		jwtguard.WithTokensInBody(),
		jwtguard.WithCookieCSRF(csrf))
	a := newCookieApp(t, m)
	r := a.request(t, "POST", "/api/token/", `{"username":"vitor","password":"123"}`, nil)
	j := cookiesOf(r)
	if r.status != 200 {
		t.Fatalf("login: %d %s", r.status, r.body)
	}
	access, refresh := pairOf(t, r)
	if j["at"] == nil || j["at"].Value != access || j["rt"] == nil || j["rt"].Value != refresh {
		t.Fatalf("cookies %v do not carry the body's tokens", j)
	}
	for name, path := range map[string]string{"at": "/", "rt": "/api/token/refresh/", "xsrf": "/"} {
		c := j[name]
		if c == nil || c.Path != path || c.Secure || c.SameSite != http.SameSiteStrictMode || c.Domain != "example.com" {
			t.Errorf("%s: %v", name, c)
		}
	}
	// The configured names are the ones the Guard and the check read.
	hdr := []string{"X-XSRF-Token", j["xsrf"].Value}
	if r := a.request(t, "POST", "/tasks/", "", jar{"a": j["at"], "x": j["xsrf"]}, hdr...); r.status != 200 {
		t.Errorf("POST with the configured names: %d %s", r.status, r.body)
	}
	if r := a.request(t, "POST", "/tasks/", "", jar{"a": j["at"], "x": j["xsrf"]}, "X-CSRFToken", j["xsrf"].Value); r.status != 403 {
		t.Errorf("POST with Django's header name: %d, want 403", r.status)
	}
}

func TestCookieRefreshRotates(t *testing.T) {
	a := newCookieApp(t, mustMode(t))
	j := a.login(t)
	a.clock.Add(time.Second)
	csrf := j["csrftoken"].Value
	r := a.request(t, "POST", "/api/token/refresh/", "", jar{"r": j["refresh_token"], "c": j["csrftoken"]},
		"X-CSRFToken", csrf, "Sec-Fetch-Site", "same-origin")
	if r.status != 200 || r.body != `{}` {
		t.Fatalf("refresh: %d %s", r.status, r.body)
	}
	n := cookiesOf(r)
	if n["access_token"] == nil || n["refresh_token"] == nil || n["access_token"].Value == j["access_token"].Value ||
		n["refresh_token"].Value == j["refresh_token"].Value {
		t.Fatalf("refresh did not rotate the cookies: %v", n)
	}
	// A fresh CSRF token: a value planted in the browser does not outlive
	// a refresh.
	if n["csrftoken"] == nil || n["csrftoken"].Value == csrf || len(n["csrftoken"].Value) != 43 || n["csrftoken"].MaxAge != 86400 {
		t.Errorf("the CSRF cookie should be renewed: %v", n["csrftoken"])
	}
	if r := a.request(t, "GET", "/hello/", "", jar{"a": n["access_token"]}); r.status != 200 || r.body != "hello 1" {
		t.Errorf("new access cookie: %d %s", r.status, r.body)
	}
	// The old refresh cookie is spent: presenting it again past the grace
	// window ends the session.
	a.clock.Add(jwtguard.DefaultReuseGrace + time.Second)
	r = a.request(t, "POST", "/api/token/refresh/", "", jar{"r": j["refresh_token"], "c": j["csrftoken"]}, "X-CSRFToken", csrf)
	if r.status != 401 || !strings.Contains(r.body, "blacklisted") {
		t.Fatalf("reused refresh cookie: %d %s", r.status, r.body)
	}
	if r := a.request(t, "POST", "/api/token/refresh/", "", jar{"r": n["refresh_token"], "c": j["csrftoken"]}, "X-CSRFToken", csrf); r.status != 401 {
		t.Errorf("the rotated-in refresh cookie survived reuse: %d", r.status)
	}
	// A body token still wins over the cookie, and needs no CSRF token.
	k := a.login(t)
	r = a.request(t, "POST", "/api/token/refresh/", `{"refresh":"`+k["refresh_token"].Value+`"}`, jar{"r": n["refresh_token"]})
	if r.status != 200 {
		t.Errorf("refresh by body: %d %s", r.status, r.body)
	}
}

func TestCookieRefreshCSRF(t *testing.T) {
	a := newCookieApp(t, mustMode(t))
	j := a.login(t)
	both := jar{"r": j["refresh_token"], "c": j["csrftoken"]}
	for _, c := range []struct {
		name    string
		cookies jar
		header  []string
		detail  string
	}{
		{"no header", both, nil, "CSRF token missing."},
		{"wrong header", both, []string{"X-CSRFToken", strings.Repeat("x", 43)}, "CSRF token incorrect."},
		{"no CSRF cookie", jar{"r": j["refresh_token"]}, []string{"X-CSRFToken", j["csrftoken"].Value}, "CSRF cookie not set."},
		{"cross-site", both, []string{"X-CSRFToken", j["csrftoken"].Value, "Sec-Fetch-Site", "cross-site"}, "Origin checking failed - the request is cross-origin."},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := a.request(t, "POST", "/api/token/refresh/", "", c.cookies, c.header...)
			want := `{"detail":"CSRF Failed: ` + c.detail + `","code":"csrf_failed"}`
			if r.status != 403 || r.body != want || len(cookiesOf(r)) != 0 {
				t.Errorf("%d %s %v, want 403 %s and no cookies", r.status, r.body, cookiesOf(r), want)
			}
		})
	}
	// None of them spent the token.
	r := a.request(t, "POST", "/api/token/refresh/", "", both, "X-CSRFToken", j["csrftoken"].Value)
	if r.status != 200 {
		t.Errorf("refresh after refused attempts: %d %s", r.status, r.body)
	}
	// Without any refresh token, DRF's field error.
	if r := a.request(t, "POST", "/api/token/refresh/", "", nil); r.status != 400 || r.body != `{"refresh":["This field is required."]}` {
		t.Errorf("no token: %d %s", r.status, r.body)
	}
	// Two refresh cookies are malformed.
	r = a.request(t, "POST", "/api/token/refresh/", "", nil, "Cookie", "refresh_token=a.b.c; refresh_token=d.e.f")
	if r.status != 401 || !strings.Contains(r.body, "token_not_valid") {
		t.Errorf("two refresh cookies: %d %s", r.status, r.body)
	}
}

func TestCookieLogout(t *testing.T) {
	cleared := func(t *testing.T, r reply, names ...string) {
		t.Helper()
		j := cookiesOf(r)
		for _, n := range names {
			if c := j[n]; c == nil || c.MaxAge != -1 || c.Value != "" {
				t.Errorf("%s not cleared: %v", n, c)
			}
		}
	}
	t.Run("refresh cookie", func(t *testing.T) {
		a := newCookieApp(t, mustMode(t))
		j := a.login(t)
		r := a.request(t, "POST", "/api/token/blacklist/", "", jar{"r": j["refresh_token"], "c": j["csrftoken"]}, "X-CSRFToken", j["csrftoken"].Value)
		if r.status != 200 || r.body != `{}` {
			t.Fatalf("logout: %d %s", r.status, r.body)
		}
		cleared(t, r, "access_token", "refresh_token", "csrftoken")
		if c := cookiesOf(r)["refresh_token"]; c.Path != "/api/token/" {
			t.Errorf("clearing cookie path %q", c.Path)
		}
		if r := a.request(t, "GET", "/hello/", "", jar{"a": j["access_token"]}); r.status != 401 {
			t.Errorf("access cookie after logout: %d", r.status)
		}
	})
	t.Run("access cookie", func(t *testing.T) {
		// A refresh path of refresh/ alone keeps the refresh cookie from
		// the blacklist endpoint: the access cookie names the session.
		a := newCookieApp(t, mustMode(t, jwtguard.WithCookiePaths("/", "/api/token/refresh/")))
		j := a.login(t)
		r := a.request(t, "POST", "/api/token/blacklist/", "", jar{"a": j["access_token"], "c": j["csrftoken"]}, "X-CSRFToken", j["csrftoken"].Value)
		if r.status != 200 {
			t.Fatalf("logout: %d %s", r.status, r.body)
		}
		cleared(t, r, "access_token", "refresh_token", "csrftoken")
		if c := cookiesOf(r)["refresh_token"]; c.Path != "/api/token/refresh/" {
			t.Errorf("clearing cookie path %q", c.Path)
		}
		r = a.request(t, "POST", "/api/token/refresh/", "", jar{"r": j["refresh_token"], "c": j["csrftoken"]}, "X-CSRFToken", j["csrftoken"].Value)
		if r.status != 401 {
			t.Errorf("the session's refresh token after logout: %d %s", r.status, r.body)
		}
	})
	t.Run("after the access cookie expired", func(t *testing.T) {
		a := newCookieApp(t, mustMode(t))
		j := a.login(t)
		a.clock.Add(10 * time.Minute) // the browser has dropped the access cookie
		r := a.request(t, "POST", "/api/token/blacklist/", "", jar{"r": j["refresh_token"], "c": j["csrftoken"]}, "X-CSRFToken", j["csrftoken"].Value)
		if r.status != 200 {
			t.Fatalf("logout: %d %s", r.status, r.body)
		}
		r = a.request(t, "POST", "/api/token/refresh/", `{"refresh":"`+j["refresh_token"].Value+`"}`, nil)
		if r.status != 401 {
			t.Errorf("the session outlived logout: %d %s", r.status, r.body)
		}
	})
	t.Run("body token leaves the cookies", func(t *testing.T) {
		a := newCookieApp(t, mustMode(t))
		mine, other := a.login(t), a.login(t)
		r := a.request(t, "POST", "/api/token/blacklist/", `{"refresh":"`+other["refresh_token"].Value+`"}`, mine)
		if r.status != 200 || len(cookiesOf(r)) != 0 {
			t.Fatalf("logout by body: %d %s %v", r.status, r.body, cookiesOf(r))
		}
		if r := a.request(t, "GET", "/hello/", "", jar{"a": mine["access_token"]}); r.status != 200 {
			t.Errorf("logging out another session ended this one: %d", r.status)
		}
	})
	t.Run("needs CSRF", func(t *testing.T) {
		a := newCookieApp(t, mustMode(t))
		j := a.login(t)
		r := a.request(t, "POST", "/api/token/blacklist/", "", jar{"a": j["access_token"], "c": j["csrftoken"]})
		if r.status != 403 || len(cookiesOf(r)) != 0 {
			t.Fatalf("logout without the CSRF header: %d %s %v", r.status, r.body, cookiesOf(r))
		}
		if r := a.request(t, "GET", "/hello/", "", jar{"a": j["access_token"]}); r.status != 200 {
			t.Errorf("a refused logout ended the session: %d", r.status)
		}
	})
	t.Run("nothing to revoke", func(t *testing.T) {
		a := newCookieApp(t, mustMode(t))
		r := a.request(t, "POST", "/api/token/blacklist/", "", nil)
		if r.status != 200 || r.body != `{}` {
			t.Fatalf("logout without tokens: %d %s", r.status, r.body)
		}
		cleared(t, r, "access_token", "refresh_token", "csrftoken")
	})
	t.Run("expired token still clears", func(t *testing.T) {
		a := newCookieApp(t, mustMode(t))
		j := a.login(t)
		a.clock.Add(10 * time.Minute)
		r := a.request(t, "POST", "/api/token/blacklist/", "", jar{"a": j["access_token"], "c": j["csrftoken"]}, "X-CSRFToken", j["csrftoken"].Value)
		if r.status != 401 {
			t.Errorf("logout with an expired access cookie: %d %s", r.status, r.body)
		}
		cleared(t, r, "access_token", "refresh_token", "csrftoken")
	})
}

func TestCookieGuardCSRF(t *testing.T) {
	a := newCookieApp(t, mustMode(t))
	j := a.login(t)
	cookies := jar{"a": j["access_token"], "c": j["csrftoken"]}
	csrf := j["csrftoken"].Value
	host := strings.TrimPrefix(a.srv.URL, "http://")
	cases := []struct {
		name    string
		method  string
		cookies jar
		header  []string
		status  int
		body    string
	}{
		{"GET by cookie needs no token", "GET", cookies, nil, 200, "hello 1"},
		{"POST with the token", "POST", cookies, []string{"X-CSRFToken", csrf, "Sec-Fetch-Site", "same-origin"}, 200, "hello 1"},
		{"POST with the token, old browser, same Origin", "POST", cookies, []string{"X-CSRFToken", csrf, "Origin", "http://" + host}, 200, "hello 1"},
		{"cross-site POST without the token", "POST", cookies, []string{"Sec-Fetch-Site", "cross-site"}, 403, "Origin checking failed - the request is cross-origin."},
		{"same-site POST with the token", "POST", cookies, []string{"X-CSRFToken", csrf, "Sec-Fetch-Site", "same-site"}, 403, "Origin checking failed - the request is cross-origin."},
		{"forged Origin", "POST", cookies, []string{"X-CSRFToken", csrf, "Origin", "https://evil.example"}, 403, "Origin checking failed - the request is cross-origin."},
		{"POST without the token", "POST", cookies, nil, 403, "CSRF token missing."},
		{"DELETE without the token", "DELETE", cookies, nil, 403, "CSRF token missing."},
		{"PUT with a wrong token", "PUT", cookies, []string{"X-CSRFToken", csrf + "x"}, 403, "CSRF token incorrect."},
		{"PATCH with two tokens", "PATCH", cookies, []string{"X-CSRFToken", csrf, "X-CSRFToken", csrf}, 403, "CSRF token incorrect."},
		{"POST without the CSRF cookie", "POST", jar{"a": j["access_token"]}, []string{"X-CSRFToken", csrf}, 403, "CSRF cookie not set."},
		{"short token", "POST", jar{"a": j["access_token"]}, []string{"Cookie", "csrftoken=abc", "X-CSRFToken", "abc"}, 403, "CSRF token incorrect."},
		{"tossed second CSRF cookie", "POST", cookies, []string{"Cookie", "csrftoken=" + strings.Repeat("z", 43), "X-CSRFToken", csrf}, 403, "CSRF token incorrect."},
		{"header auth is unaffected", "POST", nil, []string{"Authorization", "Bearer " + j["access_token"].Value, "Sec-Fetch-Site", "cross-site"}, 200, "hello 1"},
		{"header wins over the cookie", "POST", cookies, []string{"Authorization", "Bearer " + j["access_token"].Value}, 200, "hello 1"},
		{"anonymous POST", "POST", nil, []string{"Sec-Fetch-Site", "cross-site"}, 401, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := a.posts
			r := a.request(t, c.method, "/tasks/", "", c.cookies, c.header...)
			want := c.body
			if c.status == 403 {
				want = `{"detail":"CSRF Failed: ` + c.body + `","code":"csrf_failed"}`
			}
			if r.status != c.status || (want != "" && r.body != want) {
				t.Fatalf("%d %s, want %d %s", r.status, r.body, c.status, want)
			}
			if c.status == 403 && (a.posts != before || r.header.Get("Www-Authenticate") != "") {
				t.Errorf("a refused request reached the handler or got a challenge")
			}
		})
	}
}

// A CSRF failure is never a silent anonymous request, even when bad
// credentials are otherwise treated as none.
func TestCookieCSRFNotOptional(t *testing.T) {
	var seen error
	a := newCookieApp(t, mustMode(t), jwtguard.WithCredentialsOptional(),
		jwtguard.WithErrorHandler(func(w http.ResponseWriter, r *http.Request, err error) {
			seen = err
			w.WriteHeader(jwtguard.StatusCode(err))
		}))
	j := a.login(t)
	r := a.request(t, "POST", "/tasks/", "", jar{"a": j["access_token"], "c": j["csrftoken"]})
	if r.status != 403 || !errors.Is(seen, jwtguard.ErrCSRF) || errors.Is(seen, jwtguard.ErrInvalidToken) {
		t.Fatalf("%d, error %v; want 403 and ErrCSRF", r.status, seen)
	}
	if jwtguard.Challenge(seen, "api") != "" {
		t.Errorf("a CSRF refusal has a challenge")
	}
}

// An extractor of the application's own that says it reads a cookie
// (Own) gets the CSRF check too, alone or inside FirstOf.
func TestCustomCookieExtractorChecksCSRF(t *testing.T) {
	v := verifierFor(t)
	tok := signRaw(t, "HS256", `{"alg":"HS256"}`, `{"jti":"j","token_type":"access","exp":`+strconv.FormatInt(future, 10)+`}`)
	byHand := jwtguard.ExtractorFunc(func(r *http.Request) (string, error) {
		if c, err := r.Cookie("jwt"); err == nil {
			return c.Value, nil
		}
		return "", nil
	})
	for name, e := range map[string]jwtguard.Extractor{
		"wrapped FromCookie": jwtguard.Own(jwtguard.ExtractorFunc(jwtguard.FromCookie("jwt").Extract), jwtguard.SourceCookie),
		"in FirstOf":         jwtguard.FirstOf(jwtguard.FromAuthorization(), jwtguard.Own(byHand, jwtguard.SourceCookie)),
		"by hand":            jwtguard.Own(byHand, jwtguard.SourceCookie),
	} {
		g, err := jwtguard.NewGuard(v, jwtguard.WithExtractor(e))
		must(t, err)
		h := g.Require(jwtguard.IsAuthenticated())(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
		for method, want := range map[string]int{"GET": 200, "POST": 403} {
			req := httptest.NewRequest(method, "/", nil)
			req.Header.Set("Sec-Fetch-Site", "cross-site")
			req.AddCookie(&http.Cookie{Name: "jwt", Value: tok})
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			if w.Code != want {
				t.Errorf("%s, %s: %d, want %d", name, method, w.Code, want)
			}
		}
	}
}

// FromCookie on its own, without a cookie mode, still gets a CSRF check.
func TestFromCookieAloneChecksCSRF(t *testing.T) {
	v := verifierFor(t)
	g, err := jwtguard.NewGuard(v, jwtguard.WithExtractor(jwtguard.FirstOf(jwtguard.FromHeader("X-Token"), jwtguard.FromCookie("jwt"))))
	must(t, err)
	h := g.Require(jwtguard.IsAuthenticated())(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	tok := signRaw(t, "HS256", `{"alg":"HS256"}`, `{"jti":"j","token_type":"access","exp":`+strconv.FormatInt(future, 10)+`}`)
	for _, c := range []struct {
		method, header, cookie string
		status                 int
	}{
		{"GET", "", tok, 200},
		{"POST", "", tok, 403},
		{"POST", tok, "", 200},
	} {
		req := httptest.NewRequest(c.method, "/", nil)
		if c.header != "" {
			req.Header.Set("X-Token", c.header)
		}
		if c.cookie != "" {
			req.AddCookie(&http.Cookie{Name: "jwt", Value: c.cookie})
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != c.status {
			t.Errorf("%s header=%t cookie=%t: %d, want %d", c.method, c.header != "", c.cookie != "", w.Code, c.status)
		}
	}
}

func TestCookieSignInOriginCheck(t *testing.T) {
	a := newCookieApp(t, mustMode(t))
	r := a.request(t, "POST", "/api/token/", `{"username":"vitor","password":"123"}`, nil, "Sec-Fetch-Site", "cross-site")
	if r.status != 403 || len(cookiesOf(r)) != 0 || !strings.Contains(r.body, "csrf_failed") {
		t.Fatalf("cross-site sign-in: %d %s %v", r.status, r.body, cookiesOf(r))
	}
	// Non-browser clients send neither header and pass.
	if r := a.request(t, "POST", "/api/token/", `{"username":"vitor","password":"123"}`, nil); r.status != 200 {
		t.Errorf("sign-in without browser headers: %d", r.status)
	}
}

func TestCookieTrustedOrigin(t *testing.T) {
	csrf, err := jwtguard.NewCSRF(jwtguard.WithTrustedOrigins("https://app.example.com"))
	must(t, err)
	a := newCookieApp(t, mustMode(t, jwtguard.WithCookieCSRF(csrf)))
	j := a.login(t)
	cookies := jar{"a": j["access_token"], "c": j["csrftoken"]}
	r := a.request(t, "POST", "/tasks/", "", cookies, "Sec-Fetch-Site", "cross-site", "Origin", "https://app.example.com", "X-CSRFToken", j["csrftoken"].Value)
	if r.status != 200 {
		t.Errorf("trusted origin: %d %s", r.status, r.body)
	}
	r = a.request(t, "POST", "/tasks/", "", cookies, "Sec-Fetch-Site", "cross-site", "Origin", "https://app.example.com")
	if r.status != 403 {
		t.Errorf("trusted origin without the token: %d", r.status)
	}
}

func TestCookieWithoutCSRFToken(t *testing.T) {
	csrf, err := jwtguard.NewCSRF(jwtguard.WithoutCSRFToken())
	must(t, err)
	a := newCookieApp(t, mustMode(t, jwtguard.WithCookieCSRF(csrf), jwtguard.WithSameSite(http.SameSiteStrictMode)))
	j := a.login(t)
	if _, ok := j["csrftoken"]; ok {
		t.Errorf("a CSRF cookie was set without the token check")
	}
	cookies := jar{"a": j["access_token"]}
	if r := a.request(t, "POST", "/tasks/", "", cookies, "Sec-Fetch-Site", "same-origin"); r.status != 200 {
		t.Errorf("same-origin POST: %d", r.status)
	}
	if r := a.request(t, "POST", "/tasks/", "", cookies, "Sec-Fetch-Site", "cross-site"); r.status != 403 {
		t.Errorf("cross-site POST: %d", r.status)
	}
}

func TestCookieModeOptions(t *testing.T) {
	hostCSRF, err := jwtguard.NewCSRF(jwtguard.WithCSRFNames("__Host-csrf", "X-CSRF"))
	must(t, err)
	if _, err := jwtguard.NewCookieMode(jwtguard.WithCookieNames("__Host-a", "__Secure-r"), jwtguard.WithCookieCSRF(hostCSRF)); err != nil {
		t.Errorf("__Host- and __Secure- names with their attributes: %v", err)
	}
	for _, c := range []struct {
		name string
		opts []jwtguard.CookieOption
	}{
		{"SameSite None without Secure", []jwtguard.CookieOption{jwtguard.WithSameSite(http.SameSiteNoneMode), jwtguard.WithInsecureCookies()}},
		{"SameSite default", []jwtguard.CookieOption{jwtguard.WithSameSite(http.SameSiteDefaultMode)}},
		{"bad name", []jwtguard.CookieOption{jwtguard.WithCookieNames("a b", "r")}},
		{"empty name", []jwtguard.CookieOption{jwtguard.WithCookieNames("", "r")}},
		{"same names", []jwtguard.CookieOption{jwtguard.WithCookieNames("t", "t")}},
		{"name of the CSRF cookie", []jwtguard.CookieOption{jwtguard.WithCookieNames("csrftoken", "r")}},
		{"relative path", []jwtguard.CookieOption{jwtguard.WithCookiePaths("api", "/")}},
		{"path with ;", []jwtguard.CookieOption{jwtguard.WithCookiePaths("/", "/a;b")}},
		{"bad domain", []jwtguard.CookieOption{jwtguard.WithCookieDomain("exa mple.com")}},
		{"empty domain", []jwtguard.CookieOption{jwtguard.WithCookieDomain("")}},
		{"nil CSRF", []jwtguard.CookieOption{jwtguard.WithCookieCSRF(nil)}},
		{"__Host- with the default refresh path", []jwtguard.CookieOption{jwtguard.WithCookieNames("__Host-a", "__Host-r")}},
		{"__Host- without Secure", []jwtguard.CookieOption{jwtguard.WithCookieNames("__Host-a", "r"), jwtguard.WithInsecureCookies()}},
		{"__Host- with a Domain", []jwtguard.CookieOption{jwtguard.WithCookieNames("__Host-a", "r"), jwtguard.WithCookieDomain("example.com")}},
		{"__Secure- without Secure", []jwtguard.CookieOption{jwtguard.WithCookieNames("a", "__Secure-r"), jwtguard.WithInsecureCookies()}},
		{"__Host- CSRF cookie with a Domain", []jwtguard.CookieOption{jwtguard.WithCookieCSRF(hostCSRF), jwtguard.WithCookieDomain("example.com")}},
	} {
		if _, err := jwtguard.NewCookieMode(c.opts...); err == nil {
			t.Errorf("%s: no error", c.name)
		}
	}
	if _, err := jwtguard.NewCookieMode(jwtguard.WithCookieNames("a", "b"), jwtguard.WithCookiePaths("x", "/"), jwtguard.WithCookieDomain("-")); err == nil ||
		strings.Count(err.Error(), "\n") < 1 {
		t.Errorf("errors not reported together: %v", err)
	}
	for _, opts := range [][]jwtguard.CSRFOption{
		{jwtguard.WithCSRFNames("", "X-CSRFToken")},
		{jwtguard.WithCSRFNames("csrftoken", "X CSRF")},
		{jwtguard.WithTrustedOrigins("app.example.com")},
		{jwtguard.WithTrustedOrigins("https://app.example.com/path")},
	} {
		if _, err := jwtguard.NewCSRF(opts...); err == nil {
			t.Errorf("NewCSRF %d options: no error", len(opts))
		}
	}
	if _, err := jwtguard.NewGuard(verifierFor(t), jwtguard.WithCookies(nil), jwtguard.WithCSRF(nil)); err == nil || strings.Count(err.Error(), "\n") < 1 {
		t.Errorf("nil cookie mode and CSRF: %v", err)
	}
	if _, err := jwtguard.NewEndpoints(nil, testUsers, jwtguard.WithEndpointCookies(nil)); err == nil {
		t.Errorf("nil cookie mode for the endpoints: no error")
	}
}

// Two access cookies (one planted from a sibling domain, say) are refused
// with a message that says so, not the Authorization header's.
func TestCookieDuplicateSaysWhat(t *testing.T) {
	a := newCookieApp(t, mustMode(t))
	cookies := a.login(t)
	r := a.request(t, "GET", "/hello/", "", nil, "Cookie", "access_token="+cookies["access_token"].Value+"; access_token=planted")
	if r.status != 401 || r.body != `{"detail":"Request must carry one token cookie, not two of the same name","code":"bad_cookie"}` {
		t.Errorf("two access cookies: %d %s", r.status, r.body)
	}
	if got := r.header.Get("Www-Authenticate"); got != `Bearer realm="api", error="invalid_request", error_description="Two token cookies of the same name"` {
		t.Errorf("challenge %q", got)
	}
}
