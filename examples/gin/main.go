// Command gin serves the basic example's API with the gin web framework,
// through the jwtguardgin adapter: Authenticate verifies tokens on every
// API request, and Require enforces each route's policy.
//
//	JWT_SIGNING_KEY=secret go run ./examples/gin
//
// Routes: GET /healthz, GET /readyz, GET /hello (IsAuthenticated), GET and
// POST /items (IsAuthenticatedOrReadOnly).
package main

import (
	"context"
	"errors"
	"flag"
	"io"
	"log/slog"
	"net/http"
	"os"

	"github.com/gin-gonic/gin"

	"github.com/jwtguard/jwtguard"
	jwtguardgin "github.com/jwtguard/jwtguard/adapters/gin"
	"github.com/jwtguard/jwtguard/examples/internal/serve"
)

// newRouter mounts the API on gin.
func newRouter(g *jwtguard.Guard) http.Handler {
	r := gin.New()
	r.GET("/healthz", func(c *gin.Context) {
		c.JSON(http.StatusOK, gin.H{"status": "ok"})
	})
	// The keys are in hand before the server listens: once it answers, it
	// is ready.
	r.GET("/readyz", func(c *gin.Context) {
		c.JSON(http.StatusOK, gin.H{"status": "ready"})
	})

	api := r.Group("", jwtguardgin.Authenticate(g))
	api.GET("/hello", jwtguardgin.Require(g, jwtguard.IsAuthenticated()), func(c *gin.Context) {
		tok, _ := jwtguardgin.Token(c)
		c.JSON(http.StatusOK, gin.H{"message": "Hello, " + tok.Subject()})
	})
	items := api.Group("/items", jwtguardgin.Require(g, jwtguard.IsAuthenticatedOrReadOnly()))
	items.GET("", func(c *gin.Context) {
		c.JSON(http.StatusOK, []gin.H{{"id": 1, "name": "first"}})
	})
	items.POST("", func(c *gin.Context) {
		c.JSON(http.StatusCreated, gin.H{"id": 2, "name": "created"})
	})
	return r
}

func run(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("gin", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on")
	if err := fs.Parse(args); err != nil {
		return err
	}
	secret := os.Getenv("JWT_SIGNING_KEY")
	if secret == "" {
		return errors.New("set JWT_SIGNING_KEY to the HMAC secret tokens are signed with")
	}
	if os.Getenv(gin.EnvGinMode) == "" {
		gin.SetMode(gin.ReleaseMode) // no debug route listing; GIN_MODE=debug brings it back
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	key, err := jwtguard.NewHMACKey("", []byte(secret), jwtguard.HS256)
	if err != nil {
		return err
	}
	keys, err := jwtguard.NewKeySet(key)
	if err != nil {
		return err
	}
	v, err := jwtguard.NewVerifier(keys)
	if err != nil {
		return err
	}
	g, err := jwtguard.NewGuard(v, jwtguard.WithLogger(log))
	if err != nil {
		return err
	}
	return serve.ListenAndRun(ctx, *addr, serve.AccessLog(log, newRouter(g)), log)
}

func main() { serve.Main("gin", run) }
