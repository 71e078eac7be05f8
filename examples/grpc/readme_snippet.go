package main

import (
	"google.golang.org/grpc"

	"github.com/jwtguard/jwtguard"
	jwtguardgrpc "github.com/jwtguard/jwtguard/adapters/grpc"
)

// readmeSnippet is the README's gRPC snippet, here so that the compiler
// checks it (examples/internal/readme checks that the README shows it
// verbatim). It is compiled, never run.
func readmeSnippet(guard *jwtguard.Guard) (*grpc.Server, error) {
	ic, err := jwtguardgrpc.New(guard,
		jwtguardgrpc.WithPublicMethods(jwtguardgrpc.HealthAndReflection()...), // no token read at all
		jwtguardgrpc.WithPolicy("/tasks.v1.Tasks/Delete", jwtguard.IsAdmin()), // per full method name (or WithPolicies(map))
		jwtguardgrpc.WithDefaultPolicy(jwtguard.HasScope("tasks")))            // IsAuthenticated when unset
	if err != nil {
		return nil, err
	}
	srv := grpc.NewServer(grpc.ChainUnaryInterceptor(ic.Unary()), grpc.ChainStreamInterceptor(ic.Stream()))
	// in a handler: tok, ok := jwtguard.FromContext(ctx)
	return srv, nil
}

var _ = readmeSnippet
