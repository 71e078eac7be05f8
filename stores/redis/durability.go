package redisstore

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// ErrNotDurable: the Redis server's settings let it lose the store's
// entries: no persistence (a restart forgets every revocation), or a
// memory policy that evicts keys.
var ErrNotDurable = errors.New("redisstore: Redis may lose the store's entries")

// CheckDurability reads the Redis server's settings (CONFIG GET) and
// returns an error matching [ErrNotDurable] that names each problem when
// the server could lose the store's entries: neither append-only file
// (appendonly yes) nor snapshots (a save schedule) are on, so a restart
// starts empty; or its maxmemory-policy is not noeviction, so entries can
// be evicted before they expire. Any other error means the settings could
// not be read (a managed Redis may refuse CONFIG): check them by hand.
//
// Call it at startup, and refuse to start, or at least warn, when it fails.
// A loss is detected and made safe all the same (see [StateLoss]), but
// every token issued before it is then refused, which signs every user
// out. Snapshots alone lose what was written since the last one: prefer
// appendonly yes with appendfsync everysec or always.
func (s *Store) CheckDurability(ctx context.Context) error {
	conf, err := s.client.ConfigGet(ctx, "*").Result()
	if err != nil {
		return fmt.Errorf("redisstore: reading the Redis settings: %w", err)
	}
	var problems []string
	if conf["appendonly"] != "yes" && strings.TrimSpace(conf["save"]) == "" {
		problems = append(problems, `no persistence (appendonly no, save ""): a restart forgets every revocation`)
	}
	if p := conf["maxmemory-policy"]; p != "" && p != "noeviction" {
		problems = append(problems, "maxmemory-policy "+p+": entries can be evicted before they expire (use noeviction)")
	}
	if len(problems) > 0 {
		return fmt.Errorf("%w: %s", ErrNotDurable, strings.Join(problems, "; "))
	}
	return nil
}
