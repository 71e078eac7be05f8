package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

// callServer checks the health of the server at addr and calls Hello with
// token (none when empty), printing what each answered. A refusal is an
// answer, not an error: it prints the status and the refusal's kind.
func callServer(ctx context.Context, addr, token string, out io.Writer) error {
	// Plain text, for a server on this machine; use TLS credentials
	// elsewhere: a bearer token must not cross a network in clear.
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return err
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()

	h, err := healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{})
	if err != nil {
		return fmt.Errorf("health: %w", err)
	}
	fmt.Fprintln(out, "health:", h.GetStatus())

	if token != "" {
		ctx = metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+token)
	}
	var trailer metadata.MD
	reply := new(wrapperspb.StringValue)
	err = conn.Invoke(ctx, helloMethod, &emptypb.Empty{}, reply, grpc.Trailer(&trailer))
	if err != nil {
		st := status.Convert(err)
		fmt.Fprintf(out, "hello: %s: %s (%s)\n", st.Code(), st.Message(), strings.Join(trailer.Get("jwtguard-refusal"), ","))
		return nil
	}
	fmt.Fprintln(out, "hello:", reply.GetValue())
	return nil
}
