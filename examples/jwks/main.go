// Command jwks is a resource server in front of any OpenID provider
// (Auth0, Keycloak, Cognito, ...): it finds the provider's keys through
// discovery (-issuer) or a JWK Set URL (-jwks-url), refreshes them in the
// background, and protects two routes.
//
//	go run ./examples/jwks -issuer https://id.example.com/ -audience api
//
//	GET /hello   any valid access token       {"message":"Hello, <sub>"}
//	GET /admin   a token with -admin-scope    {"message":"Welcome, admin <sub>"}
//	GET /healthz always 200; GET /readyz 200 once keys are loaded
//
// DPoP-bound tokens (RFC 9449) are accepted with their proofs by default;
// -dpop=required accepts nothing else, -dpop=off refuses the DPoP scheme
// (and a bound token as Bearer, as every mode does). Behind a reverse
// proxy, -public-url names the origin clients sign proofs for.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"log/slog"
	"net/http"
	"strings"

	"github.com/jwtguard/jwtguard"
	"github.com/jwtguard/jwtguard/examples/internal/metrics"
	"github.com/jwtguard/jwtguard/examples/internal/serve"
)

type config struct {
	addr        string
	issuer      string
	jwksURL     string
	audiences   list
	adminScope  string
	atJWT       bool
	dpop        string
	publicURL   string
	metricsAddr string            // where /metrics is served, on a listener of its own ("" for none)
	observer    jwtguard.Observer // told of every decision and key set fetch; nil for none
}

// dpopModes are the values of -dpop.
var dpopModes = map[string]jwtguard.DPoPMode{
	"allowed": jwtguard.DPoPAllowed, "required": jwtguard.DPoPRequired, "off": jwtguard.DPoPOff,
}

// list is a repeatable string flag.
type list []string

func (l *list) String() string     { return strings.Join(*l, ",") }
func (l *list) Set(v string) error { *l = append(*l, v); return nil }

func parseFlags(args []string, out io.Writer) (*config, error) {
	c := config{}
	fs := flag.NewFlagSet("jwks", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.StringVar(&c.addr, "addr", "127.0.0.1:8080", "address to listen on")
	fs.StringVar(&c.issuer, "issuer", "", "the provider's issuer URL: keys by OpenID Connect discovery, and tokens must carry it as iss")
	fs.StringVar(&c.jwksURL, "jwks-url", "", "a JWK Set URL, instead of discovery")
	fs.Var(&c.audiences, "audience", "an accepted audience (repeatable)")
	fs.StringVar(&c.adminScope, "admin-scope", "admin", "the scope GET /admin requires")
	fs.BoolVar(&c.atJWT, "at-jwt", false, `require RFC 9068 access tokens (typ "at+jwt")`)
	fs.StringVar(&c.metricsAddr, "metrics-addr", "", "serve Prometheus metrics at /metrics on this address (host:port), a listener of its own, never the public one (none when empty)")
	fs.StringVar(&c.dpop, "dpop", "allowed", "DPoP-bound tokens: allowed (beside bearer tokens), required, or off")
	fs.StringVar(&c.publicURL, "public-url", "", "the origin clients reach this server at (https://api.example.com), for DPoP proofs' htu: required behind a reverse proxy; without it proofs pass only on a loopback host")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if _, ok := dpopModes[c.dpop]; !ok {
		return nil, errors.New("-dpop must be allowed, required or off")
	}
	if (c.issuer == "") == (c.jwksURL == "") {
		return nil, errors.New("give one of -issuer and -jwks-url")
	}
	return &c, nil
}

// newHandler connects to the provider and builds the routes. Call close
// when the server is done.
func newHandler(ctx context.Context, c *config, log *slog.Logger) (http.Handler, func(), error) {
	common := []jwtguard.Option{jwtguard.WithLogger(log)}
	if c.observer != nil {
		common = append(common, jwtguard.WithObserver(c.observer))
	}
	var opts []jwtguard.RemoteOption
	vopts := []jwtguard.VerifierOption{jwtguard.WithTokenType("")} // OpenID providers write no token_type
	var gopts []jwtguard.GuardOption
	for _, o := range common {
		opts, vopts, gopts = append(opts, o), append(vopts, o), append(gopts, o)
	}
	var keys *jwtguard.RemoteKeySet
	var err error
	if c.issuer != "" {
		keys, err = jwtguard.Discover(ctx, c.issuer, opts...)
	} else {
		keys, err = jwtguard.NewRemoteKeySet(c.jwksURL, opts...)
	}
	if err != nil {
		return nil, nil, err
	}
	if c.issuer != "" {
		vopts = append(vopts, jwtguard.WithIssuer(c.issuer))
	}
	if len(c.audiences) > 0 {
		vopts = append(vopts, jwtguard.WithAudience(c.audiences...))
	}
	if c.atJWT {
		vopts = append(vopts, jwtguard.WithExpectedType("at+jwt"))
	}
	var dpopOpts []jwtguard.DPoPOption
	if c.publicURL != "" {
		dpopOpts = append(dpopOpts, jwtguard.WithDPoPOrigin(c.publicURL))
	}
	dpop, err := jwtguard.NewDPoPVerifier(dpopOpts...)
	var v *jwtguard.Verifier
	if err == nil {
		v, err = jwtguard.NewVerifier(keys, vopts...)
	}
	var g *jwtguard.Guard
	if err == nil {
		g, err = jwtguard.NewGuard(v, append(gopts, jwtguard.WithDPoP(dpopModes[c.dpop], dpop))...)
	}
	if err != nil {
		keys.Close()
		return nil, nil, err
	}
	log.Info("trust configuration", "issuer", c.issuer, "jwks_url", keys.URL(), "keys", keys.Stats().Keys,
		"audiences", []string(c.audiences), "admin_scope", c.adminScope, "dpop", c.dpop)

	mux := http.NewServeMux()
	mux.Handle("GET /hello", g.Require(jwtguard.IsAuthenticated())(greet("Hello, ")))
	mux.Handle("GET /admin", g.Require(jwtguard.HasScope(c.adminScope))(greet("Welcome, admin ")))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		serve.JSON(w, http.StatusOK, []byte(`{"status":"ok"}`))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) {
		if keys.Stats().Keys == 0 {
			serve.JSON(w, http.StatusServiceUnavailable, []byte(`{"status":"no keys yet"}`))
			return
		}
		serve.JSON(w, http.StatusOK, []byte(`{"status":"ready"}`))
	})
	return mux, func() { keys.Close() }, nil
}

func greet(prefix string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok, _ := jwtguard.FromRequest(r)
		body, _ := json.Marshal(map[string]string{"message": prefix + tok.Subject()})
		serve.JSON(w, http.StatusOK, body)
	})
}

func run(ctx context.Context, args []string, stderr io.Writer) error {
	c, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	obs, closeMetrics, err := metrics.ObserverFor(c.metricsAddr, log)
	if err != nil {
		return err
	}
	defer closeMetrics()
	c.observer = obs
	h, closeKeys, err := newHandler(ctx, c, log)
	if err != nil {
		return err
	}
	defer closeKeys()
	return serve.ListenAndRun(ctx, c.addr, serve.AccessLog(log, h), log)
}

func main() { serve.Main("jwks", run) }
