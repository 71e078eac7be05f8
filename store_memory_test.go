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
