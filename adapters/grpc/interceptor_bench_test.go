package jwtguardgrpc_test

import (
	"context"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/jwtguard/jwtguard"
	jwtguardgrpc "github.com/jwtguard/jwtguard/adapters/grpc"
)

// The unary interceptor's own cost, in process, without a transport: a
// valid token (a verified-token cache hit after the first call), no
// token, and a public method.
func BenchmarkUnary(b *testing.B) {
	g := newGuard(b, nil)
	ic, err := jwtguardgrpc.New(g, jwtguardgrpc.WithPublicMethods("/"+service+"/Ping"))
	if err != nil {
		b.Fatal(err)
	}
	unary := ic.Unary()
	handler := func(ctx context.Context, _ any) (any, error) {
		if _, ok := jwtguard.FromContext(ctx); !ok {
			return nil, nil
		}
		return ctx, nil
	}
	token := mint(b, "alice", nil)
	for _, c := range []struct {
		name, method string
		md           metadata.MD
	}{
		{"valid", "Other", metadata.Pairs("authorization", "Bearer "+token, "user-agent", "grpc-go/1.84.0", "content-type", "application/grpc")},
		{"missing", "Other", metadata.Pairs("user-agent", "grpc-go/1.84.0", "content-type", "application/grpc")},
		{"public", "Ping", metadata.Pairs("authorization", "Bearer "+token)},
	} {
		b.Run(c.name, func(b *testing.B) {
			info := &grpc.UnaryServerInfo{FullMethod: "/" + service + "/" + c.method}
			ctx := metadata.NewIncomingContext(context.Background(), c.md)
			ctx = grpc.NewContextWithServerTransportStream(ctx, benchStream(info.FullMethod))
			b.ReportAllocs()
			for b.Loop() {
				unary(ctx, nil, info, handler)
			}
		})
	}
}

// benchStream stands for the transport's stream that a server puts in
// every call's context, which takes the refusal's trailer.
type benchStream string

func (s benchStream) Method() string                { return string(s) }
func (benchStream) SetHeader(metadata.MD) error     { return nil }
func (benchStream) SendHeader(metadata.MD) error    { return nil }
func (benchStream) SetTrailer(md metadata.MD) error { return nil }

// A whole call over bufconn, client and server in process, without an
// interceptor and with one and a valid token: what the interceptor adds
// to a call that goes through the transport.
func BenchmarkCall(b *testing.B) {
	token := mint(b, "alice", nil)
	ic, err := jwtguardgrpc.New(newGuard(b, nil))
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name string
		opts []grpc.ServerOption
	}{
		{"none", nil},
		{"jwtguard", []grpc.ServerOption{grpc.ChainUnaryInterceptor(ic.Unary())}},
	} {
		b.Run(c.name, func(b *testing.B) {
			conn := serve(b, "bufconn", c.opts, "Other")
			ctx := metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer "+token)
			b.ReportAllocs()
			for b.Loop() {
				out := new(wrapperspb.StringValue)
				if err := conn.Invoke(ctx, "/"+service+"/Other", &emptypb.Empty{}, out); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
