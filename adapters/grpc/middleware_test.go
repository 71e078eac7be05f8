package jwtguardgrpc_test

import (
	"context"
	"io"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors/auth"
	"github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors/recovery"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/jwtguard/jwtguard"
	jwtguardgrpc "github.com/jwtguard/jwtguard/adapters/grpc"
)

// AuthFunc in go-grpc-middleware v2's auth interceptors, chained with its
// recovery interceptor: the same answers as the interceptors' own, the
// token in the handler's context. A Unary interceptor after it reuses the
// token (a per-method policy on top) rather than verifying it again.
func TestGoGRPCMiddlewareAuth(t *testing.T) {
	var verified atomic.Int64 // a validator runs on every verification, cached or not
	g := newGuard(t, []jwtguard.VerifierOption{jwtguard.WithValidator(func(context.Context, *jwtguard.Token) error {
		verified.Add(1)
		return nil
	})})
	outer, err := jwtguardgrpc.New(g, jwtguardgrpc.WithPublicMethods("/"+service+"/Ping"))
	if err != nil {
		t.Fatal(err)
	}
	inner, err := jwtguardgrpc.New(g,
		jwtguardgrpc.WithPublicMethods("/"+service+"/Ping"),
		jwtguardgrpc.WithPolicy("/"+service+"/Admin", jwtguard.IsAdmin()))
	if err != nil {
		t.Fatal(err)
	}
	opts := []grpc.ServerOption{
		grpc.ChainUnaryInterceptor(recovery.UnaryServerInterceptor(), auth.UnaryServerInterceptor(outer.AuthFunc), inner.Unary()),
		grpc.ChainStreamInterceptor(recovery.StreamServerInterceptor(), auth.StreamServerInterceptor(outer.AuthFunc)),
	}
	alice := mint(t, "alice", nil)
	for _, tr := range transports {
		t.Run(tr, func(t *testing.T) {
			conn := serve(t, tr, opts, "Other", "Admin", "Ping")
			before := verified.Load()
			sub, st, _ := call(t, conn, "Other", "authorization", "Bearer "+alice)
			if st.Code() != codes.OK || sub != "alice" {
				t.Errorf("with a token: %v %q", st, sub)
			}
			if n := verified.Load() - before; n != 1 {
				t.Errorf("the token was verified %d times in one call", n)
			}
			_, st, trailer := call(t, conn, "Other")
			checkRefusal(t, st, trailer, codes.Unauthenticated, "Authentication credentials were not provided.", jwtguard.KindNoCredentials)
			_, st, trailer = call(t, conn, "Other", "authorization", "Bearer "+alice, "authorization", "Bearer "+alice)
			checkRefusal(t, st, trailer, codes.Unauthenticated, "Authorization header must contain two space-delimited values", jwtguard.KindMalformed)
			_, st, trailer = call(t, conn, "Admin", "authorization", "Bearer "+alice)
			checkRefusal(t, st, trailer, codes.PermissionDenied, "You do not have permission to perform this action.", jwtguard.KindForbidden)
			sub, st, _ = call(t, conn, "Admin", "authorization", "Bearer "+mint(t, "root", jwt.MapClaims{"is_staff": true}))
			if st.Code() != codes.OK || sub != "root" {
				t.Errorf("admin: %v %q", st, sub)
			}
			if _, st, _ = call(t, conn, "Ping"); st.Code() != codes.OK {
				t.Errorf("public method: %v", st)
			}

			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			for _, c := range []struct {
				md   []string
				code codes.Code
				sub  string
			}{{[]string{"authorization", "Bearer " + alice}, codes.OK, "alice"}, {nil, codes.Unauthenticated, ""}} {
				s, err := conn.NewStream(metadata.AppendToOutgoingContext(ctx, c.md...), &grpc.StreamDesc{ServerStreams: true}, "/"+service+"/Stream")
				if err != nil {
					t.Fatal(err)
				}
				s.SendMsg(&emptypb.Empty{})
				s.CloseSend()
				m := new(wrapperspb.StringValue)
				err = s.RecvMsg(m)
				for err == nil {
					err = s.RecvMsg(new(wrapperspb.StringValue))
				}
				if err == io.EOF {
					err = nil
				}
				if status.Code(err) != c.code || m.GetValue() != c.sub {
					t.Errorf("stream %v: %v %q", c.md, err, m.GetValue())
				}
				if c.code != codes.OK {
					checkRefusal(t, status.Convert(err), s.Trailer(), c.code, "Authentication credentials were not provided.", jwtguard.KindNoCredentials)
				}
			}
		})
	}
}

// Outside a server call, AuthFunc finds no method and refuses.
func TestAuthFuncOutsideACall(t *testing.T) {
	ic, err := jwtguardgrpc.New(newGuard(t, nil))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ic.AuthFunc(context.Background()); status.Code(err) != codes.Unauthenticated {
		t.Errorf("AuthFunc: %v", err)
	}
}
