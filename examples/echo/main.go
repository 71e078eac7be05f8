// Command echo serves the basic example's API with the echo web framework,
// through the jwtguardecho adapter: Authenticate verifies tokens on every
// API request, and Require enforces each route's policy.
//
//	JWT_SIGNING_KEY=secret go run ./examples/echo
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

	"github.com/labstack/echo/v4"

	"github.com/jwtguard/jwtguard"
	jwtguardecho "github.com/jwtguard/jwtguard/adapters/echo"
	"github.com/jwtguard/jwtguard/examples/internal/serve"
)

// item is one entry of the /items collection.
type item struct {
	ID   int    `json:"id"`
	Name string `json:"name"`
}

// newRouter mounts the API on echo.
func newRouter(g *jwtguard.Guard) http.Handler {
	e := echo.New()
	e.GET("/healthz", func(c echo.Context) error {
		return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
	})
	// The keys are in hand before the server listens: once it answers, it
	// is ready.
	e.GET("/readyz", func(c echo.Context) error {
		return c.JSON(http.StatusOK, map[string]string{"status": "ready"})
	})

	api := e.Group("", jwtguardecho.Authenticate(g))
	api.GET("/hello", func(c echo.Context) error {
		tok, _ := jwtguardecho.Token(c)
		return c.JSON(http.StatusOK, map[string]string{"message": "Hello, " + tok.Subject()})
	}, jwtguardecho.Require(g, jwtguard.IsAuthenticated()))
	items := api.Group("/items", jwtguardecho.Require(g, jwtguard.IsAuthenticatedOrReadOnly()))
	items.GET("", func(c echo.Context) error {
		return c.JSON(http.StatusOK, []item{{1, "first"}})
	})
	items.POST("", func(c echo.Context) error {
		return c.JSON(http.StatusCreated, item{2, "created"})
	})
	return e
}

func run(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("echo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on")
	if err := fs.Parse(args); err != nil {
		return err
	}
	secret := os.Getenv("JWT_SIGNING_KEY")
	if secret == "" {
		return errors.New("set JWT_SIGNING_KEY to the HMAC secret tokens are signed with")
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
	// echo is only the handler here: serve runs the http.Server, with
	// production timeouts and graceful shutdown, so echo's Start and its
	// banner are not used.
	return serve.ListenAndRun(ctx, *addr, serve.AccessLog(log, newRouter(g)), log)
}

func main() { serve.Main("echo", run) }
