package jwtguard_test

import (
	"net/http"
	"testing"

	"github.com/jwtguard/jwtguard/jwtguardtest"
)

// TestSpec runs the shared spec through plain net/http: a ServeMux with
// Guard.Require on each route.
func TestSpec(t *testing.T) {
	jwtguardtest.RunSpec(t, func(s *jwtguardtest.SpecServer) http.Handler {
		mux := http.NewServeMux()
		for _, rt := range s.Routes {
			mux.Handle(rt.Path, s.Guard.Require(rt.Policy)(s.Handler))
		}
		return mux
	})
}

// TestSpecHandlerThenRequire runs the spec with Guard.Handler in front of
// the mux, so Require finds the token in the context instead of verifying.
func TestSpecHandlerThenRequire(t *testing.T) {
	jwtguardtest.RunSpec(t, func(s *jwtguardtest.SpecServer) http.Handler {
		mux := http.NewServeMux()
		for _, rt := range s.Routes {
			mux.Handle(rt.Path, s.Guard.Require(rt.Policy)(s.Handler))
		}
		return s.Guard.Handler(mux)
	})
}
