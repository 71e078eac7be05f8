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
// seen, each until its window is over, at most max of them, and at most
// quota of them by any one key (its thumbprint, the owner), so that one
// client cannot fill the cache for everyone. Entries are grouped by the
// second they expire in, so that expired ones go a second at a time; when
// the cache is full of live entries the oldest second goes too, and floor
// rises to it: a proof expiring at or before floor might have been
// dropped, so it is refused as stale and never replayed.
type dpopMemoryReplay struct {
	max, quota int

	mu      sync.Mutex
	seen    map[dpopReplayID]dpopReplayEntry
	bySec   map[int64][]dpopReplayID // second -> entries expiring in it
	byKey   map[string]int           // owner -> entries held
	floor   int64                    // refuse entries expiring at or before
	lastSec int64                    // the last second expired entries were dropped
}

type dpopReplayEntry struct {
	exp   int64  // the second it expires in
	owner string // the key's thumbprint
}

// dpopKeyShare is the share of the in-memory replay cache one key may
// hold: 1/16 of it, at least one entry.
const dpopKeyShare = 16

func newDPoPMemoryReplay(entries int) *dpopMemoryReplay {
	return &dpopMemoryReplay{max: entries, quota: max(1, entries/dpopKeyShare), seen: make(map[dpopReplayID]dpopReplayEntry),
		bySec: make(map[int64][]dpopReplayID), byKey: make(map[string]int)}
}

// spend records id, a proof by the key owner, until the second of
// expires, now being now: nil the first time, errDPoPReplay for a proof
// seen, errDPoPStale for one that the cache can no longer tell from a
// replay, errDPoPKeyQuota when owner holds its whole share already.
func (m *dpopMemoryReplay) spend(id dpopReplayID, owner string, expires, now time.Time) error {
	exp, sec := expires.Unix(), now.Unix()
	m.mu.Lock()
	defer m.mu.Unlock()
	if sec != m.lastSec {
		m.lastSec = sec
		m.dropBefore(sec)
	}
	if e, ok := m.seen[id]; ok {
		if e.exp >= sec {
			return errDPoPReplay
		}
		m.forget(id, e) // expired, its second not dropped yet (the clock went back)
	}
	if exp <= m.floor {
		return errDPoPStale
	}
	if m.byKey[owner] >= m.quota {
		return errDPoPKeyQuota // before anything is dropped for it
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
	m.seen[id] = dpopReplayEntry{exp: exp, owner: owner}
	m.bySec[exp] = append(m.bySec[exp], id)
	m.byKey[owner]++
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
		if e, ok := m.seen[id]; ok && e.exp == sec {
			m.forget(id, e)
		}
	}
	delete(m.bySec, sec)
}

// forget removes the entry e of id from seen and from its owner's count.
func (m *dpopMemoryReplay) forget(id dpopReplayID, e dpopReplayEntry) {
	delete(m.seen, id)
	if n := m.byKey[e.owner] - 1; n > 0 {
		m.byKey[e.owner] = n
	} else {
		delete(m.byKey, e.owner)
	}
}

// len returns the number of proofs held.
func (m *dpopMemoryReplay) len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.seen)
}
