package jwtguard_test

import (
	"testing"

	"github.com/jwtguard/jwtguard"
	"github.com/jwtguard/jwtguard/storetest"
)

func TestMemoryStore(t *testing.T) {
	t.Parallel()
	storetest.Run(t, jwtguard.NewMemoryStore())
}

func TestMemoryStoreSharedHandle(t *testing.T) {
	t.Parallel()
	s := jwtguard.NewMemoryStore()
	storetest.RunShared(t, s, s)
}

// The issuer's session rules over one MemoryStore, shared by two issuers.
func TestMemoryStoreSessions(t *testing.T) {
	s := jwtguard.NewMemoryStore()
	storetest.RunSessions(t, s, s)
}
