package redisstore_test

import (
	"testing"

	"github.com/jwtguard/jwtguard/storetest"
)

// The issuer's session rules (reuse grace, single-use tokens) over two
// stores on two clients, as two instances of a service would have.
func TestSessions(t *testing.T) {
	a, b := newClient(t), newClient(t)
	prefix := newPrefix(t, a)
	storetest.RunSessions(t, newStore(t, a, prefix), newStore(t, b, prefix))
}
