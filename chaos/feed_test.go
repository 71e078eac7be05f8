package chaos

import (
	"testing"
	"time"

	redisstore "github.com/jwtguard/jwtguard/stores/redis"
	"github.com/jwtguard/jwtguard/storetest"
	"github.com/redis/go-redis/v9"
)

// TestRedisRestartChangeFeed: two instances' stores on one durable Redis
// learn of each other's revocations through pub/sub; Redis is killed and
// restarted (its subscriptions die with it), a revocation is written while
// the second instance is not yet subscribed again, and storetest's kit
// checks that the cache time still bounds it and that the subscription's
// return catches it up.
func TestRedisRestartChangeFeed(t *testing.T) {
	r := startRedis(t, "--appendonly", "yes", "--appendfsync", "always")
	ca := redis.NewClient(&redis.Options{Addr: r.addr, MaxRetries: -1, DialTimeout: 200 * time.Millisecond})
	cb := redis.NewClient(&redis.Options{Addr: r.addr, MaxRetries: -1, DialTimeout: 200 * time.Millisecond})
	t.Cleanup(func() { ca.Close(); cb.Close() })
	sa, err := redisstore.New(ca)
	if err != nil {
		t.Fatal(err)
	}
	// The second instance subscribes again 3 s after losing Redis: the
	// restart takes less, so the kit's revocation lands in the gap.
	sb, err := redisstore.New(cb, redisstore.WithListenRetry(3*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sa.Close(); sb.Close() })
	storetest.RunChangeFeed(t, sa, sb, func(testing.TB) {
		r.kill()
		r.start()
	})
}
