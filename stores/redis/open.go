package redisstore

import (
	"context"
	"errors"
	"log/slog"

	"github.com/redis/go-redis/v9"
)

// openScript reads the store's state marker, writing one when there is
// none, as every operation does first.
var openScript = redis.NewScript(markerLua + `
local m = marker()
return {0, m}
`)

// Open returns a store on client as [New] does, then checks Redis at
// once, for a service's startup: it refuses, with an error matching
// [ErrNotDurable], a Redis that could lose the store's entries (see
// [Store.CheckDurability]) unless [WithoutDurability] allows it, and it
// reads the store's state marker, so that a loss of state is detected
// from this process's first request on. When the settings cannot be read
// (a managed Redis may refuse CONFIG), it logs a warning and goes on.
func Open(ctx context.Context, client redis.UniversalClient, opts ...Option) (*Store, error) {
	s, err := New(client, opts...)
	if err != nil {
		return nil, err
	}
	switch err := s.CheckDurability(ctx); {
	case err == nil:
	case errors.Is(err, ErrNotDurable) && !s.volatile:
		return nil, err
	case errors.Is(err, ErrNotDurable):
		s.log.LogAttrs(ctx, slog.LevelWarn, "redisstore: Redis may lose the store's entries (allowed by WithoutDurability); a loss signs every user out",
			slog.String("error", err.Error()))
	default:
		s.log.LogAttrs(ctx, slog.LevelWarn, "redisstore: cannot check that Redis keeps the store's entries; make sure it persists them and never evicts them",
			slog.String("error", err.Error()))
	}
	if _, err := s.run(ctx, "open", openScript, []string{s.keys.marker()}); err != nil {
		return nil, err
	}
	return s, nil
}
