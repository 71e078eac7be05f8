package jwtguardecho_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/labstack/echo/v4"

	"github.com/jwtguard/jwtguard"
	jwtguardecho "github.com/jwtguard/jwtguard/adapters/echo"
)

// An echo API with an authenticated route. A valid token passes; a missing
// token, a malformed header and a hostile "alg: none" token get the
// Guard's answers.
func Example() {
	secret := []byte("the-signing-key-your-django-app-uses")
	key, _ := jwtguard.NewHMACKey("", secret, jwtguard.HS256)
	keys, _ := jwtguard.NewKeySet(key)
	verifier, _ := jwtguard.NewVerifier(keys)
	guard, _ := jwtguard.NewGuard(verifier)

	e := echo.New()
	e.Use(jwtguardecho.Authenticate(guard))
	e.GET("/hello", func(c echo.Context) error {
		tok, _ := jwtguardecho.Token(c)
		return c.String(http.StatusOK, "Hello, "+tok.Subject())
	}, jwtguardecho.Require(guard, jwtguard.IsAuthenticated()))

	valid, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
		"token_type": "access", "jti": "j1", "user_id": 1, "exp": time.Now().Add(5 * time.Minute).Unix(),
	}).SignedString(secret)
	for _, auth := range []string{
		"Bearer " + valid,
		"",
		"Bearer a b",
		"Bearer eyJhbGciOiJub25lIn0.eyJ1c2VyX2lkIjoxfQ.",
	} {
		req := httptest.NewRequest("GET", "/hello", nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		w := httptest.NewRecorder()
		e.ServeHTTP(w, req)
		fmt.Println(w.Code, w.Body.String())
	}
	// Output:
	// 200 Hello, 1
	// 401 {"detail":"Authentication credentials were not provided."}
	// 401 {"detail":"Authorization header must contain two space-delimited values","code":"bad_authorization_header"}
	// 401 {"detail":"Given token not valid for any token type","code":"token_not_valid","messages":[{"token_class":"AccessToken","token_type":"access","message":"Token is invalid or expired"}]}
}
