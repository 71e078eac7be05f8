package jwtguarddjango_test

import (
	"context"
	"log"
	"net/http"
	"os"
	"time"

	"github.com/jwtguard/jwtguard"
	"github.com/jwtguard/jwtguard/django"
)

// A Go service beside a Django project, on its database: Django's users
// sign in, and the blacklist is simplejwt's.
func Example() {
	ctx := context.Background()
	db, err := jwtguarddjango.Open(ctx, os.Getenv("DJANGO_DATABASE")) // sqlite:///… or postgres://…
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil { // jwtguard's own table, beside Django's
		log.Fatal(err)
	}
	// Django's SIMPLE_JWT["SIGNING_KEY"] (SECRET_KEY by default), HS256.
	key, err := jwtguard.NewSigningKey("", os.Getenv("DJANGO_SIGNING_KEY"), jwtguard.HS256)
	if err != nil {
		log.Fatal(err)
	}
	issuer, err := jwtguard.NewIssuer(key, db.Store(),
		jwtguard.WithUserLookup(db.Users(), 30*time.Second))
	if err != nil {
		log.Fatal(err)
	}
	endpoints, err := jwtguard.NewEndpoints(issuer, db.Users())
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	endpoints.Register(mux, "/api/token/")
	log.Fatal(http.ListenAndServe("127.0.0.1:8000", mux))
}
