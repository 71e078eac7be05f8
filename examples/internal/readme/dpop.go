package readme

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"net/http"

	"github.com/jwtguard/jwtguard"
)

// dpopServer is the README's DPoP section, the server's side.
func dpopServer(store jwtguard.Store, verifier *jwtguard.Verifier, issuer *jwtguard.Issuer, users jwtguard.Authenticator) error {
	dpop, err := jwtguard.NewDPoPVerifier(
		jwtguard.WithDPoPOrigin("https://api.example.com"), // as clients see it, behind the proxy
		jwtguard.WithDPoPStore(store))                      // a replay is refused at every instance
	if err != nil {
		return err
	}
	guard, err := jwtguard.NewGuard(verifier, jwtguard.WithDPoP(jwtguard.DPoPRequired, dpop))
	if err != nil {
		return err
	}
	endpoints, err := jwtguard.NewEndpoints(issuer, users, jwtguard.WithEndpointDPoP(dpop))
	if err != nil {
		return err
	}
	return use(guard, endpoints)
}

// dpopClient is the README's DPoP section, a Go client's side.
func dpopClient(ctx context.Context, accessToken string) error {
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader) // the client's, never sent
	if err != nil {
		return err
	}
	key, err := jwtguard.NewSigningKey("", priv, jwtguard.ES256)
	if err != nil {
		return err
	}
	prover, err := jwtguard.NewDPoPProver(key) // prover.Thumbprint(): what tokens are bound to
	if err != nil {
		return err
	}
	const url = "https://api.example.com/tasks"
	proof, err := prover.Proof(http.MethodGet, url, accessToken, "") // nonce: the last DPoP-Nonce
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "DPoP "+accessToken)
	req.Header.Set("DPoP", proof) // a new proof for every request
	return use(req)
}

// The snippets are compiled, never run: they would reach the network.
var _ = []any{dpopServer, dpopClient}
