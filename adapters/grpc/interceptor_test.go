package jwtguardgrpc_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/jwtguard/jwtguard"
	jwtguardgrpc "github.com/jwtguard/jwtguard/adapters/grpc"
)

func interceptors(t *testing.T, g *jwtguard.Guard, opts ...jwtguardgrpc.Option) []grpc.ServerOption {
	t.Helper()
	ic, err := jwtguardgrpc.New(g, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return []grpc.ServerOption{grpc.ChainUnaryInterceptor(ic.Unary()), grpc.ChainStreamInterceptor(ic.Stream())}
}

// Per-method policies, the default policy, public methods and the token
// in the handler's context, over bufconn and real TCP.
func TestUnaryPolicies(t *testing.T) {
	alice := mint(t, "alice", nil)
	admin := mint(t, "root", jwt.MapClaims{"is_staff": true})
	reader := mint(t, "bob", jwt.MapClaims{"scope": "tasks:read"})
	const (
		noCreds = "Authentication credentials were not provided."
		denied  = "You do not have permission to perform this action."
		invalid = "Token is invalid or expired"
	)
	for _, tr := range transports {
		t.Run(tr, func(t *testing.T) {
			conn := serve(t, tr, interceptors(t, newGuard(t, nil),
				jwtguardgrpc.WithPolicy("/"+service+"/Open", jwtguard.AllowAny()),
				jwtguardgrpc.WithPolicies(map[string]jwtguard.Policy{
					"/" + service + "/Admin": jwtguard.IsAdmin(),
					"/" + service + "/Read":  jwtguard.HasScope("tasks:read"),
				}),
				jwtguardgrpc.WithPublicMethods("/"+service+"/Ping"),
			), "Open", "Admin", "Read", "Other", "Ping")
			for _, c := range []struct {
				name, method, token string
				code                codes.Code
				sub, msg, kind      string
			}{
				{"default needs a token", "Other", "", codes.Unauthenticated, "", noCreds, jwtguard.KindNoCredentials},
				{"default with a token", "Other", alice, codes.OK, "alice", "", ""},
				{"AllowAny anonymous", "Open", "", codes.OK, "", "", ""},
				{"AllowAny reads the token", "Open", alice, codes.OK, "alice", "", ""},
				{"AllowAny still refuses a bad token", "Open", alice + "x", codes.Unauthenticated, "", invalid, jwtguard.KindTokenInvalid},
				{"admin refused", "Admin", alice, codes.PermissionDenied, "", denied, jwtguard.KindForbidden},
				{"admin anonymous is unauthenticated", "Admin", "", codes.Unauthenticated, "", noCreds, jwtguard.KindNoCredentials},
				{"admin allowed", "Admin", admin, codes.OK, "root", "", ""},
				{"scope refused", "Read", alice, codes.PermissionDenied, "", denied, jwtguard.KindScope},
				{"scope granted", "Read", reader, codes.OK, "bob", "", ""},
				{"public method anonymous", "Ping", "", codes.OK, "", "", ""},
				{"public method ignores a bad token", "Ping", "garbage", codes.OK, "", "", ""},
			} {
				t.Run(c.name, func(t *testing.T) {
					var md []string
					if c.token != "" {
						md = []string{"authorization", "Bearer " + c.token}
					}
					sub, st, trailer := call(t, conn, c.method, md...)
					checkRefusal(t, st, trailer, c.code, c.msg, c.kind)
					if sub != c.sub {
						t.Errorf("subject = %q, want %q", sub, c.sub)
					}
				})
			}
		})
	}
}

// Under the Guard's WithCredentialsOptional a bad token makes the call
// anonymous, as over HTTP; the policy then decides.
func TestCredentialsOptional(t *testing.T) {
	conn := serve(t, "bufconn", interceptors(t, newGuard(t, nil, jwtguard.WithCredentialsOptional()),
		jwtguardgrpc.WithPolicy("/"+service+"/Open", jwtguard.AllowAny())), "Open", "Other")
	if sub, st, _ := call(t, conn, "Open", "authorization", "Bearer garbage"); st.Code() != codes.OK || sub != "" {
		t.Errorf("AllowAny with a bad token: %v %q", st, sub)
	}
	_, st, trailer := call(t, conn, "Other", "authorization", "Bearer garbage")
	checkRefusal(t, st, trailer, codes.Unauthenticated, "Authentication credentials were not provided.", jwtguard.KindNoCredentials)
}

// A scope refusal names the scopes asked for in its ErrorInfo.
func TestScopeInDetails(t *testing.T) {
	conn := serve(t, "bufconn", interceptors(t, newGuard(t, nil),
		jwtguardgrpc.WithDefaultPolicy(jwtguard.HasScope("tasks:read", "tasks:write"))), "Read")
	_, st, _ := call(t, conn, "Read", "authorization", "Bearer "+mint(t, "alice", nil))
	if info := refusal(t, st); info.Metadata["scope"] != "tasks:read tasks:write" {
		t.Errorf("ErrorInfo metadata = %v", info.Metadata)
	}
}

// The health service answers without a token when it is public, and is
// guarded like any other service when it is not.
func TestHealthAndReflectionPublic(t *testing.T) {
	check := func(conn *grpc.ClientConn) codes.Code {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_, err := healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{})
		return status.Code(err)
	}
	open := serve(t, "tcp", interceptors(t, newGuard(t, nil),
		jwtguardgrpc.WithPublicMethods(jwtguardgrpc.HealthAndReflection()...)))
	if got := check(open); got != codes.OK {
		t.Errorf("public health check: %v", got)
	}
	closed := serve(t, "tcp", interceptors(t, newGuard(t, nil)))
	if got := check(closed); got != codes.Unauthenticated {
		t.Errorf("health check with no public methods: %v", got)
	}
}

// A server stream is checked when it opens, and its handler reads the
// token from the stream's context.
func TestStream(t *testing.T) {
	for _, tr := range transports {
		t.Run(tr, func(t *testing.T) {
			conn := serve(t, tr, interceptors(t, newGuard(t, nil)))
			open := func(md ...string) ([]string, *status.Status, metadata.MD) {
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				ctx = metadata.AppendToOutgoingContext(ctx, md...)
				s, err := conn.NewStream(ctx, &grpc.StreamDesc{ServerStreams: true}, "/"+service+"/Stream")
				if err != nil {
					return nil, status.Convert(err), nil
				}
				if err := s.SendMsg(&emptypb.Empty{}); err != nil {
					t.Fatal(err)
				}
				s.CloseSend()
				var got []string
				for {
					m := new(wrapperspb.StringValue)
					if err := s.RecvMsg(m); err != nil {
						if err == io.EOF {
							err = nil
						}
						return got, status.Convert(err), s.Trailer()
					}
					got = append(got, m.GetValue())
				}
			}
			got, st, _ := open("authorization", "Bearer "+mint(t, "alice", nil))
			if st.Code() != codes.OK || strings.Join(got, ",") != "alice,alice" {
				t.Errorf("stream with a token: %v %v", got, st)
			}
			got, st, trailer := open()
			if len(got) != 0 {
				t.Errorf("refused stream sent %v", got)
			}
			checkRefusal(t, st, trailer, codes.Unauthenticated, "Authentication credentials were not provided.", jwtguard.KindNoCredentials)
			_, st, trailer = open("authorization", "Bearer "+mint(t, "alice", jwt.MapClaims{"exp": time.Now().Add(-time.Minute).Unix()}))
			checkRefusal(t, st, trailer, codes.Unauthenticated, "Token is invalid or expired", jwtguard.KindTokenInvalid)
		})
	}
}

// The Guard's log names the method and the peer of a refused call, and the
// client's status carries none of the cause.
func TestRefusalLogged(t *testing.T) {
	var buf bytes.Buffer
	g := newGuard(t, nil, jwtguard.WithLogger(slog.New(slog.NewTextHandler(&buf, nil))))
	conn := serve(t, "tcp", interceptors(t, g), "Other")
	_, st, _ := call(t, conn, "Other", "authorization", "Bearer "+mint(t, "alice", nil)[:30])
	if st.Code() != codes.Unauthenticated || strings.Contains(st.Message(), "jwtguard") {
		t.Errorf("status = %v", st)
	}
	log := buf.String()
	for _, want := range []string{"method=POST", "path=/" + service + "/Other", "remote=127.0.0.1:", "error="} {
		if !strings.Contains(log, want) {
			t.Errorf("log %q lacks %q", log, want)
		}
	}
}

// An Interceptor that New did not make fails closed, and does not panic.
func TestZeroInterceptor(t *testing.T) {
	for _, ic := range []*jwtguardgrpc.Interceptor{nil, {}} {
		conn := serve(t, "bufconn", []grpc.ServerOption{grpc.ChainUnaryInterceptor(ic.Unary())}, "Other")
		_, st, trailer := call(t, conn, "Other", "authorization", "Bearer "+mint(t, "alice", nil))
		checkRefusal(t, st, trailer, codes.Unavailable, "Service temporarily unavailable, try again later.", jwtguard.KindUnavailable)
	}
}

// New reports every problem at once, and never panics.
func TestNewErrors(t *testing.T) {
	_, err := jwtguardgrpc.New(nil,
		jwtguardgrpc.WithPolicy("Svc/Method", jwtguard.AllowAny()),
		jwtguardgrpc.WithPolicy("/Svc/M", nil),
		jwtguardgrpc.WithDefaultPolicy(nil),
		jwtguardgrpc.WithPublicMethods("/Svc/"),
		nil)
	if err == nil {
		t.Fatal("no error")
	}
	if n := strings.Count(err.Error(), "\n") + 1; n != 6 {
		t.Errorf("%d problems reported, want 6:\n%v", n, err)
	}
	_, err = jwtguardgrpc.New(newGuard(t, nil),
		jwtguardgrpc.WithPolicy("/Svc/M", jwtguard.AllowAny()),
		jwtguardgrpc.WithPolicies(map[string]jwtguard.Policy{"/Svc/M": jwtguard.IsAdmin(), "/Svc/O": nil}),
		jwtguardgrpc.WithPublicMethods("/Svc/N", "/Svc/M"))
	if err == nil || !strings.Contains(err.Error(), "two policies") || !strings.Contains(err.Error(), "both public") ||
		!strings.Contains(err.Error(), `WithPolicy("/Svc/O"): nil policy`) {
		t.Errorf("conflicting options: %v", err)
	}
}
