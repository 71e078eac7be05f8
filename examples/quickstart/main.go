// Command quickstart is the README's quick start, shown there verbatim: a
// resource server that trusts one HMAC secret (simplejwt's SIGNING_KEY, at
// least 16 bytes), and a way to mint a token to try it with.
//
//	export JWT_SIGNING_KEY=$(openssl rand -hex 32)
//	go run ./examples/quickstart &
//	curl -H "Authorization: Bearer $(go run ./examples/quickstart mint alice)" http://127.0.0.1:8000/hello
package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"time"

	"github.com/jwtguard/jwtguard"
)

func main() {
	secret := os.Getenv("JWT_SIGNING_KEY")
	if len(os.Args) == 3 && os.Args[1] == "mint" {
		if err := mint(os.Stdout, secret, os.Args[2]); err != nil {
			log.Fatal(err)
		}
		return
	}
	handler, err := newHandler(secret)
	if err != nil {
		log.Fatal(err)
	}
	srv := &http.Server{Addr: "127.0.0.1:8000", Handler: handler,
		ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second,
		WriteTimeout: 10 * time.Second, IdleTimeout: time.Minute}
	log.Fatal(srv.ListenAndServe())
}

// newHandler serves GET /hello to holders of a valid access token signed
// with secret.
func newHandler(secret string) (http.Handler, error) {
	key, err := jwtguard.NewHMACKey("", []byte(secret), jwtguard.HS256)
	if err != nil {
		return nil, err
	}
	keys, err := jwtguard.NewKeySet(key) // or ParsePEM, ParseJWKSet, NewPublicKey
	if err != nil {
		return nil, err
	}
	verifier, err := jwtguard.NewVerifier(keys) // WithIssuer, WithAudience, WithLeeway, ...
	if err != nil {
		return nil, err
	}
	guard, err := jwtguard.NewGuard(verifier) // WithLogger, WithExtractor, WithErrorHandler, ...
	if err != nil {
		return nil, err
	}

	mux := http.NewServeMux()
	mux.Handle("GET /hello", guard.Require(jwtguard.IsAuthenticated())(http.HandlerFunc(
		func(w http.ResponseWriter, r *http.Request) {
			tok, _ := jwtguard.FromRequest(r) // nil on an anonymous request; its methods are nil-safe
			fmt.Fprintf(w, "Hello, %s\n", tok.Subject())
		})))
	return mux, nil
}

// mint writes an access token for subject, signed with secret: what a
// Django API with simplejwt and the same SIGNING_KEY would give alice at
// sign-in. An Issuer needs a Store for refresh tokens; a MemoryStore does
// for minting.
func mint(w io.Writer, secret, subject string) error {
	key, err := jwtguard.NewSigningKey("", secret, jwtguard.HS256)
	if err != nil {
		return err
	}
	issuer, err := jwtguard.NewIssuer(key, jwtguard.NewMemoryStore())
	if err != nil {
		return err
	}
	pair, err := issuer.Issue(context.Background(), subject)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(w, pair.Access)
	return err
}
