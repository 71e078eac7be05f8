// Package jwtguardgin plugs a [jwtguard.Guard] into the gin web framework.
//
// # Usage
//
//	guard, err := jwtguard.NewGuard(verifier)
//
//	r := gin.New()
//	r.Use(jwtguardgin.Authenticate(guard)) // tokens verified, anonymous goes on
//	r.GET("/hello", jwtguardgin.Require(guard, jwtguard.IsAuthenticated()), hello)
//	items := r.Group("/items", jwtguardgin.Require(guard, jwtguard.IsAuthenticatedOrReadOnly()))
//	items.GET("", listItems)
//	items.POST("", createItem)
//
//	func hello(c *gin.Context) {
//		tok, _ := jwtguardgin.Token(c)
//		c.JSON(http.StatusOK, gin.H{"message": "Hello, " + tok.Subject()})
//	}
//
// # Same answers as net/http
//
// [Authenticate] and [Require] run the Guard's own [jwtguard.Guard.Handler]
// and [jwtguard.Guard.Require] on gin's request and response writer, so a
// request gets exactly the status, WWW-Authenticate challenge and JSON body
// it would get from net/http or chi: refusals go through the Guard's error
// handler ([jwtguard.WithErrorHandler] replaces it), and [jwtguard.WithSkip],
// [jwtguard.WithSkipPaths], [jwtguard.WithPreflight] and
// [jwtguard.WithCredentialsOptional] apply as they do there. After a
// refusal the gin chain is aborted: no later handler runs.
//
// # The token
//
// The verified token goes into the context of the request itself
// (c.Request), not into gin's key-value store, so [Token],
// [jwtguard.FromRequest] and [jwtguard.FromContext] all find it: in gin
// handlers, in net/http handlers mounted with gin.WrapH, and in code that
// only receives c.Request.Context(). Nothing but the Guard can put it there.
// [Require] after [Authenticate] reuses that token instead of verifying the
// request again.
package jwtguardgin
