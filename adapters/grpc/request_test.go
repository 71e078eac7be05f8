package jwtguardgrpc_test

import (
	"net/http"
	"strings"
	"sync"
	"testing"

	"google.golang.org/grpc/codes"

	"github.com/jwtguard/jwtguard"
)

// The Guard reads a call as the HTTP/2 request that carries it: method
// POST, the full method name as the path and, with the authority, the URL
// (a DPoP proof's htm and htu), the metadata as headers (a "dpop" proof
// included), the peer's address. Pseudo-headers and binary metadata are
// not headers. An extractor of the application's, run by the Guard, sees
// exactly that.
func TestCallAsRequest(t *testing.T) {
	var (
		mu   sync.Mutex
		seen *http.Request
	)
	extract := jwtguard.ExtractorFunc(func(r *http.Request) (string, error) {
		mu.Lock()
		seen = r
		mu.Unlock()
		return jwtguard.FromAuthorization().Extract(r)
	})
	conn := serve(t, "tcp", interceptors(t, newGuard(t, nil, jwtguard.WithExtractor(jwtguard.Own(extract, jwtguard.SourceAuthorization)))), "Other")
	sub, st, _ := call(t, conn, "Other", "authorization", "Bearer "+mint(t, "alice", nil),
		"dpop", "proof.jwt.here", "trace-bin", "\x00\x01", "x-request-id", "r1")
	if st.Code() != codes.OK || sub != "alice" {
		t.Fatalf("call: %v %q", st, sub)
	}
	mu.Lock()
	r := seen
	mu.Unlock()
	host := strings.TrimPrefix(conn.Target(), "passthrough:///")
	if r.Method != http.MethodPost || r.URL.String() != "http://"+host+"/"+service+"/Other" || r.Host != host {
		t.Errorf("method %s, URL %s, host %s", r.Method, r.URL, r.Host)
	}
	if r.Header.Get("Dpop") != "proof.jwt.here" || r.Header.Get("X-Request-Id") != "r1" {
		t.Errorf("headers %v", r.Header)
	}
	for k := range r.Header {
		if strings.HasPrefix(k, ":") || strings.HasSuffix(strings.ToLower(k), "-bin") {
			t.Errorf("header %q", k)
		}
	}
	if !strings.HasPrefix(r.RemoteAddr, "127.0.0.1:") || r.ProtoMajor != 2 {
		t.Errorf("remote %q, proto %d", r.RemoteAddr, r.ProtoMajor)
	}
}
