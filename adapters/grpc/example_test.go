package jwtguardgrpc_test

import (
	"context"
	"fmt"
	"net"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/grpc/test/bufconn"

	"github.com/jwtguard/jwtguard"
	jwtguardgrpc "github.com/jwtguard/jwtguard/adapters/grpc"
)

// A gRPC server whose health check is public and whose other methods need
// a valid token. A valid token passes; a missing one, a malformed
// header and a hostile "alg: none" token get the Guard's refusals, with
// their kind.
func Example() {
	secret := []byte("the-signing-key-your-django-app-uses")
	key, _ := jwtguard.NewHMACKey("", secret, jwtguard.HS256)
	keys, _ := jwtguard.NewKeySet(key)
	verifier, _ := jwtguard.NewVerifier(keys)
	guard, _ := jwtguard.NewGuard(verifier)
	// Check is public; List (and every other method) has the default
	// policy, IsAuthenticated.
	ic, _ := jwtguardgrpc.New(guard, jwtguardgrpc.WithPublicMethods("/grpc.health.v1.Health/Check"))

	srv := grpc.NewServer(grpc.ChainUnaryInterceptor(ic.Unary()), grpc.ChainStreamInterceptor(ic.Stream()))
	healthpb.RegisterHealthServer(srv, health.NewServer())
	lis := bufconn.Listen(1 << 20)
	go srv.Serve(lis)
	defer srv.Stop()
	conn, _ := grpc.NewClient("passthrough:///bufnet", grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) }))
	defer conn.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{})
	fmt.Println("health:", status.Code(err))

	valid, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
		"token_type": "access", "jti": "0123456789abcdef", "user_id": 1, "exp": time.Now().Add(5 * time.Minute).Unix(),
	}).SignedString(secret)
	for _, auth := range []string{
		"Bearer " + valid,
		"",
		"Bearer a b",
		"Bearer eyJhbGciOiJub25lIn0.eyJ1c2VyX2lkIjoxfQ.",
	} {
		ctx := ctx
		if auth != "" {
			ctx = metadata.AppendToOutgoingContext(ctx, "authorization", auth)
		}
		var trailer metadata.MD
		_, err := healthpb.NewHealthClient(conn).List(ctx, &healthpb.HealthListRequest{}, grpc.Trailer(&trailer))
		st := status.Convert(err)
		fmt.Println(st.Code(), st.Message(), trailer.Get(jwtguardgrpc.RefusalTrailer))
	}
	// Output:
	// health: OK
	// OK  []
	// Unauthenticated Authentication credentials were not provided. [no_credentials]
	// Unauthenticated Authorization header must contain two space-delimited values [malformed_credentials]
	// Unauthenticated Token is invalid or expired [token_invalid]
}
