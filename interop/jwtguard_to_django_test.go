package interop_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/jwtguard/jwtguard"
	"github.com/jwtguard/jwtguard/interop/internal/django"
)

// users is the jwtguard side's Authenticator, with Django's users.
var users = jwtguard.AuthenticatorFunc(func(_ context.Context, username, password string) (string, bool, error) {
	if username == django.Username && password == django.Password {
		return django.UserID, true, nil
	}
	return "", false, jwtguard.ErrInvalidCredentials
})

// TestJwtguardTokensWorkWithDjango is the migration path from a Django API
// to a Go one with the same secret, in both directions: Django accepts and
// refreshes tokens jwtguard issued, and jwtguard accepts and refreshes
// tokens simplejwt issued, so nobody is logged out by the move.
func TestJwtguardTokensWorkWithDjango(t *testing.T) {
	const secret = "interop-secret-shared-by-django-and-jwtguard"
	srv := django.Start(t, secret)
	ctx := context.Background()

	key, err := jwtguard.NewSigningKey("", []byte(secret), jwtguard.HS256)
	must(t, err)
	iss, err := jwtguard.NewIssuer(key, jwtguard.NewMemoryStore(), jwtguard.WithAccessRevocation(0))
	must(t, err)
	guardVerifier, err := iss.Verifier()
	must(t, err)
	endpoints, err := jwtguard.NewEndpoints(iss, users)
	must(t, err)
	mux := http.NewServeMux()
	endpoints.Register(mux, "/api/token/")
	goSrv := httptest.NewServer(mux)
	defer goSrv.Close()

	t.Run("jwtguard to Django", func(t *testing.T) {
		p, err := iss.Issue(ctx, django.UserID)
		must(t, err)
		if status, body := srv.Hello(t, p.Access); status != 200 || body != `{"message":"Hello, vitor"}` {
			t.Errorf("Django /hello/ with jwtguard's access token: %d %s", status, body)
		}
		for name, tok := range map[string]string{"access": p.Access, "refresh": p.Refresh} {
			if status, body := srv.Verify(t, tok); status != 200 || body != `{}` {
				t.Errorf("Django verify of jwtguard's %s token: %d %s", name, status, body)
			}
		}
		// Django refreshes jwtguard's refresh token; its new tokens work in
		// both worlds.
		dAccess, dRefresh := srv.RefreshPair(t, p.Refresh)
		if status, _ := srv.Hello(t, dAccess); status != 200 {
			t.Errorf("Django refuses the access token it refreshed from jwtguard's: %d", status)
		}
		if _, err := guardVerifier.Verify(ctx, dAccess); err != nil {
			t.Errorf("jwtguard refuses Django's access token: %v", err)
		}
		if _, err := iss.Refresh(ctx, dRefresh); err != nil {
			t.Errorf("jwtguard refuses to refresh Django's rotated refresh token: %v", err)
		}
		// The refresh token is refused as an access token by Django too.
		if status, body := srv.Hello(t, p.Refresh); status != 401 || !strings.Contains(body, "Token has wrong type") {
			t.Errorf("Django /hello/ with jwtguard's refresh token: %d %s", status, body)
		}
		// Django applies its own user checks to jwtguard's tokens.
		inactive, err := iss.Issue(ctx, django.InactiveUserID)
		must(t, err)
		if status, body := srv.Hello(t, inactive.Access); status != 401 || body != `{"detail":"User is inactive","code":"user_inactive"}` {
			t.Errorf("Django /hello/ for an inactive user: %d %s", status, body)
		}
		// A token signed with another secret is refused.
		otherKey, _ := jwtguard.NewSigningKey("", []byte("not-the-secret-django-signs-with"), jwtguard.HS256)
		other, _ := jwtguard.NewIssuer(otherKey, jwtguard.NewMemoryStore())
		op, _ := other.Issue(ctx, django.UserID)
		if status, _ := srv.Hello(t, op.Access); status != 401 {
			t.Errorf("Django accepts a token signed with another secret: %d", status)
		}
	})

	t.Run("Django to jwtguard", func(t *testing.T) {
		access, refresh := srv.Obtain(t, django.Username, django.Password)
		tok, err := guardVerifier.Verify(ctx, access)
		if err != nil {
			t.Fatalf("jwtguard's Guard verifier refuses Django's access token: %v", err)
		}
		if tok.Subject() != django.UserID {
			t.Errorf("subject %q, want %q", tok.Subject(), django.UserID)
		}
		// Refresh Django's refresh token through jwtguard's endpoint.
		resp, err := http.Post(goSrv.URL+"/api/token/refresh/", "application/json", strings.NewReader(`{"refresh":"`+refresh+`"}`))
		must(t, err)
		var pair struct{ Access, Refresh string }
		err = json.NewDecoder(resp.Body).Decode(&pair)
		resp.Body.Close()
		if resp.StatusCode != 200 || err != nil || pair.Access == "" || pair.Refresh == "" {
			t.Fatalf("jwtguard's refresh endpoint with Django's refresh token: %d %v", resp.StatusCode, err)
		}
		if status, body := srv.Hello(t, pair.Access); status != 200 || body != `{"message":"Hello, vitor"}` {
			t.Errorf("Django refuses jwtguard's refreshed access token: %d %s", status, body)
		}
		if status, _ := srv.Refresh(t, pair.Refresh); status != 200 {
			t.Errorf("Django refuses jwtguard's rotated refresh token: %d", status)
		}
		// jwtguard spent Django's refresh token: a second use is reuse.
		resp, err = http.Post(goSrv.URL+"/api/token/refresh/", "application/json", strings.NewReader(`{"refresh":"`+refresh+`"}`))
		must(t, err)
		resp.Body.Close()
		if resp.StatusCode != 401 {
			t.Errorf("jwtguard accepted Django's refresh token twice: %d", resp.StatusCode)
		}
	})
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
