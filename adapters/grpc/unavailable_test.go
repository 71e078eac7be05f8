package jwtguardgrpc_test

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"google.golang.org/grpc/codes"

	"github.com/jwtguard/jwtguard"
	redisstore "github.com/jwtguard/jwtguard/stores/redis"
)

// A revocation store that cannot answer fails the call closed with
// Unavailable, and the message says nothing of why: the store here is the
// real Redis store, with a real client, on an address where nothing
// listens.
func TestRevocationStoreDown(t *testing.T) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := lis.Addr().String()
	lis.Close() // nothing listens there now
	client := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1, DialerRetries: 1, DialTimeout: time.Second})
	t.Cleanup(func() { client.Close() })
	store, err := redisstore.New(client)
	if err != nil {
		t.Fatal(err)
	}

	key, err := jwtguard.NewSigningKey("", testSecret, jwtguard.HS256)
	if err != nil {
		t.Fatal(err)
	}
	issuer, err := jwtguard.NewIssuer(key, jwtguard.NewMemoryStore())
	if err != nil {
		t.Fatal(err)
	}
	pair, err := issuer.Issue(context.Background(), "42")
	if err != nil {
		t.Fatal(err)
	}
	g := newGuard(t, []jwtguard.VerifierOption{jwtguard.WithRevocationCheck(store, 0)})
	for _, tr := range transports {
		t.Run(tr, func(t *testing.T) {
			conn := serve(t, tr, interceptors(t, g), "Other")
			sub, st, trailer := call(t, conn, "Other", "authorization", "Bearer "+pair.Access)
			checkRefusal(t, st, trailer, codes.Unavailable, "Service temporarily unavailable, try again later.", jwtguard.KindUnavailable)
			if sub != "" || strings.Contains(st.Message(), addr) || strings.Contains(st.Message(), "refused") {
				t.Errorf("subject %q, message %q", sub, st.Message())
			}
		})
	}
}
