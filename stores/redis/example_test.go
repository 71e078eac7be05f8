package redisstore_test

import (
	"context"
	"fmt"
	"time"

	"github.com/jwtguard/jwtguard"
	redisstore "github.com/jwtguard/jwtguard/stores/redis"
	"github.com/redis/go-redis/v9"
)

func Example() {
	client := redis.NewClient(&redis.Options{Addr: "localhost:6379"})
	defer client.Close()
	store, err := redisstore.New(client, redisstore.WithKeyPrefix("myapp:jwt:"))
	if err != nil {
		fmt.Println(err)
		return
	}

	// The store is a jwtguard.Store: hand it to an Issuer or a revocation
	// check, or use it directly.
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	r := jwtguard.Record{ID: "4f1c...", Subject: "42", IssuedAt: time.Now(), ExpiresAt: time.Now().Add(time.Hour)}
	if err := store.Revoke(ctx, r); err != nil {
		fmt.Println("revocation not recorded:", err)
	}
}
