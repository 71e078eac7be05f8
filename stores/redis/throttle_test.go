package redisstore_test

import (
	"bytes"
	"log/slog"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard/storetest"
	"github.com/redis/go-redis/v9"
)

// Two instances on one Redis share the sign-in budget of a client
// address: 4 a minute in all, not 4 each.
func TestSharedThrottle(t *testing.T) {
	a, b := newClient(t), newClient(t)
	prefix := newPrefix(t, a)
	storetest.RunSharedThrottle(t, newStore(t, a, prefix), newStore(t, b, prefix))
}

// With Redis unreachable, an instance counts in its own buckets and says
// so in its log.
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
	srv := storetest.ThrottledSignIn(t, newStore(t, c, "jwtguard-test:dead:"), slog.New(slog.NewTextHandler(&buf, nil)))
	var statuses []int
	for range 5 {
		statuses = append(statuses, storetest.WrongSignIn(t, srv.URL))
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
