package redisstore_test

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard"
	redisstore "github.com/jwtguard/jwtguard/stores/redis"
	"github.com/redis/go-redis/v9"
)

// instance is one instance of a service: its own store handle on the
// shared Redis, its own throttle and its own token endpoints on a real
// server.
func instance(t *testing.T, c *redis.Client, prefix string, log *slog.Logger) *httptest.Server {
	t.Helper()
	store, err := redisstore.New(c, redisstore.WithKeyPrefix(prefix))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	key, err := jwtguard.NewSigningKey("", []byte("shared-throttle-test-secret-0123456789"), jwtguard.HS256)
	if err != nil {
		t.Fatal(err)
	}
	iss, err := jwtguard.NewIssuer(key, store)
	if err != nil {
		t.Fatal(err)
	}
	throttle, err := jwtguard.NewLoginThrottle(
		jwtguard.PerClient(4, time.Minute), jwtguard.SharedThrottle(store, log))
	if err != nil {
		t.Fatal(err)
	}
	auth := jwtguard.AuthenticatorFunc(func(context.Context, string, string) (string, bool, error) {
		return "", false, nil // every password is wrong
	})
	e, err := jwtguard.NewEndpoints(iss, auth, jwtguard.WithLoginThrottle(throttle))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(e.Obtain())
	t.Cleanup(srv.Close)
	return srv
}

// signIn posts a wrong password to srv and returns the status.
func signIn(t *testing.T, srv *httptest.Server) int {
	t.Helper()
	resp, err := http.PostForm(srv.URL, url.Values{"username": {"ann"}, "password": {"wrong"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// Two instances on one Redis share the sign-in budget of a client
// address: 4 a minute in all, not 4 each. Each process alone would let 8
// through.
func TestSharedThrottle(t *testing.T) {
	a, b := newClient(t), newClient(t)
	prefix := newPrefix(t, a)
	servers := []*httptest.Server{instance(t, a, prefix, nil), instance(t, b, prefix, nil)}
	var statuses []int
	for i := range 8 {
		statuses = append(statuses, signIn(t, servers[i%2]))
	}
	want := []int{401, 401, 401, 401, 429, 429, 429, 429}
	if !slices.Equal(statuses, want) {
		t.Fatalf("statuses %v, want %v: the instances do not share the budget", statuses, want)
	}
}

// With the store unreachable, each instance counts in its own buckets
// (4 each) and says so in its log.
func TestSharedThrottleFallsBack(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := ln.Addr().String()
	ln.Close() // nothing listens there now
	c := redis.NewClient(&redis.Options{Addr: dead, MaxRetries: -1, DialerRetries: 1, DialTimeout: 100 * time.Millisecond})
	t.Cleanup(func() { c.Close() })
	var buf lockedBuffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	srv := instance(t, c, "jwtguard-test:dead:", log)
	var statuses []int
	for range 5 {
		statuses = append(statuses, signIn(t, srv))
	}
	if want := []int{401, 401, 401, 401, 429}; !slices.Equal(statuses, want) {
		t.Fatalf("statuses %v, want %v: the local buckets did not count", statuses, want)
	}
	if !strings.Contains(buf.String(), "shared throttle store failed") {
		t.Fatalf("the log does not say the shared store failed: %q", buf.String())
	}
}

// lockedBuffer is a log's destination safe for concurrent writes.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
