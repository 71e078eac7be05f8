package jwtguardgin_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/golang-jwt/jwt/v5"

	"github.com/jwtguard/jwtguard"
	jwtguardgin "github.com/jwtguard/jwtguard/adapters/gin"
	"github.com/jwtguard/jwtguard/jwtguardtest"
)

func TestMain(m *testing.M) {
	gin.SetMode(gin.TestMode)
	os.Exit(m.Run())
}

// specHandler answers as the spec's handler does, for a gin route.
func specHandler(s *jwtguardtest.SpecServer) gin.HandlerFunc { return gin.WrapH(s.Handler) }

// TestSpec runs jwtguard's shared spec through gin, with Authenticate on
// the engine and Require on each route: the same statuses, challenges and
// bodies as net/http.
func TestSpec(t *testing.T) {
	jwtguardtest.RunSpec(t, func(s *jwtguardtest.SpecServer) http.Handler {
		r := gin.New()
		r.Use(jwtguardgin.Authenticate(s.Guard))
		for _, rt := range s.Routes {
			r.Any(rt.Path, jwtguardgin.Require(s.Guard, rt.Policy), specHandler(s))
		}
		return r
	})
}

// TestSpecRequireOnly runs the spec with Require alone on each route, so it
// authenticates the request itself.
func TestSpecRequireOnly(t *testing.T) {
	jwtguardtest.RunSpec(t, func(s *jwtguardtest.SpecServer) http.Handler {
		r := gin.New()
		for _, rt := range s.Routes {
			r.Any(rt.Path, jwtguardgin.Require(s.Guard, rt.Policy), specHandler(s))
		}
		return r
	})
}

// TestSpecGroups runs the spec with Authenticate and Require on route
// groups, gin's usual way to share middleware.
func TestSpecGroups(t *testing.T) {
	jwtguardtest.RunSpec(t, func(s *jwtguardtest.SpecServer) http.Handler {
		r := gin.New()
		api := r.Group("", jwtguardgin.Authenticate(s.Guard))
		for _, rt := range s.Routes {
			api.Group(rt.Path, jwtguardgin.Require(s.Guard, rt.Policy)).Any("", specHandler(s))
		}
		return r
	})
}

var secret = []byte("jwtguardgin-test-secret-0123456789")

// newGuard returns a Guard that trusts secret, and a counter of the
// tokens its verifier checked.
func newGuard(t *testing.T, opts ...jwtguard.GuardOption) (*jwtguard.Guard, *atomic.Int64) {
	t.Helper()
	var verified atomic.Int64
	key, err := jwtguard.NewHMACKey("", secret, jwtguard.HS256)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := jwtguard.NewKeySet(key)
	if err != nil {
		t.Fatal(err)
	}
	v, err := jwtguard.NewVerifier(keys, jwtguard.WithValidator(func(context.Context, *jwtguard.Token) error {
		verified.Add(1)
		return nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	g, err := jwtguard.NewGuard(v, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return g, &verified
}

func mint(t *testing.T, sub string) string {
	t.Helper()
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
		"token_type": "access", "jti": sub, "sub": sub, "exp": time.Now().Add(time.Minute).Unix(),
	}).SignedString(secret)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// do sends one request to h and returns the status and body.
func do(t *testing.T, h http.Handler, method, path, token string) (int, string) {
	t.Helper()
	r := httptest.NewRequest(method, path, nil)
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	body, _ := io.ReadAll(w.Result().Body)
	return w.Code, string(body)
}

// TestToken checks the gin accessor: the token Authenticate verified, the
// same one jwtguard.FromContext finds on the request's context, and
// nothing for an anonymous request or a context without a request.
func TestToken(t *testing.T) {
	g, _ := newGuard(t)
	r := gin.New()
	r.Use(jwtguardgin.Authenticate(g))
	r.GET("/me", func(c *gin.Context) {
		tok, ok := jwtguardgin.Token(c)
		if !ok {
			c.String(http.StatusOK, "anonymous")
			return
		}
		if fromCtx, _ := jwtguard.FromContext(c.Request.Context()); fromCtx != tok {
			t.Errorf("FromContext = %p, Token = %p", fromCtx, tok)
		}
		c.String(http.StatusOK, tok.Subject())
	})
	if code, body := do(t, r, "GET", "/me", mint(t, "alice")); code != 200 || body != "alice" {
		t.Errorf("with token: %d %q", code, body)
	}
	if code, body := do(t, r, "GET", "/me", ""); code != 200 || body != "anonymous" {
		t.Errorf("anonymous: %d %q", code, body)
	}
	if tok, ok := jwtguardgin.Token(&gin.Context{}); ok || tok != nil {
		t.Errorf("Token without a request = %v, %v", tok, ok)
	}
	if tok, ok := jwtguardgin.Token(nil); ok || tok != nil {
		t.Errorf("Token(nil) = %v, %v", tok, ok)
	}
}

// TestRequireReusesToken checks that Require after Authenticate takes the
// token from the request's context instead of verifying it again: one
// verification per request, and a second Guard that trusts no key at all
// accepts the token the first one verified.
func TestRequireReusesToken(t *testing.T) {
	g, verified := newGuard(t)
	other, otherVerified := newGuard(t)
	r := gin.New()
	r.Use(jwtguardgin.Authenticate(g))
	hello := func(c *gin.Context) {
		tok, _ := jwtguardgin.Token(c)
		c.String(http.StatusOK, "hello "+tok.Subject())
	}
	r.GET("/hello", jwtguardgin.Require(g, jwtguard.IsAuthenticated()), jwtguardgin.Require(g, jwtguard.IsAuthenticated()), hello)
	r.GET("/other", jwtguardgin.Require(other, jwtguard.IsAuthenticated()), hello)

	if code, body := do(t, r, "GET", "/hello", mint(t, "bob")); code != 200 || body != "hello bob" {
		t.Errorf("/hello: %d %q", code, body)
	}
	if n := verified.Load(); n != 1 {
		t.Errorf("verified %d times, want 1", n)
	}
	if code, body := do(t, r, "GET", "/other", mint(t, "bob")); code != 200 || body != "hello bob" {
		t.Errorf("/other: %d %q", code, body)
	}
	if n := otherVerified.Load(); n != 0 {
		t.Errorf("downstream Guard verified %d times, want 0", n)
	}
}

// TestRefusalAborts checks that a refusal is written by the Guard's error
// handler and that no later gin handler runs, while the handlers before it
// see the chain aborted.
func TestRefusalAborts(t *testing.T) {
	g, _ := newGuard(t, jwtguard.WithErrorHandler(func(w http.ResponseWriter, _ *http.Request, err error) {
		w.WriteHeader(jwtguard.StatusCode(err))
		io.WriteString(w, "custom")
	}))
	var aborted, reached bool
	r := gin.New()
	r.Use(func(c *gin.Context) {
		c.Next()
		aborted = c.IsAborted()
	})
	r.Use(jwtguardgin.Authenticate(g))
	r.GET("/private", jwtguardgin.Require(g, jwtguard.IsAuthenticated()), func(c *gin.Context) { reached = true })

	for _, c := range []struct{ name, token string }{
		{"anonymous", ""},
		{"invalid token", mint(t, "eve") + "x"},
	} {
		aborted, reached = false, false
		code, body := do(t, r, "GET", "/private", c.token)
		if code != 401 || body != "custom" || !aborted || reached {
			t.Errorf("%s: %d %q, aborted %v, handler reached %v", c.name, code, body, aborted, reached)
		}
	}
}

// TestSkipAndPreflight checks that the Guard's skip rules hold under gin:
// a skipped path and a CORS preflight pass without credentials.
func TestSkipAndPreflight(t *testing.T) {
	g, _ := newGuard(t, jwtguard.WithSkipPaths("/healthz"), jwtguard.WithPreflight())
	r := gin.New()
	r.Use(jwtguardgin.Authenticate(g))
	ok := func(c *gin.Context) { c.String(http.StatusOK, "ok") }
	r.GET("/healthz", jwtguardgin.Require(g, jwtguard.IsAuthenticated()), ok)
	r.OPTIONS("/items", jwtguardgin.Require(g, jwtguard.IsAuthenticated()), ok)

	if code, body := do(t, r, "GET", "/healthz", "garbage"); code != 200 || body != "ok" {
		t.Errorf("skipped path: %d %q", code, body)
	}
	pre := httptest.NewRequest("OPTIONS", "/items", nil)
	pre.Header.Set("Origin", "https://app.example")
	pre.Header.Set("Access-Control-Request-Method", "POST")
	w := httptest.NewRecorder()
	r.ServeHTTP(w, pre)
	if w.Code != 200 {
		t.Errorf("preflight: %d %s", w.Code, w.Body)
	}
	if code, _ := do(t, r, "OPTIONS", "/items", ""); code != 401 {
		t.Errorf("OPTIONS without preflight headers: %d, want 401", code)
	}
}

// TestNilGuard checks that a nil Guard is caught when routes are built.
func TestNilGuard(t *testing.T) {
	for name, f := range map[string]func(){
		"Authenticate": func() { jwtguardgin.Authenticate(nil) },
		"Require":      func() { jwtguardgin.Require(nil, jwtguard.AllowAny()) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s(nil) did not panic", name)
				}
			}()
			f()
		}()
	}
}

// TestNilPolicy checks that Require with a nil policy refuses, as
// Guard.Require does.
func TestNilPolicy(t *testing.T) {
	g, _ := newGuard(t)
	r := gin.New()
	r.GET("/x", jwtguardgin.Require(g, nil), func(c *gin.Context) { c.String(200, "reached") })
	if code, _ := do(t, r, "GET", "/x", mint(t, "a")); code != 403 {
		t.Errorf("nil policy with token: %d, want 403", code)
	}
	if code, _ := do(t, r, "GET", "/x", ""); code != 401 {
		t.Errorf("nil policy anonymous: %d, want 401", code)
	}
}
