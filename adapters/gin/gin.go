package jwtguardgin

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/jwtguard/jwtguard"
)

// Authenticate returns gin middleware that does what [jwtguard.Guard.Handler]
// does: a request with credentials is authenticated and goes on with the
// verified token in its context, a request without credentials goes on
// anonymous, and bad credentials are refused with the Guard's answer and
// the chain aborted. Put [Require] after it, or read [Token] in a handler.
// It panics if g is nil, as http.Handle does with a nil handler.
func Authenticate(g *jwtguard.Guard) gin.HandlerFunc {
	mustGuard(g)
	return bridge(g.Handler)
}

// Require returns gin middleware that does what [jwtguard.Guard.Require]
// does: it enforces p, authenticating the request itself unless a Guard
// upstream (such as [Authenticate]) already put a token in its context. A
// refusal is answered as the Guard answers it and aborts the chain. A nil
// p refuses every request. It panics if g is nil.
func Require(g *jwtguard.Guard, p jwtguard.Policy) gin.HandlerFunc {
	mustGuard(g)
	return bridge(g.Require(p))
}

// Token returns the verified token of c's request, as
// [jwtguard.FromRequest] does; it reports false for an anonymous request.
func Token(c *gin.Context) (*jwtguard.Token, bool) {
	if c == nil || c.Request == nil {
		return nil, false
	}
	return jwtguard.FromRequest(c.Request)
}

// bridge runs net/http middleware m as a gin handler: when m passes the
// request on, the request it passes (carrying the token) replaces
// c.Request and the chain goes on; when m answers it itself, through the
// Guard's error handler, the chain is aborted.
func bridge(m func(http.Handler) http.Handler) gin.HandlerFunc {
	return func(c *gin.Context) {
		passed := false
		m(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
			passed = true
			c.Request = r
			c.Next()
		})).ServeHTTP(c.Writer, c.Request)
		if !passed {
			c.Abort()
		}
	}
}

// mustGuard stops a nil Guard when the routes are built, not on the first
// request.
func mustGuard(g *jwtguard.Guard) {
	if g == nil {
		panic("jwtguardgin: nil *jwtguard.Guard")
	}
}
