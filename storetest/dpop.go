package storetest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/jwtguard/jwtguard"
)

// dpopOrigin is the public origin both instances of RunDPoPReplay answer
// at, as behind one load balancer.
const dpopOrigin = "https://api.example"

// RunDPoPReplay checks that the DPoP replay cache kept in a shared store
// is shared: two instances, each a [jwtguard.DPoPVerifier] on its own
// handle (a on one, b on the other) behind a real HTTP server, answer one
// public origin; a proof used at one is refused as a replay at the other,
// and of one proof sent to both many times at once, exactly one request
// passes.
func RunDPoPReplay(t *testing.T, a, b jwtguard.Store) {
	t.Helper()
	instances := [2]string{dpopInstance(t, a), dpopInstance(t, b)}
	prover := newDPoPProver(t)
	const path = "/resource"
	t.Run("ReplayAtOtherInstance", func(t *testing.T) {
		proof, err := prover.Proof(http.MethodGet, dpopOrigin+path, "", "")
		must(t, err)
		if status := dpopSend(t, instances[0]+path, proof); status != http.StatusOK {
			t.Fatalf("first use at instance A: %d", status)
		}
		if status := dpopSend(t, instances[1]+path, proof); status != http.StatusUnauthorized {
			t.Fatalf("replay at instance B: %d, want 401", status)
		}
		if status := dpopSend(t, instances[0]+path, proof); status != http.StatusUnauthorized {
			t.Fatalf("replay at instance A: %d, want 401", status)
		}
	})
	t.Run("ReplayConcurrently", func(t *testing.T) {
		proof, err := prover.Proof(http.MethodGet, dpopOrigin+path, "", "")
		must(t, err)
		var passed atomic.Int32
		var wg sync.WaitGroup
		start := make(chan struct{})
		for n := range Concurrency {
			wg.Go(func() {
				<-start
				if dpopSend(t, instances[n%2]+path, proof) == http.StatusOK {
					passed.Add(1)
				}
			})
		}
		close(start)
		wg.Wait()
		if n := passed.Load(); n != 1 {
			t.Fatalf("%d of %d requests with one proof passed, want 1", n, Concurrency)
		}
	})
}

// dpopInstance serves a resource that checks proofs with a verifier whose
// replay cache is s, and returns its URL. A refused proof answers 401,
// with the store unable to answer 503; any other refusal fails t.
func dpopInstance(t *testing.T, s jwtguard.Store) string {
	v, err := jwtguard.NewDPoPVerifier(jwtguard.WithDPoPStore(s), jwtguard.WithDPoPOrigin(dpopOrigin))
	must(t, err)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, err := v.Check(r, "", "")
		switch {
		case err == nil:
		case errors.Is(err, jwtguard.ErrDPoPReplay):
			w.WriteHeader(http.StatusUnauthorized)
		case errors.Is(err, jwtguard.ErrUnavailable):
			w.WriteHeader(http.StatusServiceUnavailable)
		default:
			t.Errorf("proof refused: %v", err)
			w.WriteHeader(http.StatusBadRequest)
		}
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func newDPoPProver(t *testing.T) *jwtguard.DPoPProver {
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	must(t, err)
	sk, err := jwtguard.NewSigningKey("", priv, jwtguard.ES256)
	must(t, err)
	p, err := jwtguard.NewDPoPProver(sk)
	must(t, err)
	return p
}

// dpopSend sends a GET with proof and returns the status.
func dpopSend(t *testing.T, url, proof string) int {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Error(err)
		return 0
	}
	req.Header.Set("DPoP", proof)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Error(err)
		return 0
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}
