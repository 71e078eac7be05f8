package main

import (
	"net/http"
	"testing"

	"github.com/labstack/echo/v4"

	jwtguardecho "github.com/jwtguard/jwtguard/adapters/echo"
	"github.com/jwtguard/jwtguard/jwtguardtest"
)

// TestSpec runs jwtguard's shared spec through echo and the jwtguardecho
// adapter, mounted as this example mounts its API: the same statuses,
// challenges and bodies as plain net/http.
func TestSpec(t *testing.T) {
	jwtguardtest.RunSpec(t, func(s *jwtguardtest.SpecServer) http.Handler {
		e := echo.New()
		api := e.Group("", jwtguardecho.Authenticate(s.Guard))
		for _, rt := range s.Routes {
			api.Any(rt.Path, echo.WrapHandler(s.Handler), jwtguardecho.Require(s.Guard, rt.Policy))
		}
		return e
	})
}
