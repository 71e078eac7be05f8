// Command chi serves the basic example's API with the chi router: chi's
// middleware type is func(http.Handler) http.Handler, so Guard.Handler and
// Guard.Require plug in as they are, with no adapter.
//
//	JWT_SIGNING_KEY=secret go run ./examples/chi
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/jwtguard/jwtguard"
	"github.com/jwtguard/jwtguard/examples/internal/serve"
)

// newRouter mounts the API on chi: Guard.Handler authenticates every
// request, and Require enforces each route's policy.
func newRouter(g *jwtguard.Guard) http.Handler {
	r := chi.NewRouter()
	r.Get("/healthz", func(w http.ResponseWriter, _ *http.Request) {
		serve.JSON(w, http.StatusOK, []byte(`{"status":"ok"}`))
	})
	// The keys are in hand before the server listens: once it answers, it
	// is ready.
	r.Get("/readyz", func(w http.ResponseWriter, _ *http.Request) {
		serve.JSON(w, http.StatusOK, []byte(`{"status":"ready"}`))
	})
	r.Group(func(r chi.Router) {
		r.Use(g.Handler)
		r.With(g.Require(jwtguard.IsAuthenticated())).Get("/hello", func(w http.ResponseWriter, r *http.Request) {
			tok, _ := jwtguard.FromRequest(r)
			body, _ := json.Marshal(map[string]string{"message": "Hello, " + tok.Subject()})
			serve.JSON(w, http.StatusOK, body)
		})
		r.Route("/items", func(r chi.Router) {
			r.Use(g.Require(jwtguard.IsAuthenticatedOrReadOnly()))
			r.Get("/", func(w http.ResponseWriter, _ *http.Request) {
				serve.JSON(w, http.StatusOK, []byte(`[{"id":1,"name":"first"}]`))
			})
			r.Post("/", func(w http.ResponseWriter, _ *http.Request) {
				serve.JSON(w, http.StatusCreated, []byte(`{"id":2,"name":"created"}`))
			})
		})
	})
	return r
}

func run(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("chi", flag.ContinueOnError)
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
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	return serve.Run(ctx, serve.NewServer(*addr, serve.AccessLog(log, newRouter(g)), log), ln, 20*time.Second, log)
}

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stderr); err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "chi:", err)
		os.Exit(1)
	}
}
