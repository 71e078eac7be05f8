package redisstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// The state marker is one key, <prefix>{store}:marker, that never expires:
//
//	"<epoch>:<created>:<cut-off>"
//
// <epoch> is random hex, chosen by whichever process wrote the marker;
// <created> is when it was written and <cut-off> the loss cut-off, both in
// Unix seconds, the cut-off 0 for none. Every script reads it first.
//
// A Redis restarted without persistence, flushed, or failed over to an
// empty replica has no marker. A process that had seen one then knows the
// store lost its state, revocations and spent refresh tokens included: it
// writes a new marker whose cut-off is its current time, and from then on
// every token issued at or before the cut-off counts as revoked, on every
// process, for as long as the marker stays. A process that had seen none
// (its first call) cannot tell a lost store from a new one: it writes a
// marker without a cut-off and logs a warning. Should a process that had
// seen the old marker come later, it sets the cut-off to when that marker
// was written. The cut-off is kept in Redis itself: lost again, it is
// replaced by a later one at the next detection.

// StateLoss describes a loss of the store's state that a process detected.
type StateLoss struct {
	// Cutoff: every token issued at or before it is now refused.
	Cutoff time.Time
	// Previous is the epoch of the marker this process had seen; Current
	// the epoch of the marker that replaced it.
	Previous, Current string
}

// marker is a parsed state marker.
type marker struct {
	epoch  string
	cutoff int64 // Unix seconds, 0 for none
}

// parseMarker reads a marker's text.
func parseMarker(s string) (marker, bool) {
	epoch, rest, ok := strings.Cut(s, ":")
	if !ok || epoch == "" {
		return marker{}, false
	}
	_, cut, ok := strings.Cut(rest, ":")
	if !ok {
		return marker{}, false
	}
	n, err := strconv.ParseInt(cut, 10, 64)
	if err != nil {
		return marker{}, false
	}
	return marker{epoch: epoch, cutoff: n}, true
}

// run runs one of the store's scripts with the marker's keys and arguments
// before the script's own, notes the marker it returns, and returns the
// state.
func (s *Store) run(ctx context.Context, op string, script *redis.Script, keys []string, args ...any) (int64, error) {
	known, fresh := s.epoch.Load(), *s.fresh.Load()
	all := make([]any, 0, 3+len(args))
	all = append(all, *known, fresh, strconv.FormatInt(time.Now().Unix(), 10))
	all = append(all, args...)
	reply, err := script.Run(ctx, s.client, keys, all...).Slice()
	if err != nil {
		return 0, fail(op, err)
	}
	if len(reply) != 2 {
		return 0, fmt.Errorf("redisstore: %s: unexpected script reply %v", op, reply)
	}
	state, ok1 := reply[0].(int64)
	text, ok2 := reply[1].(string)
	m, ok3 := parseMarker(text)
	if !ok1 || !ok2 || !ok3 {
		return 0, fmt.Errorf("redisstore: %s: unexpected script reply %v", op, reply)
	}
	if m.epoch == fresh {
		next := newEpoch() // used: the next marker written gets another
		s.fresh.Store(&next)
	}
	s.observe(ctx, *known, m, fresh)
	return state, nil
}

// observe takes note of the marker a script returned: it remembers its
// epoch and reports a loss of state when the epoch changed.
func (s *Store) observe(ctx context.Context, known string, m marker, fresh string) {
	if m.epoch == known {
		return
	}
	old := s.epoch.Load()
	if *old != known || !s.epoch.CompareAndSwap(old, &m.epoch) {
		return // another call of this process got there first
	}
	if known == "" {
		if m.epoch == fresh && m.cutoff == 0 {
			s.log.LogAttrs(ctx, slog.LevelWarn, "redisstore: no state marker in Redis: starting a new store. "+
				"If this Redis lost its data, tokens revoked before are accepted again: keep it persistent (see Store.CheckDurability)",
				slog.String("marker", s.keys.marker()))
		}
		return
	}
	loss := StateLoss{Cutoff: time.Unix(m.cutoff, 0), Previous: known, Current: m.epoch}
	s.log.LogAttrs(ctx, slog.LevelError, "redisstore: Redis lost the store's state (revocations and spent refresh tokens): "+
		"every token issued at or before the cut-off is refused",
		slog.Time("cutoff", loss.Cutoff), slog.String("previous_epoch", known), slog.String("epoch", m.epoch))
	if s.onLoss != nil {
		s.onLoss(loss)
	}
}

// newEpoch returns 16 random hex digits.
func newEpoch() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
