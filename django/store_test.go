package jwtguarddjango_test

import (
	"testing"

	"github.com/jwtguard/jwtguard/django"
	"github.com/jwtguard/jwtguard/storetest"
)

// The store keeps the Store contract on Django's tables.
func TestStoreContract(t *testing.T) {
	eachProject(t, func(t *testing.T, _ string, d *jwtguarddjango.DB) {
		storetest.Run(t, d.Store())
	})
}

// Two handles, as two processes have, on one database.
func TestStoreShared(t *testing.T) {
	for _, p := range projects {
		t.Run(p.name, func(t *testing.T) {
			u := p.url(t)
			storetest.RunShared(t, openProject(t, u).Store(), openProject(t, u).Store())
		})
	}
}
