package jwtguard_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard"
)

// floodEntries stands for DefaultDPoPReplayEntries in the flood tests: a
// share of 4 entries a key.
const floodEntries = 64

// TestGuardDPoPFloodByOneKey: a client with its own bound token floods
// the in-memory replay cache with valid proofs dated ahead (iat = now +
// leeway); past its key's share they are refused, and another client's
// fresh proof still passes, through a real server.
func TestGuardDPoPFloodByOneKey(t *testing.T) {
	v := newDPoPVerifier(t, jwtguard.WithDPoPReplayEntries(floodEntries))
	srv := dpopGuardServer(t, jwtguard.WithDPoP(jwtguard.DPoPAllowed, v))
	url := srv.URL + "/tasks"
	attacker, victim := newDPoPKey(t, "ES256"), newDPoPKey(t, "ES256")
	atok, vtok := boundToken(t, attacker.thumbprint(t)), boundToken(t, victim.thumbprint(t))
	passed := 0
	for i := 0; i < floodEntries; i++ {
		p := attacker.proof(t, http.MethodGet, url, atok, func(p *proofParts) { p.claims["iat"] = time.Now().Unix() + 5 })
		switch a := call(t, url, "DPoP", atok, p); a.status {
		case http.StatusOK:
			passed++
		case http.StatusUnauthorized:
			if !a.has("DPoP", `error="invalid_dpop_proof"`) {
				t.Fatalf("flood proof %d refused with %+v", i, a)
			}
		default:
			t.Fatalf("flood proof %d: %+v", i, a)
		}
	}
	if passed != floodEntries/16 {
		t.Errorf("%d flood proofs of one key passed, want its share, %d", passed, floodEntries/16)
	}
	if a := call(t, url, "DPoP", vtok, victim.proof(t, http.MethodGet, url, vtok, nil)); a.status != http.StatusOK {
		t.Fatalf("victim's fresh proof after another key's flood: %+v", a)
	}
}

// TestDPoPFutureProofHeldUntilStale: a proof dated leeway ahead passes
// until iat + window + leeway, so it is held that long: replayed at the
// last second it passes, it is a replay. (Counting its "iat" as now for
// the cache's expiry would make it pass again here.)
func TestDPoPFutureProofHeldUntilStale(t *testing.T) {
	start := time.Now().Truncate(time.Second)
	now := start
	v := newDPoPVerifier(t, jwtguard.WithClock(func() time.Time { return now }))
	const uri = "https://api.example/tasks"
	req := jwtguard.DPoPRequest{Method: http.MethodPost, URIs: []string{uri}}
	k := newDPoPKey(t, "ES256")
	p := k.proof(t, http.MethodPost, uri, "", func(p *proofParts) { p.claims["iat"] = start.Unix() + 5 })
	if _, err := v.Verify(t.Context(), p, req); err != nil {
		t.Fatal(err)
	}
	for _, at := range []time.Duration{time.Minute, jwtguard.DefaultDPoPWindow + jwtguard.DefaultDPoPLeeway + 2*time.Second,
		5*time.Second + jwtguard.DefaultDPoPWindow + jwtguard.DefaultDPoPLeeway} {
		now = start.Add(at)
		// Another proof each second, so that expired entries are dropped.
		if _, err := v.Verify(t.Context(), k.proof(t, http.MethodPost, uri, "", func(p *proofParts) { p.claims["iat"] = now.Unix() }), req); err != nil {
			t.Fatal(err)
		}
		if _, err := v.Verify(t.Context(), p, req); !errors.Is(err, jwtguard.ErrDPoPReplay) {
			t.Fatalf("the proof dated ahead, replayed %v later: %v", at, err)
		}
	}
}

// TestEndpointsDPoPSignInFlood: with no account at all, a flood of valid
// proofs with wrong passwords at the sign-in endpoint, or with a bad
// refresh token at the refresh endpoint, spends nothing (the proof is
// spent only after the password, or the refresh token, passed), and a
// DPoP sign-in with the right password is then 200.
func TestEndpointsDPoPSignInFlood(t *testing.T) {
	iss, _ := newIssuer(t, newTestClock())
	v := newDPoPVerifier(t, jwtguard.WithDPoPReplayEntries(floodEntries))
	e, err := jwtguard.NewEndpoints(iss, testUsers, jwtguard.WithEndpointDPoP(v))
	must(t, err)
	mux := http.NewServeMux()
	e.Register(mux, "/api/token/")
	srv := httptest.NewServer(mux)
	defer srv.Close()
	signIn := srv.URL + "/api/token/"
	refresh := srv.URL + "/api/token/refresh/"
	var keys []*dpopKey
	for range floodEntries / 4 {
		keys = append(keys, newDPoPKey(t, "ES256"))
	}
	var proofs []string
	for i := range floodEntries {
		k := keys[i%len(keys)]
		p := k.proof(t, http.MethodPost, signIn, "", func(p *proofParts) { p.claims["iat"] = time.Now().Unix() + 5 })
		proofs = append(proofs, p)
		if r := post(t, signIn, "application/json", `{"username":"nobody","password":"x"}`, "DPoP", p); r.status != http.StatusUnauthorized {
			t.Fatalf("flood %d: %d %s", i, r.status, r.body)
		}
		// The refresh endpoint, with a refresh token that fails, spends
		// nothing either.
		p = k.proof(t, http.MethodPost, refresh, "", func(p *proofParts) { p.claims["iat"] = time.Now().Unix() + 5 })
		if r := post(t, refresh, "application/json", `{"refresh":"not-a-token"}`, "DPoP", p); r.status != http.StatusUnauthorized {
			t.Fatalf("refresh flood %d: %d %s", i, r.status, r.body)
		}
	}
	client := newProver(t)
	if r := post(t, signIn, "application/json", `{"username":"vitor","password":"123"}`, proofHeader(t, client, signIn)...); r.status != http.StatusOK {
		t.Fatalf("DPoP sign-in after an anonymous flood: %d %s", r.status, r.body)
	}
	// A proof is spent by the sign-in that succeeds with it.
	if r := post(t, signIn, "application/json", `{"username":"vitor","password":"123"}`, "DPoP", proofs[0]); r.status != http.StatusOK {
		t.Fatalf("sign-in with a proof a failed sign-in carried: %d %s", r.status, r.body)
	}
	if r := post(t, signIn, "application/json", `{"username":"vitor","password":"123"}`, "DPoP", proofs[0]); r.status != http.StatusBadRequest {
		t.Fatalf("the same proof again: %d %s", r.status, r.body)
	}
}
