package redisstore_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/jwtguard/jwtguard"
	redisstore "github.com/jwtguard/jwtguard/stores/redis"
)

// TestOpenRefusesVolatileRedis: the tests' Redis keeps nothing across a
// restart (scripts/ci/redis.sh starts it with save "" and appendonly no):
// Open refuses it, and names why, unless WithoutDurability allows it.
func TestOpenRefusesVolatileRedis(t *testing.T) {
	c := newClient(t)
	prefix := newPrefix(t, c)
	ctx := context.Background()
	_, err := redisstore.Open(ctx, c, redisstore.WithKeyPrefix(prefix))
	if !errors.Is(err, redisstore.ErrNotDurable) || !strings.Contains(err.Error(), "appendonly no") {
		t.Fatalf("Open on a Redis without persistence: %v, want ErrNotDurable naming appendonly", err)
	}
	w := &lossWatch{}
	s, err := redisstore.Open(ctx, c, append(w.options(), redisstore.WithKeyPrefix(prefix), redisstore.WithoutDurability())...)
	if err != nil {
		t.Fatalf("Open with WithoutDurability: %v", err)
	}
	if log, _ := w.seen(); !strings.Contains(log, "level=WARN") || !strings.Contains(log, "WithoutDurability") {
		t.Errorf("no warning about the Redis allowed to lose entries: %s", log)
	}
	expect(t, s.Check(ctx, record()), nil, "a token on the new store")
}

// TestOpenReadsTheMarker: a store from Open knows the marker before its
// first request, so a loss between startup and that request is detected.
func TestOpenReadsTheMarker(t *testing.T) {
	c := newClient(t)
	prefix := newPrefix(t, c)
	ctx := context.Background()
	w := &lossWatch{}
	s, err := redisstore.Open(ctx, c, append(w.options(), redisstore.WithKeyPrefix(prefix), redisstore.WithoutDurability(),
		redisstore.WithLogger(slog.New(slog.DiscardHandler)))...)
	if err != nil {
		t.Fatal(err)
	}
	wipe(t, c, prefix)
	expect(t, s.Check(ctx, record()), jwtguard.ErrTokenRevoked, "a token issued before a loss that followed Open")
	if _, losses := w.seen(); len(losses) != 1 {
		t.Errorf("losses reported: %v, want one", losses)
	}
}
