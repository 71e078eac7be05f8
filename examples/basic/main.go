// Command basic is a resource server protected by jwtguard that you point at
// your own keys: a JWK Set file, PEM public keys or an HMAC secret file.
//
//	go run ./examples/basic -hmac-secret-file secret.txt
//	go run ./examples/basic -pem issuer.pem -issuer https://id.example -audience api
//
// Routes: GET /hello (IsAuthenticated), GET /public (AllowAny), GET and POST
// /items (IsAuthenticatedOrReadOnly), GET /healthz, GET /readyz.
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
	"strings"
	"time"

	"github.com/jwtguard/jwtguard"
	"github.com/jwtguard/jwtguard/examples/internal/serve"
)

// config is what the flags say.
type config struct {
	addr      string
	jwksFile  string
	jwksURL   string
	pems      list
	pemKids   list
	hmacFile  string
	issuers   list
	audiences list
	algs      list
	noCache   bool
	tokenType string
}

// list is a repeatable string flag.
type list []string

func (l *list) String() string     { return strings.Join(*l, ",") }
func (l *list) Set(v string) error { *l = append(*l, v); return nil }

func parseFlags(args []string, out io.Writer) (*config, error) {
	var c config
	fs := flag.NewFlagSet("basic", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.StringVar(&c.addr, "addr", "127.0.0.1:8080", "address to listen on")
	fs.StringVar(&c.jwksFile, "jwks-file", "", "a local JWK Set file (may hold oct keys with a kid)")
	fs.StringVar(&c.jwksURL, "jwks-url", "", "a remote JWK Set URL")
	fs.Var(&c.pems, "pem", "a PEM public key or certificate file (repeatable)")
	fs.Var(&c.pemKids, "pem-kid", "the kid of the -pem at the same position (repeatable)")
	fs.StringVar(&c.hmacFile, "hmac-secret-file", "", "a file holding an HMAC secret")
	fs.Var(&c.issuers, "issuer", "a trusted issuer (repeatable; default: iss not checked)")
	fs.Var(&c.audiences, "audience", "an accepted audience (repeatable; default: aud not checked)")
	fs.Var(&c.algs, "alg", "an allowed algorithm (repeatable; default: what the keys allow)")
	fs.StringVar(&c.tokenType, "token-type", "access", `the "token_type" a token must carry, with a "jti", as simplejwt's; empty for an identity provider's tokens`)
	fs.BoolVar(&c.noCache, "no-cache", false, "turn the verified-token cache off: every request checks its token's signature")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if len(c.pemKids) > len(c.pems) {
		return nil, errors.New("more -pem-kid than -pem flags")
	}
	return &c, nil
}

// loadKeys reads every key the flags name.
func loadKeys(c *config) ([]*jwtguard.Key, error) {
	var keys []*jwtguard.Key
	if c.jwksFile != "" {
		data, err := os.ReadFile(c.jwksFile)
		if err != nil {
			return nil, err
		}
		ks, err := jwtguard.ParseJWKSet(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", c.jwksFile, err)
		}
		keys = append(keys, ks...)
	}
	for i, path := range c.pems {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		kid := ""
		if i < len(c.pemKids) {
			kid = c.pemKids[i]
		}
		k, err := jwtguard.ParsePEM(kid, data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		keys = append(keys, k)
	}
	if c.hmacFile != "" {
		data, err := os.ReadFile(c.hmacFile)
		if err != nil {
			return nil, err
		}
		k, err := jwtguard.NewHMACKey("", []byte(strings.TrimRight(string(data), "\r\n")))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", c.hmacFile, err)
		}
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		return nil, errors.New("no keys: give -jwks-file, -pem or -hmac-secret-file")
	}
	return keys, nil
}

// keyProvider returns the remote key set of -jwks-url, or a set of the
// keys the other flags name; close stops the remote set's refreshes.
func keyProvider(c *config, log *slog.Logger) (p jwtguard.KeyProvider, keys []*jwtguard.Key, algs []string, close func(), err error) {
	if c.jwksURL != "" {
		if c.jwksFile != "" || len(c.pems) > 0 || c.hmacFile != "" {
			return nil, nil, nil, nil, errors.New("-jwks-url trusts the remote set only; drop -jwks-file, -pem and -hmac-secret-file")
		}
		r, err := jwtguard.NewRemoteKeySet(c.jwksURL, jwtguard.WithLogger(log))
		if err != nil {
			return nil, nil, nil, nil, err
		}
		return r, r.All(), nil, func() { r.Close() }, nil
	}
	keys, err = loadKeys(c)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	set, err := jwtguard.NewKeySet(keys...)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	return set, keys, set.Algorithms(), func() {}, nil
}

// newHandler builds the routes behind a Guard configured from c. Call
// close when the server is done.
func newHandler(c *config, log *slog.Logger) (h http.Handler, close func(), err error) {
	set, keys, algs, close, err := keyProvider(c, log)
	if err != nil {
		return nil, nil, err
	}
	defer func() {
		if err != nil {
			close()
		}
	}()
	opts := []jwtguard.VerifierOption{jwtguard.WithTokenType(c.tokenType)}
	if c.noCache {
		opts = append(opts, jwtguard.WithoutCache())
	}
	if len(c.issuers) > 0 {
		opts = append(opts, jwtguard.WithIssuer(c.issuers...))
	}
	if len(c.audiences) > 0 {
		opts = append(opts, jwtguard.WithAudience(c.audiences...))
	}
	if len(c.algs) > 0 {
		opts = append(opts, jwtguard.WithAlgorithms(c.algs...))
		algs = c.algs
	}
	v, err := jwtguard.NewVerifier(set, opts...)
	if err != nil {
		return nil, nil, err
	}
	g, err := jwtguard.NewGuard(v, jwtguard.WithLogger(log))
	if err != nil {
		return nil, nil, err
	}
	kids := make([]string, 0, len(keys))
	for _, k := range keys {
		kids = append(kids, fmt.Sprintf("%q:%s", k.ID(), strings.Join(k.Algorithms(), "/")))
	}
	log.Info("trust configuration", "jwks_url", c.jwksURL, "keys", kids, "algorithms", algs, "issuers", []string(c.issuers), "audiences", []string(c.audiences))

	mux := http.NewServeMux()
	mux.Handle("GET /hello", g.Require(jwtguard.IsAuthenticated())(http.HandlerFunc(hello)))
	mux.Handle("GET /public", g.Require(jwtguard.AllowAny())(http.HandlerFunc(public)))
	mux.Handle("/items", g.Require(jwtguard.IsAuthenticatedOrReadOnly())(http.HandlerFunc(items)))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		serve.JSON(w, http.StatusOK, []byte(`{"status":"ok"}`))
	})
	// Ready as soon as it serves: the keys are loaded before it listens
	// (a remote set waits for its first fetch).
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) {
		serve.JSON(w, http.StatusOK, []byte(`{"status":"ready"}`))
	})
	return mux, close, nil
}

func hello(w http.ResponseWriter, r *http.Request) {
	tok, _ := jwtguard.FromRequest(r)
	body, _ := json.Marshal(map[string]string{"message": "Hello, " + tok.Subject()})
	serve.JSON(w, http.StatusOK, body)
}

func public(w http.ResponseWriter, r *http.Request) {
	who := "anonymous"
	if tok, ok := jwtguard.FromRequest(r); ok {
		who = tok.Subject()
	}
	body, _ := json.Marshal(map[string]string{"message": "Public, " + who})
	serve.JSON(w, http.StatusOK, body)
}

func items(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		serve.JSON(w, http.StatusOK, []byte(`[{"id":1,"name":"first"}]`))
	case http.MethodPost:
		serve.JSON(w, http.StatusCreated, []byte(`{"id":2,"name":"created"}`))
	default:
		w.Header().Set("Allow", "GET, HEAD, POST")
		serve.JSON(w, http.StatusMethodNotAllowed, []byte(`{"detail":"Method \"`+r.Method+`\" not allowed."}`))
	}
}

func run(ctx context.Context, args []string, stderr io.Writer) error {
	c, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	h, closeKeys, err := newHandler(c, log)
	if err != nil {
		return err
	}
	defer closeKeys()
	ln, err := net.Listen("tcp", c.addr)
	if err != nil {
		return err
	}
	return serve.Run(ctx, serve.NewServer(c.addr, serve.AccessLog(log, h), log), ln, 20*time.Second, log)
}

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stderr); err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "basic:", err)
		os.Exit(1)
	}
}
