package jwtguard_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard"
)

// FuzzDPoPProof feeds arbitrary DPoP headers to the proof verifier: it
// must never panic or hang, every refusal must match ErrDPoPProof and one
// sentinel, and a proof it accepts must be refused as a replay the second
// time.
func FuzzDPoPProof(f *testing.F) {
	const uri = "https://api.example/r"
	now := time.Now()
	v := newDPoPVerifier(f, jwtguard.WithClock(func() time.Time { return now }))
	req := jwtguard.DPoPRequest{Method: "POST", URIs: []string{uri}, AccessToken: dpopAccessToken}
	for _, alg := range []string{"ES256", "RS256", "EdDSA"} {
		k := newDPoPKey(f, alg)
		f.Add(k.proof(f, "POST", uri, dpopAccessToken, nil))
		f.Add(k.proof(f, "POST", "HTTPS://API.example:443/./r?x#y", dpopAccessToken, func(p *proofParts) {
			p.header["jwk"] = with(k.jwk, "key_ops", []string{"verify"})
			p.claims["extra"] = map[string]any{"a": []any{1, "b", nil, true}}
		}))
	}
	f.Add("eyJhbGciOiJub25lIn0.e30.")
	f.Add("a.b.c")
	f.Add(strings.Repeat("e", jwtguard.MaxDPoPProofSize+1))
	f.Fuzz(func(t *testing.T, proof string) {
		p, err := v.Verify(context.Background(), proof, req)
		if err != nil {
			if !errors.Is(err, jwtguard.ErrDPoPProof) {
				t.Fatalf("refusal %v does not match ErrDPoPProof", err)
			}
			sentinelOf(t, err)
			return
		}
		if len(p.Thumbprint) != 43 || p.ID == "" || p.Key == nil {
			t.Fatalf("accepted proof %+v", p)
		}
		if _, err := v.Verify(context.Background(), proof, req); !errors.Is(err, jwtguard.ErrDPoPReplay) {
			t.Fatalf("accepted twice: %v", err)
		}
	})
}
