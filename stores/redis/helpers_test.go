package redisstore_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	redisstore "github.com/jwtguard/jwtguard/stores/redis"
	"github.com/redis/go-redis/v9"
)

// addrEnv names the variable that holds the address of the Redis the tests
// use; scripts/ci/redis.sh starts one and sets it.
const addrEnv = "JWTGUARD_REDIS_ADDR"

// newClient returns a client of the Redis named by JWTGUARD_REDIS_ADDR,
// closed when the test ends. Without a reachable Redis the test is
// skipped, or fails when CI=true.
func newClient(tb testing.TB) *redis.Client {
	tb.Helper()
	addr := os.Getenv(addrEnv)
	if addr == "" {
		unavailable(tb, addrEnv+" is empty: set it to the host:port of a Redis server (scripts/ci/redis.sh starts one) to test the Redis store")
	}
	return dial(tb, addr)
}

// dial connects to addr, and gives up on the test when no Redis answers
// there. Each address is tried once per test binary, so that tests
// without a Redis skip quickly.
func dial(tb testing.TB, addr string) *redis.Client {
	tb.Helper()
	probe, _ := probes.LoadOrStore(addr, sync.OnceValue(func() error {
		c := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1, DialerRetries: 1})
		defer c.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		return c.Ping(ctx).Err()
	}))
	if err := probe.(func() error)(); err != nil {
		unavailable(tb, fmt.Sprintf("no Redis answers at %s=%s: %v", addrEnv, addr, err))
	}
	c := redis.NewClient(&redis.Options{Addr: addr})
	tb.Cleanup(func() { c.Close() })
	return c
}

// probes holds, per address, a func that reports once whether Redis
// answers there.
var probes sync.Map

// unavailable skips the test for want of Redis, or fails it under CI.
func unavailable(tb testing.TB, why string) {
	tb.Helper()
	if os.Getenv("CI") == "true" {
		tb.Fatal(why + " (CI=true: the Redis store's tests must run)")
	}
	tb.Skip(why)
}

// newPrefix returns a key prefix no other test run uses, and deletes the
// keys under it when the test ends.
func newPrefix(tb testing.TB, c redis.UniversalClient) string {
	tb.Helper()
	var b [8]byte
	rand.Read(b[:])
	prefix := "jwtguard-test:" + hex.EncodeToString(b[:]) + ":"
	tb.Cleanup(func() {
		ctx := context.Background()
		var err error
		if cc, ok := c.(*redis.ClusterClient); ok {
			err = cc.ForEachMaster(ctx, func(ctx context.Context, node *redis.Client) error {
				return deleteKeys(ctx, node, prefix+"*")
			})
		} else {
			err = deleteKeys(ctx, c, prefix+"*")
		}
		if err != nil {
			tb.Logf("deleting the keys under %s: %v", prefix, err)
		}
	})
	return prefix
}

// deleteKeys deletes the keys that match pattern.
func deleteKeys(ctx context.Context, c redis.Cmdable, pattern string) error {
	iter := c.Scan(ctx, 0, pattern, 1000).Iterator()
	var found []string
	for iter.Next(ctx) {
		found = append(found, iter.Val())
	}
	if err := iter.Err(); err != nil || len(found) == 0 {
		return err
	}
	return c.Unlink(ctx, found...).Err()
}

// newStore returns a store on c with prefix.
func newStore(tb testing.TB, c redis.UniversalClient, prefix string) *redisstore.Store {
	tb.Helper()
	s, err := redisstore.New(c, redisstore.WithKeyPrefix(prefix))
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

func randomID() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
