package jwtguardecho

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/jwtguard/jwtguard"
)

// Authenticate returns echo middleware that does what
// [jwtguard.Guard.Handler] does: a request with credentials is
// authenticated and goes on with the verified token in its context, a
// request without credentials goes on anonymous, and bad credentials are
// refused with the Guard's answer, without calling the next handler. Put
// [Require] after it, or read [Token] in a handler. It panics if g is nil,
// as http.Handle does with a nil handler.
func Authenticate(g *jwtguard.Guard) echo.MiddlewareFunc {
	mustGuard(g)
	return bridge(g.Handler)
}

// Require returns echo middleware that does what [jwtguard.Guard.Require]
// does: it enforces p, authenticating the request itself unless a Guard
// upstream (such as [Authenticate]) already put a token in its context. A
// refusal is answered as the Guard answers it and the next handler is not
// called. A nil p refuses every request. It panics if g is nil.
func Require(g *jwtguard.Guard, p jwtguard.Policy) echo.MiddlewareFunc {
	mustGuard(g)
	return bridge(g.Require(p))
}

// Token returns the verified token of c's request, as
// [jwtguard.FromRequest] does; it reports false for an anonymous request.
func Token(c echo.Context) (*jwtguard.Token, bool) {
	if c == nil {
		return nil, false
	}
	r := c.Request()
	if r == nil {
		return nil, false
	}
	return jwtguard.FromRequest(r)
}

// bridge runs net/http middleware m as echo middleware: when m passes the
// request on, the request it passes (carrying the token) becomes c's
// request and next runs, its error returned to echo; when m answers it
// itself, through the Guard's error handler, the response is already
// written and nil is returned, so echo writes nothing more.
func bridge(m func(http.Handler) http.Handler) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			var err error
			m(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
				c.SetRequest(r)
				err = next(c)
			})).ServeHTTP(c.Response(), c.Request())
			return err
		}
	}
}

// mustGuard stops a nil Guard when the routes are built, not on the first
// request.
func mustGuard(g *jwtguard.Guard) {
	if g == nil {
		panic("jwtguardecho: nil *jwtguard.Guard")
	}
}
