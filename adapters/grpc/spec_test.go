package jwtguardgrpc_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"google.golang.org/grpc/codes"

	"github.com/jwtguard/jwtguard"
	jwtguardgrpc "github.com/jwtguard/jwtguard/adapters/grpc"
	"github.com/jwtguard/jwtguard/jwtguardtest"
)

// The shared spec of jwtguardtest, through the interceptors: each route is
// a method of the same name, each case's headers are metadata, and the
// answer is the status a gRPC client expects for the spec's HTTP status,
// with the message of the spec's body. Cases that hinge on GET or HEAD do
// not apply: a gRPC call is a POST.
func TestSpec(t *testing.T) {
	s, cases := jwtguardtest.NewSpecServer(t)
	var opts []jwtguardgrpc.Option
	var methods []string
	for _, r := range s.Routes {
		name := strings.TrimPrefix(r.Path, "/")
		methods = append(methods, name)
		opts = append(opts, jwtguardgrpc.WithPolicy("/"+service+"/"+name, r.Policy))
	}
	codeOf := map[int]codes.Code{200: codes.OK, 401: codes.Unauthenticated, 403: codes.PermissionDenied, 503: codes.Unavailable}
	for _, tr := range transports {
		t.Run(tr, func(t *testing.T) {
			conn := serve(t, tr, interceptors(t, s.Guard, opts...), methods...)
			ran := 0
			for _, c := range cases {
				if c.Method != http.MethodPost && c.Path == "/items" {
					continue // read-only methods: no such thing in gRPC
				}
				ran++
				t.Run(c.Name, func(t *testing.T) {
					var md []string
					for _, v := range c.Header["Authorization"] {
						md = append(md, "authorization", v)
					}
					sub, st, trailer := call(t, conn, strings.TrimPrefix(c.Path, "/"), md...)
					want := codeOf[c.Status]
					if want == codes.OK {
						var body struct{ Sub string }
						if err := json.Unmarshal([]byte(c.Body), &body); err != nil {
							t.Fatal(err)
						}
						if st.Code() != codes.OK || sub != body.Sub {
							t.Errorf("got %v %q, want OK %q", st, sub, body.Sub)
						}
						return
					}
					checkRefusal(t, st, trailer, want, bodyMessage(t, c.Body), kindOf(t, c))
				})
			}
			if ran < 20 {
				t.Errorf("only %d spec cases apply", ran)
			}
		})
	}
}

// bodyMessage is the message of a spec body: a token's message, else the
// detail.
func bodyMessage(t *testing.T, body string) string {
	var b struct {
		Detail   string
		Messages []struct{ Message string }
	}
	if err := json.Unmarshal([]byte(body), &b); err != nil {
		t.Fatal(err)
	}
	if len(b.Messages) > 0 {
		return b.Messages[0].Message
	}
	return b.Detail
}

// kindOf is the refusal kind a spec case's answer stands for, read from
// the spec's own challenge and body.
func kindOf(t *testing.T, c jwtguardtest.Case) string {
	switch {
	case strings.Contains(c.Challenge, "invalid_request"):
		return jwtguard.KindMalformed
	case strings.Contains(c.Challenge, "insufficient_scope"):
		return jwtguard.KindScope
	case strings.Contains(c.Challenge, "Token has wrong type"):
		return jwtguard.KindTokenWrongType
	case strings.Contains(c.Challenge, "Token has no 'exp' claim"):
		return jwtguard.KindTokenNoExp
	case strings.Contains(c.Challenge, "invalid_token"):
		return jwtguard.KindTokenInvalid
	case c.Status == 401:
		return jwtguard.KindNoCredentials
	case c.Status == 403:
		return jwtguard.KindForbidden
	}
	t.Fatalf("no kind for case %q", c.Name)
	return ""
}
