package jwtguardecho_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/labstack/echo/v4"

	"github.com/jwtguard/jwtguard"
	jwtguardecho "github.com/jwtguard/jwtguard/adapters/echo"
	"github.com/jwtguard/jwtguard/jwtguardtest"
)

// TestSpec runs jwtguard's shared spec through echo, with Authenticate on
// the server and Require on each route: the same statuses, challenges and
// bodies as net/http.
func TestSpec(t *testing.T) {
	jwtguardtest.RunSpec(t, func(s *jwtguardtest.SpecServer) http.Handler {
		e := echo.New()
		e.Use(jwtguardecho.Authenticate(s.Guard))
		for _, rt := range s.Routes {
			e.Any(rt.Path, echo.WrapHandler(s.Handler), jwtguardecho.Require(s.Guard, rt.Policy))
		}
		return e
	})
}

// TestSpecRequireOnly runs the spec with Require alone on each route, so it
// authenticates the request itself.
func TestSpecRequireOnly(t *testing.T) {
	jwtguardtest.RunSpec(t, func(s *jwtguardtest.SpecServer) http.Handler {
		e := echo.New()
		for _, rt := range s.Routes {
			e.Any(rt.Path, echo.WrapHandler(s.Handler), jwtguardecho.Require(s.Guard, rt.Policy))
		}
		return e
	})
}

// TestSpecGroups runs the spec with Authenticate and Require on groups,
// echo's usual way to share middleware.
func TestSpecGroups(t *testing.T) {
	jwtguardtest.RunSpec(t, func(s *jwtguardtest.SpecServer) http.Handler {
		e := echo.New()
		api := e.Group("", jwtguardecho.Authenticate(s.Guard))
		for _, rt := range s.Routes {
			api.Group(rt.Path, jwtguardecho.Require(s.Guard, rt.Policy)).Any("", echo.WrapHandler(s.Handler))
		}
		return e
	})
}

var secret = []byte("jwtguardecho-test-secret-0123456789")

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

// TestToken checks the echo accessor: the token Authenticate verified, the
// same one jwtguard.FromContext finds on the request's context, and
// nothing for an anonymous request or a context without a request.
func TestToken(t *testing.T) {
	g, _ := newGuard(t)
	e := echo.New()
	e.Use(jwtguardecho.Authenticate(g))
	e.GET("/me", func(c echo.Context) error {
		tok, ok := jwtguardecho.Token(c)
		if !ok {
			return c.String(http.StatusOK, "anonymous")
		}
		if fromCtx, _ := jwtguard.FromContext(c.Request().Context()); fromCtx != tok {
			t.Errorf("FromContext = %p, Token = %p", fromCtx, tok)
		}
		return c.String(http.StatusOK, tok.Subject())
	})
	if code, body := do(t, e, "GET", "/me", mint(t, "alice")); code != 200 || body != "alice" {
		t.Errorf("with token: %d %q", code, body)
	}
	if code, body := do(t, e, "GET", "/me", ""); code != 200 || body != "anonymous" {
		t.Errorf("anonymous: %d %q", code, body)
	}
	if tok, ok := jwtguardecho.Token(e.NewContext(nil, nil)); ok || tok != nil {
		t.Errorf("Token without a request = %v, %v", tok, ok)
	}
	if tok, ok := jwtguardecho.Token(nil); ok || tok != nil {
		t.Errorf("Token(nil) = %v, %v", tok, ok)
	}
}

// TestRequireReusesToken checks that Require after Authenticate takes the
// token from the request's context instead of verifying it again: one
// verification per request, and a second Guard downstream never verifies
// the token the first one did.
func TestRequireReusesToken(t *testing.T) {
	g, verified := newGuard(t)
	other, otherVerified := newGuard(t)
	e := echo.New()
	e.Use(jwtguardecho.Authenticate(g))
	hello := func(c echo.Context) error {
		tok, _ := jwtguardecho.Token(c)
		return c.String(http.StatusOK, "hello "+tok.Subject())
	}
	e.GET("/hello", hello, jwtguardecho.Require(g, jwtguard.IsAuthenticated()), jwtguardecho.Require(g, jwtguard.IsAuthenticated()))
	e.GET("/other", hello, jwtguardecho.Require(other, jwtguard.IsAuthenticated()))

	if code, body := do(t, e, "GET", "/hello", mint(t, "bob")); code != 200 || body != "hello bob" {
		t.Errorf("/hello: %d %q", code, body)
	}
	if n := verified.Load(); n != 1 {
		t.Errorf("verified %d times, want 1", n)
	}
	if code, body := do(t, e, "GET", "/other", mint(t, "bob")); code != 200 || body != "hello bob" {
		t.Errorf("/other: %d %q", code, body)
	}
	if n := otherVerified.Load(); n != 0 {
		t.Errorf("downstream Guard verified %d times, want 0", n)
	}
}

// TestRefusal checks that a refusal is written by the Guard's error
// handler, not echo's HTTPErrorHandler, and that the next handler does not
// run.
func TestRefusal(t *testing.T) {
	g, _ := newGuard(t, jwtguard.WithErrorHandler(func(w http.ResponseWriter, _ *http.Request, err error) {
		w.WriteHeader(jwtguard.StatusCode(err))
		io.WriteString(w, "custom")
	}))
	var reached, echoErr bool
	e := echo.New()
	e.HTTPErrorHandler = func(error, echo.Context) { echoErr = true }
	e.Use(jwtguardecho.Authenticate(g))
	e.GET("/private", func(echo.Context) error { reached = true; return nil }, jwtguardecho.Require(g, jwtguard.IsAuthenticated()))

	for _, c := range []struct{ name, token string }{
		{"anonymous", ""},
		{"invalid token", mint(t, "eve") + "x"},
	} {
		reached, echoErr = false, false
		code, body := do(t, e, "GET", "/private", c.token)
		if code != 401 || body != "custom" || reached || echoErr {
			t.Errorf("%s: %d %q, handler reached %v, echo error handler called %v", c.name, code, body, reached, echoErr)
		}
	}
}

// TestHandlerError checks that an error from the handler after the
// middleware reaches echo as it would without it.
func TestHandlerError(t *testing.T) {
	g, _ := newGuard(t)
	boom := errors.New("boom")
	var got error
	e := echo.New()
	e.HTTPErrorHandler = func(err error, c echo.Context) {
		got = err
		c.NoContent(http.StatusTeapot)
	}
	e.Use(jwtguardecho.Authenticate(g))
	e.GET("/x", func(echo.Context) error { return boom }, jwtguardecho.Require(g, jwtguard.AllowAny()))
	if code, _ := do(t, e, "GET", "/x", mint(t, "a")); code != http.StatusTeapot || !errors.Is(got, boom) {
		t.Errorf("handler error: %d, echo saw %v", code, got)
	}
}

// TestSkipAndPreflight checks that the Guard's skip rules hold under echo:
// a skipped path and a CORS preflight pass without credentials.
func TestSkipAndPreflight(t *testing.T) {
	g, _ := newGuard(t, jwtguard.WithSkipPaths("/healthz"), jwtguard.WithPreflight())
	e := echo.New()
	e.Use(jwtguardecho.Authenticate(g))
	ok := func(c echo.Context) error { return c.String(http.StatusOK, "ok") }
	e.GET("/healthz", ok, jwtguardecho.Require(g, jwtguard.IsAuthenticated()))
	e.OPTIONS("/items", ok, jwtguardecho.Require(g, jwtguard.IsAuthenticated()))

	if code, body := do(t, e, "GET", "/healthz", "garbage"); code != 200 || body != "ok" {
		t.Errorf("skipped path: %d %q", code, body)
	}
	pre := httptest.NewRequest("OPTIONS", "/items", nil)
	pre.Header.Set("Origin", "https://app.example")
	pre.Header.Set("Access-Control-Request-Method", "POST")
	w := httptest.NewRecorder()
	e.ServeHTTP(w, pre)
	if w.Code != 200 {
		t.Errorf("preflight: %d %s", w.Code, w.Body)
	}
	if code, _ := do(t, e, "OPTIONS", "/items", ""); code != 401 {
		t.Errorf("OPTIONS without preflight headers: %d, want 401", code)
	}
}

// TestNilGuard checks that a nil Guard is caught when routes are built.
func TestNilGuard(t *testing.T) {
	for name, f := range map[string]func(){
		"Authenticate": func() { jwtguardecho.Authenticate(nil) },
		"Require":      func() { jwtguardecho.Require(nil, jwtguard.AllowAny()) },
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
	e := echo.New()
	e.GET("/x", func(c echo.Context) error { return c.String(200, "reached") }, jwtguardecho.Require(g, nil))
	if code, _ := do(t, e, "GET", "/x", mint(t, "a")); code != 403 {
		t.Errorf("nil policy with token: %d, want 403", code)
	}
	if code, _ := do(t, e, "GET", "/x", ""); code != 401 {
		t.Errorf("nil policy anonymous: %d, want 401", code)
	}
}
