package redisstore_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard/storetest"
	"github.com/redis/go-redis/v9"
)

// clusterEnv names the variable that holds the address of a Redis Cluster
// node. This test is optional: CI does not start a cluster.
const clusterEnv = "JWTGUARD_REDIS_CLUSTER_ADDR"

// TestCluster runs the conformance kit on a Redis Cluster, where a script
// whose keys span hash slots fails with CROSSSLOT.
func TestCluster(t *testing.T) {
	addr := os.Getenv(clusterEnv)
	if addr == "" {
		t.Skip(clusterEnv + " is empty: set it to a Redis Cluster node's host:port to test the store on a cluster")
	}
	c := redis.NewClusterClient(&redis.ClusterOptions{Addrs: []string{addr}})
	t.Cleanup(func() { c.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if err := c.Ping(ctx).Err(); err != nil {
		t.Fatalf("no Redis Cluster answers at %s=%s: %v", clusterEnv, addr, err)
	}
	prefix := newPrefix(t, c)
	storetest.Run(t, newStore(t, c, prefix))
	storetest.RunShared(t, newStore(t, c, prefix), newStore(t, c, prefix))
}
