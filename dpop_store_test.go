package jwtguard_test

import (
	"net/http"
	"testing"

	"github.com/jwtguard/jwtguard"
	"github.com/jwtguard/jwtguard/storetest"
)

// TestDPoPStoreShared: the replay cache through a Store, here one
// MemoryStore behind two verifiers, as one process with two instances.
func TestDPoPStoreShared(t *testing.T) {
	s := jwtguard.NewMemoryStore()
	storetest.RunDPoPReplay(t, s, s)
}

// TestDPoPStoreUnavailable: a replay cache whose store cannot answer
// fails the proof closed, with ErrUnavailable, whose cause stays out of
// what the client may be shown.
func TestDPoPStoreUnavailable(t *testing.T) {
	v := newDPoPVerifier(t, jwtguard.WithDPoPStore(failingStore{}))
	srv := dpopServer(t, v, "", "")
	k := newDPoPKey(t, "ES256")
	status, body := send(t, http.MethodGet, srv.URL+"/r", k.proof(t, http.MethodGet, srv.URL+"/r", "", nil))
	if status != http.StatusUnauthorized || body != jwtguard.ErrUnavailable.Error() {
		t.Fatalf("got %d %q, want the unavailable sentinel", status, body)
	}
}
