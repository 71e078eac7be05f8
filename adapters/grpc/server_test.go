package jwtguardgrpc_test

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/grpc/test/bufconn"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/jwtguard/jwtguard"
)

// The test service, written as generated code would be: every unary
// method answers the subject of the token in its context ("" when
// anonymous), and the stream method sends it twice.
const service = "jwtguard.test.Who"

func whoAmI(ctx context.Context) *wrapperspb.StringValue {
	sub := ""
	if t, ok := jwtguard.FromContext(ctx); ok {
		sub = t.Subject()
	}
	return wrapperspb.String(sub)
}

func unaryMethod(name string) grpc.MethodDesc {
	return grpc.MethodDesc{
		MethodName: name,
		Handler: func(_ any, ctx context.Context, dec func(any) error, ic grpc.UnaryServerInterceptor) (any, error) {
			in := new(emptypb.Empty)
			if err := dec(in); err != nil {
				return nil, err
			}
			h := func(ctx context.Context, _ any) (any, error) { return whoAmI(ctx), nil }
			if ic == nil {
				return h(ctx, in)
			}
			return ic(ctx, in, &grpc.UnaryServerInfo{FullMethod: "/" + service + "/" + name}, h)
		},
	}
}

// serviceDesc has the unary methods names and the stream method "Stream".
func serviceDesc(names ...string) *grpc.ServiceDesc {
	d := &grpc.ServiceDesc{
		ServiceName: service,
		HandlerType: (*any)(nil),
		Streams: []grpc.StreamDesc{{
			StreamName:    "Stream",
			ServerStreams: true,
			Handler: func(_ any, ss grpc.ServerStream) error {
				if err := ss.RecvMsg(new(emptypb.Empty)); err != nil {
					return err
				}
				for range 2 {
					if err := ss.SendMsg(whoAmI(ss.Context())); err != nil {
						return err
					}
				}
				return nil
			},
		}},
	}
	for _, n := range names {
		d.Methods = append(d.Methods, unaryMethod(n))
	}
	return d
}

// transports are the two ways the tests reach a server: an in-memory
// connection and real TCP on the loopback interface.
var transports = []string{"bufconn", "tcp"}

// serve starts a gRPC server with opts, the test service and the health
// service, on transport, and returns a client connection to it. Both end
// with the test.
func serve(t testing.TB, transport string, opts []grpc.ServerOption, methods ...string) *grpc.ClientConn {
	t.Helper()
	srv := grpc.NewServer(opts...)
	srv.RegisterService(serviceDesc(methods...), struct{}{})
	healthpb.RegisterHealthServer(srv, health.NewServer())
	var (
		lis    net.Listener
		target string
		dial   []grpc.DialOption
	)
	switch transport {
	case "bufconn":
		bl := bufconn.Listen(1 << 20)
		lis, target = bl, "passthrough:///bufnet"
		dial = append(dial, grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) {
			return bl.DialContext(ctx)
		}))
	case "tcp":
		var err error
		if lis, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
			t.Fatal(err)
		}
		target = lis.Addr().String()
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(lis) }()
	conn, err := grpc.NewClient(target, append(dial, grpc.WithTransportCredentials(insecure.NewCredentials()))...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		conn.Close()
		srv.Stop()
		if err := <-done; err != nil && !errors.Is(err, grpc.ErrServerStopped) {
			t.Errorf("Serve: %v", err)
		}
	})
	return conn
}

// call invokes the unary method name with the metadata pairs md (key,
// value, ...) and returns the subject answered, the status and the
// trailer.
func call(t *testing.T, conn *grpc.ClientConn, name string, md ...string) (string, *status.Status, metadata.MD) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ctx = metadata.AppendToOutgoingContext(ctx, md...)
	var trailer metadata.MD
	out := new(wrapperspb.StringValue)
	err := conn.Invoke(ctx, "/"+service+"/"+name, &emptypb.Empty{}, out, grpc.Trailer(&trailer))
	return out.GetValue(), status.Convert(err), trailer
}

// refusal returns the ErrorInfo of st, or fails the test.
func refusal(t *testing.T, st *status.Status) *errdetails.ErrorInfo {
	t.Helper()
	for _, d := range st.Details() {
		if info, ok := d.(*errdetails.ErrorInfo); ok {
			return info
		}
	}
	t.Fatalf("status %v has no ErrorInfo", st)
	return nil
}

// checkRefusal checks a refused call: its code, its message, its kind in
// the details and in the trailer.
func checkRefusal(t *testing.T, st *status.Status, trailer metadata.MD, code codes.Code, msg, kind string) {
	t.Helper()
	if st.Code() != code || st.Message() != msg {
		t.Errorf("status = %v %q, want %v %q", st.Code(), st.Message(), code, msg)
	}
	if code == codes.OK {
		return
	}
	if info := refusal(t, st); info.Reason != kind || info.Domain != "jwtguard" {
		t.Errorf("ErrorInfo = %v, want reason %q", info, kind)
	}
	if got := trailer.Get("jwtguard-refusal"); len(got) != 1 || got[0] != kind {
		t.Errorf("trailer jwtguard-refusal = %q, want %q", got, kind)
	}
}

// testSecret is the HMAC secret of the tests' own guard.
var testSecret = []byte("jwtguard-grpc-test-secret-0123456789")

// newGuard returns a Guard that trusts testSecret, with opts.
func newGuard(t testing.TB, vopts []jwtguard.VerifierOption, gopts ...jwtguard.GuardOption) *jwtguard.Guard {
	t.Helper()
	k, err := jwtguard.NewHMACKey("", testSecret, jwtguard.HS256)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := jwtguard.NewKeySet(k)
	if err != nil {
		t.Fatal(err)
	}
	v, err := jwtguard.NewVerifier(keys, vopts...)
	if err != nil {
		t.Fatal(err)
	}
	g, err := jwtguard.NewGuard(v, gopts...)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// mint signs an access token for sub, valid for five minutes, with extra
// claims, under testSecret.
func mint(t testing.TB, sub string, extra jwt.MapClaims) string {
	t.Helper()
	now := time.Now()
	c := jwt.MapClaims{"token_type": "access", "jti": "jti-" + sub, "sub": sub, "iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix()}
	for k, v := range extra {
		c[k] = v
	}
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(testSecret)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
