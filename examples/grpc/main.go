// Command grpc is a gRPC server protected by jwtguard: the health service
// (grpc.health.v1) answers anyone; example.v1.Greeter/Hello answers
// "Hello, <subject>" to a caller with a valid token and the "hello" scope.
//
//	export JWT_SIGNING_KEY=$(openssl rand -hex 32)
//	go run ./examples/grpc                           # listens on 127.0.0.1:50051
//	export JWT=$(go run ./cmd/jwtguard mint -simplejwt -hmac-secret-env JWT_SIGNING_KEY -claim sub=alice -claim scope=hello)
//	go run ./examples/grpc -call 127.0.0.1:50051     # a client: health, then Hello with $JWT
//
// Keys: the HMAC secret in JWT_SIGNING_KEY or -hmac-secret-file, or the
// public keys of -jwks-file (as `jwtguard keygen -jwks` writes them).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/jwtguard/jwtguard"
	jwtguardgrpc "github.com/jwtguard/jwtguard/adapters/grpc"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv); err != nil {
		fmt.Fprintln(os.Stderr, "grpc:", err)
		os.Exit(1)
	}
}

// run serves, or calls a server under -call, until ctx ends.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	fs := flag.NewFlagSet("grpc", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:50051", "address to listen on")
	secretFile := fs.String("hmac-secret-file", "", "a file holding the HMAC secret (default: $JWT_SIGNING_KEY)")
	jwksFile := fs.String("jwks-file", "", "a JWK Set file of trusted public keys")
	call := fs.String("call", "", "call the server at this address with the token in $JWT, instead of serving")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *call != "" {
		return callServer(ctx, *call, getenv("JWT"), stdout)
	}
	keys, err := loadKeys(*secretFile, *jwksFile, getenv("JWT_SIGNING_KEY"))
	if err != nil {
		return err
	}
	log := slog.New(slog.NewJSONHandler(stderr, nil))
	srv, err := newServer(keys, log)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	log.Info("serving gRPC", "addr", ln.Addr().String())
	return serve(ctx, srv, ln)
}

// newServer returns the gRPC server: the health service public, Hello for
// tokens with the "hello" scope, every other method for any valid token.
func newServer(keys jwtguard.KeyProvider, log *slog.Logger) (*grpc.Server, error) {
	v, err := jwtguard.NewVerifier(keys)
	if err != nil {
		return nil, err
	}
	g, err := jwtguard.NewGuard(v, jwtguard.WithLogger(log))
	if err != nil {
		return nil, err
	}
	ic, err := jwtguardgrpc.New(g,
		jwtguardgrpc.WithPublicMethods(jwtguardgrpc.HealthAndReflection()...),
		jwtguardgrpc.WithPolicy(helloMethod, jwtguard.HasScope("hello")))
	if err != nil {
		return nil, err
	}
	srv := grpc.NewServer(
		grpc.ChainUnaryInterceptor(ic.Unary()),
		grpc.ChainStreamInterceptor(ic.Stream()),
		grpc.ConnectionTimeout(10*time.Second),
		grpc.MaxRecvMsgSize(1<<20),
		grpc.MaxHeaderListSize(16<<10))
	srv.RegisterService(&greeterDesc, struct{}{})
	healthpb.RegisterHealthServer(srv, health.NewServer())
	return srv, nil
}

// serve runs srv on ln until ctx ends, then lets calls in flight finish
// for up to ten seconds.
func serve(ctx context.Context, srv *grpc.Server, ln net.Listener) error {
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	stopped := make(chan struct{})
	go func() { srv.GracefulStop(); close(stopped) }()
	select {
	case <-stopped:
	case <-time.After(10 * time.Second):
		srv.Stop()
	}
	if err := <-done; err != nil && !errors.Is(err, grpc.ErrServerStopped) {
		return err
	}
	return nil
}

// loadKeys returns the keys the flags (or the environment) name.
func loadKeys(secretFile, jwksFile, envSecret string) (jwtguard.KeyProvider, error) {
	var keys []*jwtguard.Key
	switch {
	case jwksFile != "":
		data, err := os.ReadFile(jwksFile)
		if err != nil {
			return nil, err
		}
		if keys, err = jwtguard.ParseJWKSet(data); err != nil {
			return nil, err
		}
	case secretFile != "" || envSecret != "":
		secret := envSecret
		if secretFile != "" {
			data, err := os.ReadFile(secretFile)
			if err != nil {
				return nil, err
			}
			secret = strings.TrimRight(string(data), "\r\n")
		}
		k, err := jwtguard.NewHMACKey("", []byte(secret), jwtguard.HS256)
		if err != nil {
			return nil, err
		}
		keys = append(keys, k)
	default:
		return nil, errors.New("no keys: set JWT_SIGNING_KEY, or give -hmac-secret-file or -jwks-file")
	}
	return jwtguard.NewKeySet(keys...)
}
