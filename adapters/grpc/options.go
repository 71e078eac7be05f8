package jwtguardgrpc

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/jwtguard/jwtguard"
)

// Option configures an [Interceptor].
type Option func(*config)

type config struct {
	policies map[string]jwtguard.Policy
	def      jwtguard.Policy
	public   map[string]bool
	errs     []error
}

func (c *config) fail(format string, args ...any) {
	c.errs = append(c.errs, fmt.Errorf("jwtguardgrpc: "+format, args...))
}

// WithPolicy sets the policy of one method, named by its full name
// ("/package.Service/Method", as grpc.UnaryServerInfo.FullMethod has it).
// Methods without a policy of their own get the default one
// ([WithDefaultPolicy]).
func WithPolicy(fullMethod string, p jwtguard.Policy) Option {
	return func(c *config) {
		if !validMethod(fullMethod) {
			c.fail("WithPolicy: %q is not a full method name (/package.Service/Method)", fullMethod)
			return
		}
		if p == nil {
			c.fail("WithPolicy(%q): nil policy", fullMethod)
			return
		}
		if _, dup := c.policies[fullMethod]; dup {
			c.fail("WithPolicy: %q has two policies", fullMethod)
			return
		}
		c.policies[fullMethod] = p
	}
}

// WithPolicies sets the policies of several methods at once, by full
// method name, as [WithPolicy] does for each.
func WithPolicies(policies map[string]jwtguard.Policy) Option {
	return func(c *config) {
		for _, m := range slices.Sorted(maps.Keys(policies)) { // problems in a stable order
			WithPolicy(m, policies[m])(c)
		}
	}
}

// WithDefaultPolicy sets the policy of every method that has none of its
// own. The default is [jwtguard.IsAuthenticated]: a method nobody thought
// about needs a valid token.
func WithDefaultPolicy(p jwtguard.Policy) Option {
	return func(c *config) {
		if p == nil {
			c.fail("WithDefaultPolicy: nil policy")
			return
		}
		c.def = p
	}
}

// WithPublicMethods names methods that need no token and are not
// authenticated at all: a token sent to them, even a bad one, is not read,
// and their handlers find no token in the context. Health checks and
// reflection are the usual ones ([HealthAndReflection]). Use a policy of
// [jwtguard.AllowAny] instead for a method that serves anonymous callers
// but reads the token of those that send one.
func WithPublicMethods(fullMethods ...string) Option {
	return func(c *config) {
		for _, m := range fullMethods {
			if !validMethod(m) {
				c.fail("WithPublicMethods: %q is not a full method name (/package.Service/Method)", m)
				continue
			}
			c.public[m] = true
		}
	}
}

// HealthAndReflection returns the full names of the methods of the gRPC
// health service (grpc.health.v1) and of server reflection (v1 and
// v1alpha), for [WithPublicMethods].
func HealthAndReflection() []string {
	return []string{
		"/grpc.health.v1.Health/Check",
		"/grpc.health.v1.Health/List",
		"/grpc.health.v1.Health/Watch",
		"/grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
		"/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
	}
}

// validMethod reports whether m has the form "/service/method", with
// neither part empty.
func validMethod(m string) bool {
	rest, ok := strings.CutPrefix(m, "/")
	if !ok {
		return false
	}
	service, method, ok := strings.Cut(rest, "/")
	return ok && service != "" && method != "" && !strings.Contains(method, "/")
}
