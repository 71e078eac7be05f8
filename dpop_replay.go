package jwtguard

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"sync"
	"time"
)

// dpopReplayID is the key a proof is remembered under: the SHA-256 of its
// key's thumbprint and its "jti", so that one client's jti never stands in
// the way of another's, and what a client chose reaches no store key.
type dpopReplayID [sha256.Size]byte

func newDPoPReplayID(thumbprint, jti string) dpopReplayID {
	h := sha256.New()
	h.Write([]byte(thumbprint))
	h.Write([]byte{0})
	h.Write([]byte(jti))
	var id dpopReplayID
	h.Sum(id[:0])
	return id
}

// dpopStoreNamespace prefixes the IDs of proofs spent in a Store, apart
// from every token's jti.
const dpopStoreNamespace = "dpop:"

// spendDPoPInStore records a proof in a shared store until expires: the
// first time nil, then ErrDPoPReplay, here or at any instance sharing it.
func spendDPoPInStore(ctx context.Context, s Store, id dpopReplayID, iat, expires time.Time) error {
	rec := Record{ID: dpopStoreNamespace + base64.RawURLEncoding.EncodeToString(id[:]), IssuedAt: iat, ExpiresAt: expires}
	switch err := s.Spend(ctx, rec); {
	case err == nil:
		return nil
	case errors.Is(err, ErrTokenSpent), errors.Is(err, ErrTokenRevoked):
		return errDPoPReplay
	default:
		return unavailable(err)
	}
}

// dpopMemoryReplay is the replay cache in this process's memory: proofs
// seen, each until its window is over, at most max of them. Entries are
// grouped by the second they expire in, so that expired ones go a second
// at a time; when the cache is full of live entries the oldest second goes
// too, and floor rises to it: a proof expiring at or before floor might
// have been dropped, so it is refused as stale and never replayed.
type dpopMemoryReplay struct {
	max int

	mu      sync.Mutex
	seen    map[dpopReplayID]int64   // -> the second it expires in
	bySec   map[int64][]dpopReplayID // second -> entries expiring in it
	floor   int64                    // refuse entries expiring at or before
	lastSec int64                    // the last second expired entries were dropped
}

func newDPoPMemoryReplay(max int) *dpopMemoryReplay {
	return &dpopMemoryReplay{max: max, seen: make(map[dpopReplayID]int64), bySec: make(map[int64][]dpopReplayID)}
}

// spend records id until the second of expires, now being now: nil the
// first time, errDPoPReplay for a proof seen, errDPoPStale for one that
// the cache can no longer tell from a replay.
func (m *dpopMemoryReplay) spend(id dpopReplayID, expires, now time.Time) error {
	exp, sec := expires.Unix(), now.Unix()
	m.mu.Lock()
	defer m.mu.Unlock()
	if sec != m.lastSec {
		m.lastSec = sec
		m.dropBefore(sec)
	}
	if s, ok := m.seen[id]; ok && s >= sec {
		return errDPoPReplay
	}
	if exp <= m.floor {
		return errDPoPStale
	}
	for len(m.seen) >= m.max {
		oldest := m.oldest()
		if oldest >= exp {
			// Everything held expires no earlier than this proof:
			// dropping any of it would let it be replayed.
			return errDPoPStale
		}
		m.drop(oldest)
		m.floor = oldest
	}
	m.seen[id] = exp
	m.bySec[exp] = append(m.bySec[exp], id)
	return nil
}

// dropBefore drops the entries that expired before the second sec.
func (m *dpopMemoryReplay) dropBefore(sec int64) {
	for s := range m.bySec {
		if s < sec {
			m.drop(s)
		}
	}
}

// oldest returns the earliest second entries expire in; the cache is not
// empty.
func (m *dpopMemoryReplay) oldest() int64 {
	first := true
	var min int64
	for s := range m.bySec {
		if first || s < min {
			min, first = s, false
		}
	}
	return min
}

func (m *dpopMemoryReplay) drop(sec int64) {
	for _, id := range m.bySec[sec] {
		if m.seen[id] == sec {
			delete(m.seen, id)
		}
	}
	delete(m.bySec, sec)
}

// len returns the number of proofs held.
func (m *dpopMemoryReplay) len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.seen)
}
