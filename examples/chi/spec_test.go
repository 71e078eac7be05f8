package main

import (
	"net/http"
	"testing"

	"github.com/go-chi/chi/v5"

	"github.com/jwtguard/jwtguard/jwtguardtest"
)

// TestSpec runs jwtguard's shared spec through chi: the same statuses,
// challenges and bodies as plain net/http.
func TestSpec(t *testing.T) {
	jwtguardtest.RunSpec(t, func(s *jwtguardtest.SpecServer) http.Handler {
		r := chi.NewRouter()
		r.Use(s.Guard.Handler)
		for _, rt := range s.Routes {
			r.With(s.Guard.Require(rt.Policy)).Handle(rt.Path, s.Handler)
		}
		return r
	})
}
