package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

const testSecret = "example-grpc-test-secret-0123456789"

// The example over real TCP: health for anyone, Hello for a token with
// the hello scope, and the refusals a client sees.
func TestExample(t *testing.T) {
	keys, err := loadKeys("", "", testSecret)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := newServer(keys, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- serve(ctx, srv, ln) }()

	mint := func(claims jwt.MapClaims) string {
		now := time.Now()
		c := jwt.MapClaims{"sub": "alice", "iat": now.Unix(), "exp": now.Add(time.Minute).Unix(),
			"token_type": "access", "jti": "0123456789abcdef0123456789abcdef"} // simplejwt's profile
		for k, v := range claims {
			c[k] = v
		}
		s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString([]byte(testSecret))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	for _, c := range []struct{ name, token, want string }{
		{"no token", "", "hello: Unauthenticated: Authentication credentials were not provided. (no_credentials)"},
		{"no scope", mint(nil), "hello: PermissionDenied: You do not have permission to perform this action. (insufficient_scope)"},
		{"expired", mint(jwt.MapClaims{"scope": "hello", "exp": time.Now().Add(-time.Minute).Unix()}), "hello: Unauthenticated: Token is invalid or expired (token_invalid)"},
		{"granted", mint(jwt.MapClaims{"scope": "hello"}), "hello: Hello, alice"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var out bytes.Buffer
			if err := callServer(context.Background(), ln.Addr().String(), c.token, &out); err != nil {
				t.Fatal(err)
			}
			if want := "health: SERVING\n" + c.want + "\n"; out.String() != want {
				t.Errorf("got\n%s\nwant\n%s", out.String(), want)
			}
		})
	}
	cancel()
	select {
	case err := <-served:
		if err != nil {
			t.Errorf("serve: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not return after its context ended")
	}
}

// Without keys the server does not start.
func TestNoKeys(t *testing.T) {
	err := run(context.Background(), nil, io.Discard, io.Discard, func(string) string { return "" })
	if err == nil || !strings.Contains(err.Error(), "no keys") {
		t.Errorf("run without keys: %v", err)
	}
}
