package jwtguard_test

import (
	"errors"
	"net/http"
	"testing"

	"github.com/jwtguard/jwtguard"
)

// TestIssuerDPoPLogout: a bound refresh token is logged out only with a
// proof by its key, as it is refreshed: a thief with the token and no key
// can neither end the session nor, with a token a rotation spent, set off
// the reuse revocation. Through a real server, and through the Issuer.
func TestIssuerDPoPLogout(t *testing.T) {
	srv, iss := dpopApp(t)
	signIn, refresh, blacklist := srv.URL+"/api/token/", srv.URL+"/api/token/refresh/", srv.URL+"/api/token/blacklist/"
	client, thief := newProver(t), newProver(t)
	const creds = `{"username":"vitor","password":"123"}`
	pair := boundPairOf(t, post(t, signIn, "application/json", creds, proofHeader(t, client, signIn)...))
	spent := `{"refresh":"` + pair["refresh"] + `"}`
	pair = boundPairOf(t, post(t, refresh, "application/json", spent, proofHeader(t, client, refresh)...))
	body := `{"refresh":"` + pair["refresh"] + `"}`

	for _, c := range []struct {
		name   string
		body   string
		header []string
	}{
		{"no proof", body, nil},
		{"another key's proof", body, proofHeader(t, thief, blacklist)},
		{"the spent token, no proof", spent, nil},
		{"the spent token, another key's proof", spent, proofHeader(t, thief, blacklist)},
	} {
		if r := post(t, blacklist, "application/json", c.body, c.header...); r.status != http.StatusUnauthorized {
			t.Errorf("blacklist, %s: %d %s", c.name, r.status, r.body)
		}
	}
	if err := iss.Logout(t.Context(), pair["refresh"]); !errors.Is(err, jwtguard.ErrDPoPBoundToken) {
		t.Fatalf("Issuer.Logout of a bound token: %v", err)
	}
	if err := iss.LogoutDPoP(t.Context(), pair["refresh"], thief.Thumbprint()); !errors.Is(err, jwtguard.ErrDPoPKeyMismatch) {
		t.Fatalf("Issuer.LogoutDPoP with another key: %v", err)
	}
	// The session lived through all of it.
	pair = boundPairOf(t, post(t, refresh, "application/json", body, proofHeader(t, client, refresh)...))
	body = `{"refresh":"` + pair["refresh"] + `"}`
	proof := proofHeader(t, client, blacklist)
	if r := post(t, blacklist, "application/json", body, proof...); r.status != http.StatusOK {
		t.Fatalf("blacklist with the client's proof: %d %s", r.status, r.body)
	}
	if r := post(t, refresh, "application/json", body, proofHeader(t, client, refresh)...); r.status != http.StatusUnauthorized {
		t.Fatalf("refresh after logout: %d %s", r.status, r.body)
	}
	// A bearer pair logs out as before.
	plain := boundPairOf(t, post(t, signIn, "application/json", creds))
	if r := post(t, blacklist, "application/json", `{"refresh":"`+plain["refresh"]+`"}`); r.status != http.StatusOK {
		t.Fatalf("blacklist of a bearer refresh token: %d %s", r.status, r.body)
	}
}
