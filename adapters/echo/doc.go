// Package jwtguardecho plugs a [jwtguard.Guard] into the echo web framework
// (github.com/labstack/echo/v4).
//
// # Usage
//
//	guard, err := jwtguard.NewGuard(verifier)
//
//	e := echo.New()
//	e.Use(jwtguardecho.Authenticate(guard)) // tokens verified, anonymous goes on
//	e.GET("/hello", hello, jwtguardecho.Require(guard, jwtguard.IsAuthenticated()))
//	items := e.Group("/items", jwtguardecho.Require(guard, jwtguard.IsAuthenticatedOrReadOnly()))
//	items.GET("", listItems)
//	items.POST("", createItem)
//
//	func hello(c echo.Context) error {
//		tok, _ := jwtguardecho.Token(c)
//		return c.JSON(http.StatusOK, map[string]string{"message": "Hello, " + tok.Subject()})
//	}
//
// # Same answers as net/http
//
// [Authenticate] and [Require] run the Guard's own [jwtguard.Guard.Handler]
// and [jwtguard.Guard.Require] on echo's request and response, so a request
// gets exactly the status, WWW-Authenticate challenge and JSON body it would
// get from net/http or chi: refusals go through the Guard's error handler
// ([jwtguard.WithErrorHandler] replaces it), never through echo's
// HTTPErrorHandler, and [jwtguard.WithSkip], [jwtguard.WithSkipPaths],
// [jwtguard.WithPreflight] and [jwtguard.WithCredentialsOptional] apply as
// they do there. After a refusal the next handler is not called and the
// middleware returns nil: the response is already written.
//
// # The token
//
// The verified token goes into the context of the request itself
// (c.Request()), not into echo's key-value store, so [Token],
// [jwtguard.FromRequest] and [jwtguard.FromContext] all find it: in echo
// handlers, in net/http handlers mounted with echo.WrapHandler, and in code
// that only receives c.Request().Context(). Nothing but the Guard can put
// it there. [Require] after [Authenticate] reuses that token instead of
// verifying the request again.
package jwtguardecho
