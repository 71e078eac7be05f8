package jwtguard_test

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/jwtguard/jwtguard"
	"github.com/jwtguard/jwtguard/jwtguardtest"
)

func serve(h http.Handler, method, auth string, mod ...func(*http.Request)) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, "/x", nil)
	if auth != "" {
		r.Header.Set("Authorization", auth)
	}
	for _, m := range mod {
		m(r)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

var reached = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	sub := ""
	t, ok := jwtguard.FromRequest(r)
	if ok {
		sub = t.Subject()
	}
	fmt.Fprintf(w, "ok %v %s", ok, sub)
})

func bearerFor(t *testing.T, claims string) string {
	return "Bearer " + signRaw(t, "HS256", `{"alg":"HS256"}`, claims)
}

func TestGuardOptions(t *testing.T) {
	good := bearerFor(t, fmt.Sprintf(`{"token_type":"access","jti":"j","exp":%d,"sub":"alice"}`, future))
	bad := bearerFor(t, fmt.Sprintf(`{"token_type":"access","jti":"j","exp":%d,"sub":"alice"}`, past))

	t.Run("skip paths", func(t *testing.T) {
		g := must1(jwtguard.NewGuard(verifierFor(t), jwtguard.WithSkipPaths("/x")))
		if w := serve(g.Require(jwtguard.IsAuthenticated())(reached), "GET", bad); w.Code != 200 {
			t.Errorf("skipped path: %d", w.Code)
		}
	})
	t.Run("preflight", func(t *testing.T) {
		g := must1(jwtguard.NewGuard(verifierFor(t), jwtguard.WithPreflight()))
		h := g.Require(jwtguard.IsAuthenticated())(reached)
		pre := func(r *http.Request) {
			r.Header.Set("Origin", "https://app.example")
			r.Header.Set("Access-Control-Request-Method", "POST")
		}
		if w := serve(h, "OPTIONS", "", pre); w.Code != 200 {
			t.Errorf("preflight: %d", w.Code)
		}
		if w := serve(h, "OPTIONS", ""); w.Code != 401 {
			t.Errorf("plain OPTIONS: %d", w.Code)
		}
		g2 := must1(jwtguard.NewGuard(verifierFor(t)))
		if w := serve(g2.Require(jwtguard.IsAuthenticated())(reached), "OPTIONS", "", pre); w.Code != 401 {
			t.Errorf("preflight without the option: %d", w.Code)
		}
	})
	t.Run("credentials optional", func(t *testing.T) {
		g := must1(jwtguard.NewGuard(verifierFor(t), jwtguard.WithCredentialsOptional()))
		if w := serve(g.Require(jwtguard.AllowAny())(reached), "GET", bad); w.Code != 200 || w.Body.String() != "ok false " {
			t.Errorf("invalid token on a public route: %d %s", w.Code, w.Body)
		}
		if w := serve(g.Require(jwtguard.IsAuthenticated())(reached), "GET", bad); w.Code != 401 {
			t.Errorf("invalid token on a private route: %d", w.Code)
		}
		if w := serve(g.Handler(reached), "GET", "Bearer"); w.Code != 200 {
			t.Errorf("malformed credentials: %d", w.Code)
		}
	})
	t.Run("handler", func(t *testing.T) {
		g := must1(jwtguard.NewGuard(verifierFor(t)))
		if w := serve(g.Handler(reached), "GET", good); w.Body.String() != "ok true alice" {
			t.Errorf("valid: %s", w.Body)
		}
		if w := serve(g.Handler(reached), "GET", ""); w.Body.String() != "ok false " {
			t.Errorf("anonymous: %s", w.Body)
		}
		if w := serve(g.Handler(reached), "GET", bad); w.Code != 401 {
			t.Errorf("invalid: %d", w.Code)
		}
	})
	t.Run("error handler", func(t *testing.T) {
		var got error
		g := must1(jwtguard.NewGuard(verifierFor(t), jwtguard.WithRealm("shop"), jwtguard.WithErrorHandler(func(w http.ResponseWriter, r *http.Request, err error) {
			got = err
			w.Header().Set("WWW-Authenticate", jwtguard.Challenge(err, "shop"))
			w.WriteHeader(jwtguard.StatusCode(err))
		})))
		w := serve(g.Require(jwtguard.IsAuthenticated())(reached), "GET", bad)
		if w.Code != 401 || !errors.Is(got, jwtguard.ErrTokenExpired) || !strings.HasPrefix(w.Header().Get("WWW-Authenticate"), `Bearer realm="shop", error="invalid_token"`) {
			t.Errorf("%d %v %q", w.Code, got, w.Header().Get("WWW-Authenticate"))
		}
	})
	t.Run("logger redacts", func(t *testing.T) {
		var buf bytes.Buffer
		g := must1(jwtguard.NewGuard(verifierFor(t), jwtguard.WithLogger(slog.New(slog.NewTextHandler(&buf, nil)))))
		serve(g.Require(jwtguard.IsAuthenticated())(reached), "GET", bad)
		tok := strings.TrimPrefix(bad, "Bearer ")
		if !strings.Contains(buf.String(), "token is expired") {
			t.Errorf("cause not logged: %s", buf.String())
		}
		if strings.Contains(buf.String(), tok) || strings.Contains(buf.String(), tok[:20]) {
			t.Errorf("token logged: %s", buf.String())
		}
		buf.Reset()
		slog.New(slog.NewTextHandler(&buf, nil)).Info("t", "token", jwtguardtest.Token(t, nil).Raw)
		if !strings.Contains(buf.String(), "[REDACTED]") {
			t.Errorf("RawToken not redacted: %s", buf.String())
		}
	})
	t.Run("nil policy fails closed", func(t *testing.T) {
		g := must1(jwtguard.NewGuard(verifierFor(t)))
		if w := serve(g.Require(nil)(reached), "GET", good); w.Code != 403 {
			t.Errorf("nil policy: %d", w.Code)
		}
	})
	// The Guard looks for blanks in a built-in extractor's token only once
	// it failed to verify: the answer must be the malformed one wherever the
	// token came from, with the blank-free token in the cache, and before
	// the CSRF check. An extractor of the application's own is taken at its
	// word: its token is invalid, not malformed, as it always was.
	t.Run("a token with a blank is malformed", func(t *testing.T) {
		tok := strings.TrimPrefix(good, "Bearer ")
		for _, c := range []struct {
			name string
			ex   jwtguard.Extractor
			mod  func(*http.Request)
		}{
			{"header", jwtguard.FromAuthorization(), func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+tok+" x") }},
			{"header, tab", jwtguard.FromAuthorization(), func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+tok+"\tx") }},
			{"named header", jwtguard.FromHeader("X-Token"), func(r *http.Request) { r.Header.Set("X-Token", tok+" x") }},
			{"cookie", jwtguard.FromCookie("jwt"), func(r *http.Request) { r.Header.Set("Cookie", "jwt="+tok+" x") }},
			{"query", jwtguard.FromQuery("t"), func(r *http.Request) { r.URL.RawQuery = "t=" + tok + "+x" }},
			{"first of", jwtguard.FirstOf(jwtguard.FromCookie("jwt"), jwtguard.FromAuthorization()), func(r *http.Request) {
				r.Header.Set("Cookie", "jwt="+tok+" x")
				r.Header.Set("Authorization", good)
			}},
			{"own extractor", jwtguard.Own(jwtguard.ExtractorFunc(func(*http.Request) (string, error) { return tok + " x", nil }), jwtguard.SourceHeader), func(*http.Request) {}},
		} {
			t.Run(c.name, func(t *testing.T) {
				g := must1(jwtguard.NewGuard(verifierFor(t), jwtguard.WithExtractor(jwtguard.FirstOf(jwtguard.FromHeader("X-Warm"), c.ex))))
				h := g.Require(jwtguard.IsAuthenticated())(reached)
				if w := serve(h, "GET", "", func(r *http.Request) { r.Header.Set("X-Warm", tok) }); w.Code != 200 {
					t.Fatalf("warming the cache: %d", w.Code)
				}
				want := "bad_authorization_header"
				if c.name == "own extractor" {
					want = "token_not_valid"
				}
				for _, method := range []string{"GET", "POST"} {
					if w := serve(h, method, "", c.mod); w.Code != 401 || !strings.Contains(w.Body.String(), want) {
						t.Errorf("%s: %d %s", method, w.Code, w.Body)
					}
				}
				opt := must1(jwtguard.NewGuard(verifierFor(t), jwtguard.WithCredentialsOptional(), jwtguard.WithExtractor(c.ex)))
				if w := serve(opt.Handler(reached), "POST", "", c.mod); c.name != "own extractor" && w.Code != 200 {
					t.Errorf("optional credentials, POST: %d %s", w.Code, w.Body)
				}
				if c.name == "own extractor" {
					return // its Extract is its own
				}
				r := httptest.NewRequest("GET", "/x", nil)
				c.mod(r)
				if got, err := c.ex.Extract(r); got != "" || !errors.Is(err, jwtguard.ErrMalformedCredentials) {
					t.Errorf("Extract = %q, %v", got, err)
				}
			})
		}
	})
	t.Run("extractor error is malformed", func(t *testing.T) {
		g := must1(jwtguard.NewGuard(verifierFor(t), jwtguard.WithExtractor(jwtguard.Own(jwtguard.ExtractorFunc(func(*http.Request) (string, error) {
			return "", errors.New("secret internal detail")
		}), jwtguard.SourceHeader))))
		w := serve(g.Require(jwtguard.AllowAny())(reached), "GET", "")
		if w.Code != 401 || strings.Contains(w.Body.String(), "secret") {
			t.Errorf("%d %s", w.Code, w.Body)
		}
	})
}

func TestPolicies(t *testing.T) {
	tok := func(claims map[string]any) *jwtguard.Token { return jwtguardtest.Token(t, claims) }
	get := httptest.NewRequest("GET", "/", nil)
	post := httptest.NewRequest("POST", "/", nil)
	alice := tok(map[string]any{"sub": "alice", "scope": "read write", "is_staff": false, "roles": []string{"editor"},
		"tenant": "acme", "level": 3, "groups": []any{"a", 2.0}, "realm_access": map[string]any{"roles": []string{"ops"}}, "admin": true})
	for _, c := range []struct {
		name string
		p    jwtguard.Policy
		r    *http.Request
		t    *jwtguard.Token
		want error
	}{
		{"AllowAny anonymous", jwtguard.AllowAny(), post, nil, nil},
		{"IsAuthenticated anonymous", jwtguard.IsAuthenticated(), get, nil, jwtguard.ErrForbidden},
		{"IsAuthenticated", jwtguard.IsAuthenticated(), get, alice, nil},
		{"ReadOnly GET", jwtguard.IsAuthenticatedOrReadOnly(), get, nil, nil},
		{"ReadOnly POST", jwtguard.IsAuthenticatedOrReadOnly(), post, nil, jwtguard.ErrForbidden},
		{"IsAdmin false", jwtguard.IsAdmin(), get, alice, jwtguard.ErrForbidden},
		{"AdminClaim", jwtguard.AdminClaim("admin"), get, alice, nil},
		{"HasScope all", jwtguard.HasScope("read", "write"), get, alice, nil},
		{"HasScope missing", jwtguard.HasScope("read", "delete"), get, alice, jwtguard.ErrInsufficientScope},
		{"HasAnyScope", jwtguard.HasAnyScope("delete", "write"), get, alice, nil},
		{"HasAnyScope none", jwtguard.HasAnyScope("delete"), get, alice, jwtguard.ErrInsufficientScope},
		{"HasClaim string", jwtguard.HasClaim("tenant", "other", "acme"), get, alice, nil},
		{"HasClaim int", jwtguard.HasClaim("level", 3), get, alice, nil},
		{"HasClaim wrong", jwtguard.HasClaim("tenant", "other"), get, alice, jwtguard.ErrForbidden},
		{"HasClaim array element", jwtguard.HasClaim("groups", 2), get, alice, nil},
		{"HasClaim object never equal", jwtguard.HasClaim("realm_access", "x"), get, alice, jwtguard.ErrForbidden},
		{"HasClaim absent", jwtguard.HasClaim("nope", "x"), get, alice, jwtguard.ErrForbidden},
		{"HasRole", jwtguard.HasRole("admin", "editor"), get, alice, nil},
		{"HasRole missing", jwtguard.HasRole("admin"), get, alice, jwtguard.ErrForbidden},
		{"HasRoleIn nested", jwtguard.HasRoleIn("realm_access.roles", "ops"), get, alice, nil},
		{"HasRoleIn nested missing", jwtguard.HasRoleIn("realm_access.nope", "ops"), get, alice, jwtguard.ErrForbidden},
		{"All", jwtguard.All(jwtguard.IsAuthenticated(), jwtguard.HasScope("read")), get, alice, nil},
		{"All one denies", jwtguard.All(jwtguard.IsAuthenticated(), jwtguard.HasScope("x")), get, alice, jwtguard.ErrInsufficientScope},
		{"Any", jwtguard.Any(jwtguard.IsAdmin(), jwtguard.HasRole("editor")), get, alice, nil},
		{"Any none", jwtguard.Any(jwtguard.IsAdmin(), jwtguard.HasRole("x")), get, alice, jwtguard.ErrForbidden},
		{"Any empty", jwtguard.Any(), get, alice, jwtguard.ErrForbidden},
		{"Not", jwtguard.Not(jwtguard.IsAuthenticated()), get, nil, nil},
		{"Not denies", jwtguard.Not(jwtguard.IsAuthenticated()), get, alice, jwtguard.ErrForbidden},
		{"Allow predicate", jwtguard.Allow(func(r *http.Request, t *jwtguard.Token) bool { return r.Method == "POST" }), post, nil, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := c.p.Check(c.r, c.t)
			if (c.want == nil) != (err == nil) || (c.want != nil && !errors.Is(err, c.want)) {
				t.Errorf("Check = %v, want %v", err, c.want)
			}
		})
	}
}

func TestContextHelper(t *testing.T) {
	tok := jwtguardtest.Token(t, map[string]any{"sub": "bob"})
	r := jwtguardtest.WithToken(httptest.NewRequest("GET", "/", nil), tok)
	if got, ok := jwtguard.FromRequest(r); !ok || got.Subject() != "bob" {
		t.Errorf("FromRequest = %v, %v", got, ok)
	}
	if _, ok := jwtguard.FromRequest(httptest.NewRequest("GET", "/", nil)); ok {
		t.Error("token found in an empty context")
	}
}
