// Package readme holds the README's Go snippets, so that the compiler
// checks them; readme_test.go checks that the README shows them verbatim.
// Each function is a snippet between its first line and the line before
// its last statement, which only uses what the snippet made.
package readme

import (
	"context"
	"net/http"
	"net/netip"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/labstack/echo/v4"

	"github.com/jwtguard/jwtguard"
	jwtguardecho "github.com/jwtguard/jwtguard/adapters/echo"
	jwtguardgin "github.com/jwtguard/jwtguard/adapters/gin"
)

// identityProvider is the README's "Keys from an identity provider".
func identityProvider(ctx context.Context) error {
	keys, err := jwtguard.Discover(ctx, "https://id.example.com/") // or NewRemoteKeySet(jwksURL)
	if err != nil {
		return err
	}
	defer keys.Close()
	verifier, err := jwtguard.NewVerifier(keys,
		jwtguard.WithIssuer("https://id.example.com/"), jwtguard.WithAudience("api"),
		jwtguard.WithExpectedType("at+jwt"), // RFC 9068 access tokens, when the provider writes them
		jwtguard.WithTokenType(""))          // providers write no simplejwt token_type
	if err != nil {
		return err
	}
	return use(verifier)
}

// issuing is the README's "Issuing tokens".
func issuing(secret string, store jwtguard.Store, users jwtguard.UserLookup, authenticator jwtguard.Authenticator, mux *http.ServeMux) error {
	key, err := jwtguard.NewSigningKey("", secret, jwtguard.HS256) // at least 16 bytes
	if err != nil {
		return err
	}
	issuer, err := jwtguard.NewIssuer(key, store, // jwtguard.NewMemoryStore(), sqlstore, redisstore
		jwtguard.WithAccessRevocation(5*time.Second),  // logout reaches access tokens within 5 s
		jwtguard.WithUserLookup(users, 5*time.Second)) // deactivated users lose access within 5 s
	if err != nil {
		return err
	}
	throttle, err := jwtguard.NewLoginThrottle(jwtguard.WithTrustedProxies(netip.MustParsePrefix("127.0.0.1/32")))
	if err != nil {
		return err
	}
	endpoints, err := jwtguard.NewEndpoints(issuer, authenticator, jwtguard.WithLoginThrottle(throttle))
	if err != nil {
		return err
	}
	endpoints.Register(mux, "/api/token/") // obtain, refresh/, verify/, blacklist/
	verifier, err := issuer.Verifier()     // for NewGuard
	if err != nil {
		return err
	}
	mux.Handle("GET /.well-known/jwks.json", issuer.JWKS(5*time.Minute)) // for asymmetric keys
	return use(verifier)
}

// cookieMode is the README's "Cookie mode for browser apps".
func cookieMode(issuer *jwtguard.Issuer, users jwtguard.Authenticator, verifier *jwtguard.Verifier) error {
	mode, err := jwtguard.NewCookieMode() // options below
	if err != nil {
		return err
	}
	endpoints, err := jwtguard.NewEndpoints(issuer, users, jwtguard.WithEndpointCookies(mode))
	if err != nil {
		return err
	}
	guard, err := jwtguard.NewGuard(verifier, jwtguard.WithCookies(mode))
	if err != nil {
		return err
	}
	return use(endpoints, guard)
}

// ginAndEcho is the README's "chi, gin and echo".
func ginAndEcho(guard *jwtguard.Guard, r *gin.Engine, e *echo.Echo, helloGin gin.HandlerFunc, helloEcho echo.HandlerFunc) {
	r.Use(jwtguardgin.Authenticate(guard))
	r.GET("/hello", jwtguardgin.Require(guard, jwtguard.IsAuthenticated()), helloGin) // jwtguardgin.Token(c)

	e.Use(jwtguardecho.Authenticate(guard))
	e.GET("/hello", helloEcho, jwtguardecho.Require(guard, jwtguard.IsAuthenticated())) // jwtguardecho.Token(c)
}

// Task is the object of the README's object-level permissions.
type Task struct{ Owner string }

// objectPermissions is the README's object-level permissions.
func objectPermissions(guard *jwtguard.Guard, w http.ResponseWriter, r *http.Request, load func(string) (*Task, error)) error {
	taskOwner := jwtguard.IsOwnerOrReadOnly(func(t *Task) string { return t.Owner }) // vs tok.Subject()

	task, err := load(r.PathValue("id")) // answer 404 yourself when it does not exist
	if !jwtguard.AuthorizeObject(guard, w, r, taskOwner, task) {
		return err // answered through the Guard's error handler
	}
	return use(task)
}

// use stands for what a program does next with what a snippet made.
func use(...any) error { return nil }

// The snippets are compiled, never run: they would reach the network.
var _ = []any{identityProvider, issuing, cookieMode, ginAndEcho}
