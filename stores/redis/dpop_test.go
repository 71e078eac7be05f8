package redisstore_test

import (
	"testing"

	"github.com/jwtguard/jwtguard/storetest"
)

// TestDPoPReplayShared: two instances, each with its own client of one
// real Redis and the same key prefix, share the DPoP replay cache: a proof
// used at one is refused at the other.
func TestDPoPReplayShared(t *testing.T) {
	a, b := newClient(t), newClient(t)
	prefix := newPrefix(t, a)
	storetest.RunDPoPReplay(t, newStore(t, a, prefix), newStore(t, b, prefix))
}
