package jwtguarddjango_test

import (
	"testing"

	"github.com/jwtguard/jwtguard/storetest"
)

// BenchmarkRefresh is a whole rotation (check, spend, and the new refresh
// token recorded as outstanding) on Django's tables.
func BenchmarkRefresh(b *testing.B) {
	for _, p := range projects {
		b.Run(p.name, func(b *testing.B) {
			storetest.BenchmarkRefresh(b, openProject(b, p.url(b)).Store())
		})
	}
}

// BenchmarkRevocationCheck is the check of an access token against both
// sides' records.
func BenchmarkRevocationCheck(b *testing.B) {
	for _, p := range projects {
		b.Run(p.name, func(b *testing.B) {
			storetest.BenchmarkRevocationCheck(b, openProject(b, p.url(b)).Store())
		})
	}
}
