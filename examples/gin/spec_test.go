package main

import (
	"net/http"
	"testing"

	"github.com/gin-gonic/gin"

	jwtguardgin "github.com/jwtguard/jwtguard/adapters/gin"
	"github.com/jwtguard/jwtguard/jwtguardtest"
)

// TestSpec runs jwtguard's shared spec through gin and the jwtguardgin
// adapter, mounted as this example mounts its API: the same statuses,
// challenges and bodies as plain net/http.
func TestSpec(t *testing.T) {
	jwtguardtest.RunSpec(t, func(s *jwtguardtest.SpecServer) http.Handler {
		r := gin.New()
		api := r.Group("", jwtguardgin.Authenticate(s.Guard))
		for _, rt := range s.Routes {
			api.Any(rt.Path, jwtguardgin.Require(s.Guard, rt.Policy), gin.WrapH(s.Handler))
		}
		return r
	})
}
