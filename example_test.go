package jwtguard_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/jwtguard/jwtguard"
	"github.com/jwtguard/jwtguard/jwtguardtest"
)

// The quick start: trust one HMAC secret (as simplejwt's SIGNING_KEY) and
// protect a route. A valid token passes; a missing one, a refresh token and a
// hostile "alg: none" token are refused.
func Example() {
	secret := []byte("the-signing-key-your-django-app-uses")

	key, _ := jwtguard.NewHMACKey("", secret, jwtguard.HS256)
	keys, _ := jwtguard.NewKeySet(key)
	verifier, _ := jwtguard.NewVerifier(keys)
	guard, _ := jwtguard.NewGuard(verifier)

	mux := http.NewServeMux()
	mux.Handle("GET /hello", guard.Require(jwtguard.IsAuthenticated())(http.HandlerFunc(
		func(w http.ResponseWriter, r *http.Request) {
			tok, _ := jwtguard.FromRequest(r)
			fmt.Fprintf(w, "Hello, %s", tok.Subject())
		})))

	mint := func(tokenType string) string {
		claims := jwt.MapClaims{"token_type": tokenType, "jti": "3f0c5a", "user_id": 1, "exp": time.Now().Add(5 * time.Minute).Unix()}
		if tokenType == "" { // another app's token, signed with the same secret
			delete(claims, "token_type")
		}
		s, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(secret)
		return s
	}
	for _, auth := range []string{
		"Bearer " + mint("access"),
		"",
		"Bearer " + mint("refresh"),
		"Bearer " + mint(""),
		"Bearer eyJhbGciOiJub25lIn0.eyJ1c2VyX2lkIjoxfQ.",
	} {
		r := httptest.NewRequest("GET", "/hello", nil)
		if auth != "" {
			r.Header.Set("Authorization", auth)
		}
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, r)
		fmt.Println(w.Code, w.Body.String())
	}
	// Output:
	// 200 Hello, 1
	// 401 {"detail":"Authentication credentials were not provided."}
	// 401 {"detail":"Given token not valid for any token type","code":"token_not_valid","messages":[{"token_class":"AccessToken","token_type":"access","message":"Token has wrong type"}]}
	// 401 {"detail":"Given token not valid for any token type","code":"token_not_valid","messages":[{"token_class":"AccessToken","token_type":"access","message":"Token has no type"}]}
	// 401 {"detail":"Given token not valid for any token type","code":"token_not_valid","messages":[{"token_class":"AccessToken","token_type":"access","message":"Token is invalid or expired"}]}
}

// Handlers read the verified token from the request context. In a handler's
// own test, jwtguardtest puts a real token there.
func ExampleFromContext() {
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok, ok := jwtguard.FromContext(r.Context())
		if !ok {
			fmt.Println("anonymous")
			return
		}
		var custom struct {
			Tenant string `json:"tenant"`
		}
		_ = tok.Decode(&custom)
		fmt.Println(tok.Subject(), custom.Tenant, tok.HasScope("tasks:write"))
	})

	tok, err := jwtguardtest.NewToken(map[string]any{"sub": "alice", "tenant": "acme", "scope": "tasks:read tasks:write"})
	if err != nil {
		panic(err)
	}
	handler.ServeHTTP(httptest.NewRecorder(), jwtguardtest.WithToken(httptest.NewRequest("GET", "/", nil), tok))
	handler.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
	// Output:
	// alice acme true
	// anonymous
}

// Policies compose like Django REST Framework's permission classes.
func ExamplePolicy() {
	secret := []byte("example-secret-example-secret-00")
	key, _ := jwtguard.NewHMACKey("", secret)
	keys, _ := jwtguard.NewKeySet(key)
	verifier, _ := jwtguard.NewVerifier(keys)
	guard, _ := jwtguard.NewGuard(verifier)

	// Staff, or anyone with the reports:read scope.
	policy := jwtguard.Any(jwtguard.IsAdmin(), jwtguard.HasScope("reports:read"))
	h := guard.Require(policy)(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, "report") }))

	for _, claims := range []jwt.MapClaims{
		{"sub": "staff", "is_staff": true},
		{"sub": "reader", "scope": "reports:read"},
		{"sub": "other", "scope": "tasks:read"},
	} {
		claims["exp"] = time.Now().Add(time.Minute).Unix()
		claims["token_type"], claims["jti"] = "access", claims["sub"]
		raw, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(secret)
		r := httptest.NewRequest("GET", "/reports", nil)
		r.Header.Set("Authorization", "Bearer "+raw)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		fmt.Println(strings.TrimSpace(fmt.Sprint(claims["sub"], " ", w.Code, " ", w.Header().Get("WWW-Authenticate"))))
	}
	// Output:
	// staff 200
	// reader 200
	// other 403 Bearer realm="api", error="insufficient_scope", error_description="The token lacks a required scope", scope="reports:read"
}

// Object-level permissions, as the DRF tutorial's IsOwnerOrReadOnly: the
// handler loads the task, then asks. Anyone reads it; only its owner
// changes it; another user gets 403, an anonymous one 401.
func ExampleAuthorizeObject() {
	secret := []byte("example-secret-example-secret-00")
	key, _ := jwtguard.NewHMACKey("", secret)
	keys, _ := jwtguard.NewKeySet(key)
	verifier, _ := jwtguard.NewVerifier(keys)
	guard, _ := jwtguard.NewGuard(verifier)

	type task struct{ Title, Owner string }
	tasks := map[string]*task{"1": {Title: "Write the docs", Owner: "7"}}
	taskOwner := jwtguard.IsOwnerOrReadOnly(func(t *task) string { return t.Owner })

	h := guard.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t, ok := tasks[r.PathValue("id")]
		if !ok {
			http.NotFound(w, r)
			return
		}
		if !jwtguard.AuthorizeObject(guard, w, r, taskOwner, t) {
			return
		}
		fmt.Fprint(w, t.Title)
	}))
	mux := http.NewServeMux()
	mux.Handle("/tasks/{id}", h)

	token := func(userID int) string {
		raw, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"token_type": "access", "jti": fmt.Sprint("j", userID),
			"user_id": userID, "exp": time.Now().Add(time.Minute).Unix()}).SignedString(secret)
		return raw
	}
	for _, c := range []struct {
		method, who, auth string
	}{
		{"GET", "anyone", ""},
		{"PATCH", "the owner", token(7)},
		{"PATCH", "another user", token(8)},
		{"DELETE", "anonymous", ""},
	} {
		r := httptest.NewRequest(c.method, "/tasks/1", nil)
		if c.auth != "" {
			r.Header.Set("Authorization", "Bearer "+c.auth)
		}
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, r)
		fmt.Println(c.method, c.who, w.Code, w.Body.String())
	}
	// Output:
	// GET anyone 200 Write the docs
	// PATCH the owner 200 Write the docs
	// PATCH another user 403 {"detail":"You do not have permission to perform this action."}
	// DELETE anonymous 401 {"detail":"Authentication credentials were not provided."}
}
