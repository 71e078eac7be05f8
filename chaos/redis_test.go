package chaos

import (
	"context"
	"errors"
	"net"
	"os/exec"
	"sync"
	"testing"
	"time"

	redisstore "github.com/jwtguard/jwtguard/stores/redis"
	"github.com/redis/go-redis/v9"
)

// quietRedis drops go-redis's own log lines, which a Redis that is down on
// purpose fills with dial errors.
type quietRedis struct{}

func (quietRedis) Printf(context.Context, string, ...any) {}

func init() { redis.SetLogger(quietRedis{}) }

// redisServer is a redis-server process of the test's own, so that the
// test may kill and restart it.
type redisServer struct {
	t    *testing.T
	addr string
	args []string
	cmd  *exec.Cmd
}

// startRedis starts redis-server on a free loopback port with args added
// to its command line, in a directory of its own; it is killed when the
// test ends. Without redis-server the test is skipped (fails under CI).
func startRedis(t *testing.T, args ...string) *redisServer {
	t.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		skipOrFail(t, "redis-server is not on the PATH (scripts/ci/redis.sh installs it): "+err.Error())
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	_, port, _ := net.SplitHostPort(addr)
	r := &redisServer{t: t, addr: addr, args: append([]string{"--bind", "127.0.0.1", "--port", port,
		"--dir", t.TempDir(), "--daemonize", "no", "--logfile", ""}, args...)}
	r.start()
	t.Cleanup(r.kill)
	return r
}

// start runs the server and waits until it answers PING.
func (r *redisServer) start() {
	r.t.Helper()
	r.cmd = exec.Command("redis-server", r.args...)
	if err := r.cmd.Start(); err != nil {
		r.t.Fatal(err)
	}
	c := redis.NewClient(&redis.Options{Addr: r.addr, MaxRetries: -1})
	defer c.Close()
	for deadline := time.Now().Add(10 * time.Second); ; {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err := c.Ping(ctx).Err()
		cancel()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("redis-server %v does not answer: %v", r.args, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// kill ends the server with SIGKILL, as a crash would.
func (r *redisServer) kill() {
	if r.cmd != nil && r.cmd.Process != nil {
		r.cmd.Process.Kill()
		r.cmd.Wait()
		r.cmd = nil
	}
}

// TestRedisRestartedEmpty: Redis, without persistence, is killed under load
// and restarted empty a second later. While it is down every request gets
// a prompt 503; once it is back, no token revoked before the crash passes
// again (the store detects the loss and cuts off every older token), the
// loss is reported once, and users who sign in again are served.
func TestRedisRestartedEmpty(t *testing.T) {
	r := startRedis(t, "--save", "", "--appendonly", "no")
	client := redis.NewClient(&redis.Options{Addr: r.addr, MaxRetries: -1, DialTimeout: 200 * time.Millisecond})
	t.Cleanup(func() { client.Close() })
	ctx := context.Background()
	if _, err := redisstore.Open(ctx, client); !errors.Is(err, redisstore.ErrNotDurable) {
		t.Errorf("Open on a Redis without persistence: %v, want ErrNotDurable", err)
	}
	var mu sync.Mutex
	var losses []redisstore.StateLoss
	store, err := redisstore.Open(ctx, client, redisstore.WithoutDurability(),
		redisstore.WithStateLossHook(func(l redisstore.StateLoss) {
			mu.Lock()
			losses = append(losses, l)
			mu.Unlock()
		}))
	if err != nil {
		t.Fatal(err)
	}
	srv := newTokenServer(t, store)
	tl := underFault(t, srv.URL, 2*time.Second, time.Second, 2*time.Second, r.kill, r.start)
	tl.check(t, 2*time.Second, 2*time.Second)
	mu.Lock()
	defer mu.Unlock()
	if len(losses) != 1 {
		t.Errorf("state losses reported: %v, want one", losses)
	}
	if n := tl.count(kindProbeAccess, 401) + tl.count(kindProbeRefresh, 401); n == 0 {
		t.Error("no revoked token was presented: the run tested nothing")
	}
}

// TestRedisDurability: CheckDurability accepts a Redis with an append-only
// file and noeviction, and names what is wrong with one that evicts keys.
func TestRedisDurability(t *testing.T) {
	for _, c := range []struct {
		args []string
		ok   bool
	}{
		{[]string{"--appendonly", "yes", "--save", ""}, true},
		{[]string{"--appendonly", "no", "--save", "60 1"}, true},
		{[]string{"--appendonly", "yes", "--maxmemory-policy", "allkeys-lru"}, false},
	} {
		r := startRedis(t, c.args...)
		client := redis.NewClient(&redis.Options{Addr: r.addr})
		store, err := redisstore.New(client)
		if err != nil {
			t.Fatal(err)
		}
		err = store.CheckDurability(context.Background())
		if c.ok != (err == nil) || err != nil && !errors.Is(err, redisstore.ErrNotDurable) {
			t.Errorf("CheckDurability with %v: %v", c.args, err)
		}
		client.Close()
		r.kill()
	}
}
