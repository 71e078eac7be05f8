package jwtguard_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/jwtguard/jwtguard"
)

// The user the check loaded reaches the handler, as DRF's request.user:
// the handler makes no query of its own. A deactivated user is refused
// before the handler runs.
func ExampleUserFromRequest() {
	type account struct {
		Name   string
		Active bool
	}
	accounts := map[string]account{"7": {"ada", true}, "8": {"bob", false}}
	load := func(ctx context.Context, id string) (*account, bool, error) {
		a, ok := accounts[id] // the application's database query
		if !ok {
			return nil, false, jwtguard.ErrUserNotFound
		}
		return &a, a.Active, nil
	}

	secret := []byte("example-secret-example-secret-00")
	key, _ := jwtguard.NewHMACKey("", secret)
	keys, _ := jwtguard.NewKeySet(key)
	verifier, _ := jwtguard.NewVerifier(keys,
		jwtguard.WithUserCheck(jwtguard.UserLoaderFunc[*account](load), 5*time.Second))
	guard, _ := jwtguard.NewGuard(verifier)
	h := guard.Require(jwtguard.IsAuthenticated())(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, _ := jwtguard.UserFromRequest[*account](r)
		fmt.Fprintf(w, "Hello, %s", a.Name)
	}))

	for _, id := range []int{7, 8} {
		raw, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"token_type": "access", "jti": fmt.Sprint("j", id),
			"user_id": id, "exp": time.Now().Add(time.Minute).Unix()}).SignedString(secret)
		r := httptest.NewRequest("GET", "/hello", nil)
		r.Header.Set("Authorization", "Bearer "+raw)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		fmt.Println(w.Code, w.Body.String())
	}
	// Output:
	// 200 Hello, ada
	// 401 {"detail":"User is inactive","code":"user_inactive"}
}
