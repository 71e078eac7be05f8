package sqlstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"time"

	"github.com/jwtguard/jwtguard"
)

// The store is a [jwtguard.ChangeFeed]. On PostgreSQL each revocation is
// sent with NOTIFY on the store's channel after it is written, and a
// connection of the pool held for the purpose LISTENs to it (listen.go),
// so every process sharing the tables learns of it within milliseconds.
// On SQLite, which one process uses (or a few on one machine), changes
// reach the subscribers of this process only; so they do on a PostgreSQL
// pool of one connection, which the listener would hold for good.

var _ jwtguard.ChangeFeed = (*Store)(nil)

// DefaultListenRetry is how long the PostgreSQL listener waits before it
// connects again after losing its connection, unless [WithListenRetry]
// says otherwise.
const DefaultListenRetry = time.Second

// maxNotifyPayload keeps a change's text under PostgreSQL's 8000-byte
// NOTIFY payload; a longer key is announced as ChangedAll.
const maxNotifyPayload = 7900

// Subscribe implements [jwtguard.ChangeFeed]: fn gets every revocation
// written through any store on the same tables (on PostgreSQL; on SQLite,
// through this process's stores on them), and [jwtguard.ChangedAll] each
// time the PostgreSQL listener is connected again after losing its
// connection. The revocation check of jwtguard subscribes by itself.
func (s *Store) Subscribe(fn func(jwtguard.Change)) (cancel func()) {
	return s.hub.Subscribe(fn)
}

// Announce implements [jwtguard.ChangeFeed]: it delivers c to this
// process's subscribers at once and, on PostgreSQL, sends it to the other
// processes with NOTIFY.
func (s *Store) Announce(ctx context.Context, c jwtguard.Change) error {
	text, err := c.MarshalText()
	if err != nil {
		return err
	}
	if len(text) > maxNotifyPayload {
		c = jwtguard.Change{Kind: jwtguard.ChangedAll}
		text, _ = c.MarshalText()
	}
	s.hub.Deliver(c)
	if s.listener == nil {
		return nil
	}
	_, err = s.db.ExecContext(ctx, "SELECT pg_notify($1, $2)", s.listener.channel, string(text))
	return err
}

// announce announces a revocation just written. A failure is logged, not
// returned: the revocation stands, and the other processes learn of it
// within their cache time.
func (s *Store) announce(ctx context.Context, kind jwtguard.ChangeKind, key string) {
	if err := s.Announce(ctx, jwtguard.Change{Kind: kind, Key: key}); err != nil {
		s.logger.WarnContext(ctx, "sqlstore: announcing a revocation to the other instances failed; they refuse it within their cache time", "err", err)
	}
}

// channelName is the NOTIFY channel of the store's tables: their schema
// and prefix, hashed when that is longer than PostgreSQL's 63-byte names.
func channelName(schema, prefix string) string {
	name := prefix + "changes"
	if schema != "" {
		name = schema + "." + name
	}
	if len(name) <= 63 {
		return name
	}
	sum := sha256.Sum256([]byte(name))
	return "jwtguard_changes_" + hex.EncodeToString(sum[:16])
}
