package main

import (
	"context"
	"fmt"
	"log/slog"

	redisstore "github.com/jwtguard/jwtguard/stores/redis"
	"github.com/redis/go-redis/v9"
)

// openRedis opens the Redis store of -redis-url: revocations, the shared
// throttles and their push, while users and tasks stay in the database.
// It refuses a Redis that could lose revocations (redisstore.Open), and
// returns the function that closes the store and its client.
func openRedis(ctx context.Context, rawURL string, log *slog.Logger) (*redisstore.Store, func(), error) {
	opts, err := redis.ParseURL(rawURL)
	if err != nil {
		return nil, nil, fmt.Errorf("-redis-url: %w", err)
	}
	client := redis.NewClient(opts)
	store, err := redisstore.Open(ctx, client, redisstore.WithLogger(log))
	if err != nil {
		client.Close()
		return nil, nil, fmt.Errorf("-redis-url: %w", err)
	}
	return store, func() { store.Close(); client.Close() }, nil
}
