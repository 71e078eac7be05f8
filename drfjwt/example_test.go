package drfjwt_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/jwtguard/jwtguard"
	"github.com/jwtguard/jwtguard/drfjwt"
)

// exampleAccounts is an application's user table: vitor / 123.
type exampleAccounts struct{}

func (exampleAccounts) Authenticate(ctx context.Context, username, password string) (drfjwt.User, error) {
	if username == "vitor" && password == "123" {
		return exampleAccounts{}.Lookup(ctx, username)
	}
	return drfjwt.User{}, jwtguard.ErrInvalidCredentials
}

func (exampleAccounts) Lookup(_ context.Context, username string) (drfjwt.User, error) {
	if username != "vitor" {
		return drfjwt.User{}, jwtguard.ErrUserNotFound
	}
	return drfjwt.User{ID: "1", Username: "vitor", Email: "vitor@example.com", Active: true}, nil
}

// A service that served djangorestframework-jwt, and its front ends
// unchanged: the old token views and the JWT prefix.
func Example() {
	secret := "the-django-projects-JWT_SECRET_KEY"
	key, _ := jwtguard.NewSigningKey("", secret, jwtguard.HS256)
	profile, err := drfjwt.New(key, exampleAccounts{}) // drfjwt.WithPrefix("Bearer"), WithExpiration(…)
	if err != nil {
		panic(err)
	}
	guard, err := profile.Guard()
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/api-token-auth/", profile.Obtain())
	mux.Handle("/api-token-refresh/", profile.Refresh())
	mux.Handle("/api-token-verify/", profile.Verify())
	mux.Handle("/hello/", guard.Require(jwtguard.IsAuthenticated())(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, _ := jwtguard.UserFromRequest[drfjwt.User](r)
		fmt.Fprintf(w, "Hello, %s", user.Username)
	})))

	srv := httptest.NewServer(mux)
	defer srv.Close()
	res, _ := http.Post(srv.URL+"/api-token-auth/", "application/json", strings.NewReader(`{"username":"vitor","password":"123"}`))
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	token := strings.Split(string(body), `"`)[3]
	for _, auth := range []string{"JWT " + token, "JWT " + token + " extra", "JWT"} {
		req, _ := http.NewRequest("GET", srv.URL+"/hello/", nil)
		req.Header.Set("Authorization", auth)
		res, _ := http.DefaultClient.Do(req)
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		fmt.Println(res.StatusCode, res.Header.Get("WWW-Authenticate"), string(body))
	}
	// Output:
	// 200  Hello, vitor
	// 401 JWT realm="api" {"detail":"Invalid Authorization header. Credentials string should not contain spaces."}
	// 401 JWT realm="api" {"detail":"Invalid Authorization header. No credentials provided."}
}

// Moving to simplejwt-style pairs: old tokens keep working, and refresh
// into new ones once.
func Example_migration() {
	secret := "the-django-projects-JWT_SECRET_KEY"
	key, _ := jwtguard.NewSigningKey("", secret, jwtguard.HS256)
	store := jwtguard.NewMemoryStore() // or a shared store: stores/sql, stores/redis
	profile, _ := drfjwt.New(key, exampleAccounts{})
	issuer, _ := jwtguard.NewIssuer(key, store)
	endpoints, _ := jwtguard.NewEndpoints(issuer, jwtguard.AuthenticatorFunc(
		func(ctx context.Context, username, password string) (string, bool, error) {
			u, err := exampleAccounts{}.Authenticate(ctx, username, password)
			return u.ID, u.Active, err
		}))
	verifier, _ := issuer.Verifier()
	newGuard, _ := jwtguard.NewGuard(verifier)
	oldGuard, _ := profile.Guard()

	mux := http.NewServeMux()
	mux.Handle("/api-token-auth/", profile.Obtain()) // old front ends, as before
	mux.Handle("/api-token-refresh/", profile.Refresh())
	mux.Handle("/api/token/{$}", endpoints.Obtain()) // new front ends
	mux.Handle("/api/token/refresh/{$}", profile.Exchange(issuer, store, endpoints.Refresh()))
	api := profile.Either(oldGuard, newGuard, jwtguard.IsAuthenticated())
	mux.Handle("/hello/", api(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok, _ := jwtguard.FromRequest(r)
		fmt.Fprintf(w, "Hello, user %s", tok.Subject())
	})))

	srv := httptest.NewServer(mux)
	defer srv.Close()
	post := func(path, body string) string {
		res, _ := http.Post(srv.URL+path, "application/json", strings.NewReader(body))
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		return string(b)
	}
	hello := func(auth string) string {
		req, _ := http.NewRequest("GET", srv.URL+"/hello/", nil)
		req.Header.Set("Authorization", auth)
		res, _ := http.DefaultClient.Do(req)
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		return fmt.Sprint(res.StatusCode, " ", string(b))
	}
	old := strings.Split(post("/api-token-auth/", `{"username":"vitor","password":"123"}`), `"`)[3]
	pair := strings.Split(post("/api/token/refresh/", `{"refresh":"`+old+`"}`), `"`)
	fmt.Println(hello("JWT " + old))
	fmt.Println(hello("Bearer " + pair[3]))
	fmt.Println(strings.Contains(post("/api/token/refresh/", `{"refresh":"`+old+`"}`), "token_not_valid"))
	// Output:
	// 200 Hello, user 1
	// 200 Hello, user 1
	// true
}
