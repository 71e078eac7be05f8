package redisstore_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	redisstore "github.com/jwtguard/jwtguard/stores/redis"
	"github.com/jwtguard/jwtguard/storetest"
	"github.com/redis/go-redis/v9"
)

// listenRetry is how long the second store's subscriber stays away after
// its connection is killed: time for RunChangeFeed to write what it must
// miss.
const listenRetry = 2 * time.Second

// Revocations and user changes written through one client reach the
// verifier on another at once, through pub/sub; with the subscriber's
// connection killed (CLIENT KILL), the cache time still bounds what
// passes, and the subscription's return catches up.
func TestChangeFeed(t *testing.T) {
	a := newClient(t)
	name := "jwtguard-feed-" + randomID()[:12]
	b := redis.NewClient(&redis.Options{Addr: os.Getenv(addrEnv), ClientName: name})
	t.Cleanup(func() { b.Close() })
	prefix := newPrefix(t, a)
	sa := newStore(t, a, prefix)
	sb, err := redisstore.New(b, redisstore.WithKeyPrefix(prefix), redisstore.WithListenRetry(listenRetry))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sa.Close(); sb.Close() })
	storetest.RunChangeFeed(t, sa, sb, func(tb testing.TB) {
		killSubscriber(tb, a, name)
	})
}

// killSubscriber kills the subscribed connection of the client named name.
func killSubscriber(tb testing.TB, admin *redis.Client, name string) {
	tb.Helper()
	ctx := context.Background()
	for deadline := time.Now().Add(5 * time.Second); ; {
		list, err := admin.ClientList(ctx).Result()
		if err != nil {
			tb.Fatal(err)
		}
		for line := range strings.Lines(list) {
			f := fields(line)
			if f["name"] == name && f["sub"] != "0" && f["sub"] != "" {
				if err := admin.ClientKillByFilter(ctx, "ID", f["id"]).Err(); err != nil {
					tb.Fatal(err)
				}
				return
			}
		}
		if time.Now().After(deadline) {
			tb.Fatalf("no subscribed connection named %s after 5s", name)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// fields splits a CLIENT LIST line into its name=value fields.
func fields(line string) map[string]string {
	f := map[string]string{}
	for _, kv := range strings.Fields(line) {
		if k, v, ok := strings.Cut(kv, "="); ok {
			f[k] = v
		}
	}
	return f
}
