package jwtguard

import (
	"context"
	"math/bits"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"
)

// Defaults of the verified-token cache ([WithCache]).
const (
	DefaultCacheEntries = 10000
	DefaultCacheBytes   = 16 << 20
	DefaultCacheMaxAge  = 10 * time.Minute
)

// cacheShards spreads the cache over locks, so that concurrent requests
// rarely meet on one; a cache of fewer entries has as many shards.
const cacheShards = 16

// cacheEntryOverhead is what an entry costs beside its raw token and a
// decoded claims set too large for the Token's own allocation: the Token
// with its inline buffer, the entry, the map slot.
const cacheEntryOverhead = int64(unsafe.Sizeof(tokenWithBuf{}) + unsafe.Sizeof(cacheEntry{}) + 64)

// minCacheShardBytes is the least a shard must hold to keep a token of a
// typical size: a smaller byte bound would cache nothing.
const minCacheShardBytes = cacheEntryOverhead + 1024

// evictSample bounds the entries one eviction looks at.
const evictSample = 32

// maxFrontSlots bounds the lock-free front of the cache: 32 KiB of
// pointers at most.
const maxFrontSlots = 1 << 12

// tokenCache remembers tokens that passed every check that depends on the
// token alone — encoding, header, signature, issuer, audience, type — so
// that the next request with the same token skips decoding and the
// signature. What depends on the time or on outside state is checked on
// every hit: the clock must be within the entry's window, which opens when
// the token passed "exp", "nbf" and "iat" with the leeway and closes at its
// "exp" (so those still pass whenever it is open); the key must still be
// trusted (a key removed from a remote set ends its tokens' entries); the
// revocation and user checks and the custom validators run.
//
// Only tokens that passed every check enter, so an attacker's garbage never
// does. It is bounded in entries and in bytes; an entry lives no longer
// than its token's "exp" nor the cache's maximum age. When a shard is full,
// eviction drops an expired entry or one not used since the last sweep
// (second chance), so that tokens in use stay.
//
// A hit on a token in use takes no lock: in front of the shards' maps is
// an array of pointers to entries found there lately, one slot a hash
// (a collision only sends a lookup on to the map). A slot is filled under
// its shard's read lock and emptied when the entry leaves the map, under
// the write lock, so it only ever points at an entry the map holds and
// the bounds hold.
type tokenCache struct {
	seed      [2]uint64 // keys the hash of a token's tail
	mask      uint64    // shards in use, a power of two, less one
	entries   int       // per shard
	bytes     int64     // per shard
	maxAge    time.Duration
	trusted   bool // the key provider never drops a key: a KeySet
	front     []atomic.Pointer[cacheEntry]
	frontMask uint64
	shards    [cacheShards]cacheShard
}

type cacheShard struct {
	mu       sync.RWMutex
	m        map[uint64]*cacheEntry
	bytes    int64
	inserted uint64 // under mu
	evicted  uint64 // under mu
	hits     atomic.Uint64
	misses   atomic.Uint64
	_        [64]byte // keep shards on cache lines of their own
}

type cacheEntry struct {
	h    uint64 // the hash of tok.Raw: the entry's key
	tok  *Token // its Raw is the cache's own copy
	key  *Key
	w    window // from when the token passed every check to its "exp" or the maximum age
	size int64
	used atomic.Bool
}

func newTokenCache(entries int, bytes int64, maxAge time.Duration, keys KeyProvider) *tokenCache {
	n := cacheShardsFor(entries)
	c := &tokenCache{
		seed:    [2]uint64{rand.Uint64(), rand.Uint64()},
		mask:    uint64(n - 1),
		entries: entries / n,
		bytes:   bytes / int64(n),
		maxAge:  maxAge,
	}
	_, c.trusted = keys.(*KeySet)
	front := 1
	for front < entries && front < maxFrontSlots {
		front *= 2
	}
	c.front = make([]atomic.Pointer[cacheEntry], front)
	c.frontMask = uint64(front - 1)
	for i := range c.mask + 1 {
		c.shards[i].m = make(map[uint64]*cacheEntry)
	}
	return c
}

// tailHash is the cache's key for raw: a keyed mix of its last 16 bytes,
// which are signature, and differ between any two tokens a key signed (16
// base64url characters carry 96 bits; the mix keeps 64). The whole token
// is compared on a hit, so a token made to share another's tail only
// misses; and only verified tokens enter, so nobody can choose a key.
func tailHash(raw string, seed *[2]uint64) uint64 {
	var tail [16]byte
	copy(tail[max(0, 16-len(raw)):], raw[max(0, len(raw)-16):])
	a := le64(tail[:8]) ^ seed[0]
	b := le64(tail[8:]) ^ seed[1]
	hi, lo := bits.Mul64(a, b)
	return hi ^ lo ^ a ^ bits.RotateLeft64(b, 32)
}

// le64 reads 8 bytes, little-endian (one load on the machines that allow it).
func le64(b []byte) uint64 {
	_ = b[7]
	return uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
		uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
}

// cacheShardsFor is the number of shards for a cache of entries: 16, or
// the largest power of two not above entries.
func cacheShardsFor(entries int) int {
	n := cacheShards
	for n > 1 && n > entries {
		n /= 2
	}
	return n
}

// get returns the entry for raw, or nil; and raw's hash.
func (c *tokenCache) get(raw string, now time.Time) (*cacheEntry, uint64) {
	h := tailHash(raw, &c.seed)
	f := c.frontSlot(h)
	e := f.Load()
	if e == nil || e.h != h {
		s := &c.shards[h&c.mask]
		s.mu.RLock()
		if e = s.m[h]; e != nil && f.Load() != e {
			f.Store(e)
		}
		s.mu.RUnlock()
	}
	if e == nil || string(e.tok.Raw) != raw || !e.w.holds(now) {
		return nil, h
	}
	if !e.used.Load() {
		e.used.Store(true)
	}
	return e, h
}

// frontSlot is the slot of the lock-free front for hash h. Its bits are
// not the shard's: the entries of one shard spread over the front.
func (c *tokenCache) frontSlot(h uint64) *atomic.Pointer[cacheEntry] {
	return &c.front[(h>>32)&c.frontMask]
}

// remove drops e from s, which the caller has locked, and from the front.
func (c *tokenCache) remove(s *cacheShard, e *cacheEntry) {
	delete(s.m, e.h)
	s.bytes -= e.size
	c.frontSlot(e.h).CompareAndSwap(e, nil)
}

// count records a lookup of the token of hash h as a hit or a miss.
func (c *tokenCache) count(h uint64, hit bool) {
	s := &c.shards[h&c.mask]
	if hit {
		s.hits.Add(1)
	} else {
		s.misses.Add(1)
	}
}

// put remembers a token that passed every check, verified with key. The
// token's raw text becomes a copy of its own: raw may be a slice of a
// larger string (a whole Cookie header, say) that the entry must not keep.
// It returns how many entries it evicted to make room.
func (c *tokenCache) put(h uint64, t *Token, key *Key, d *dates, now time.Time) (evicted int) {
	until := now.Add(c.maxAge)
	if d.hasExp {
		if exp := time.Unix(int64(d.exp), 0); exp.Before(until) {
			until = exp
		}
	}
	if !now.Before(until) {
		return 0 // accepted within the leeway past "exp": dead on arrival
	}
	size := int64(len(t.Raw)) + cacheEntryOverhead
	if len(t.payload) > inlineTokenBytes {
		size += int64(len(t.payload))
	}
	if size > c.bytes {
		return 0 // larger than a whole shard
	}
	t.Raw = RawToken(strings.Clone(string(t.Raw)))
	e := &cacheEntry{h: h, tok: t, key: key, w: window{since: now, until: until}, size: size}
	s := &c.shards[h&c.mask]
	s.mu.Lock()
	defer s.mu.Unlock()
	if old := s.m[h]; old != nil {
		c.remove(s, old)
	}
	for len(s.m) > 0 && (len(s.m) >= c.entries || s.bytes+e.size > c.bytes) {
		c.evictOne(s, now)
		evicted++
	}
	s.m[h] = e
	s.bytes += e.size
	s.inserted++
	return evicted
}

// evictOne drops one entry of s, which the caller has locked: the first
// expired or unused one among a sample (Go's map iteration starts at a
// random place), marking the used ones it passes unused; the last one
// looked at when every one was in use.
func (c *tokenCache) evictOne(s *cacheShard, now time.Time) {
	var last *cacheEntry
	n := 0
	for _, e := range s.m {
		last = e
		if !e.w.holds(now) || !e.used.Load() {
			break
		}
		e.used.Store(false)
		if n++; n >= evictSample {
			break
		}
	}
	c.remove(s, last)
	s.evicted++
}

// stillTrusted reports whether the key that verified an entry is still
// among the provider's keys for the token. Verify asks only when the
// provider is not a KeySet, whose keys never change (c.trusted).
func (c *tokenCache) stillTrusted(ctx context.Context, keys KeyProvider, e *cacheEntry) bool {
	t := e.tok
	ks, err := keys.Keys(ctx, KeyQuery{Alg: t.Header.Alg, KeyID: t.Header.Kid, Issuer: t.Claims.Issuer})
	if err != nil {
		return false
	}
	for _, k := range ks {
		if k == e.key {
			return true
		}
	}
	return false
}

// CacheStats counts the verified-token cache's work since the verifier was
// built.
type CacheStats struct {
	Hits, Misses, Inserted, Evicted uint64
	// Entries and Bytes are what the cache holds now.
	Entries int
	Bytes   int64
}

// CacheStats returns the counters of the verified-token cache; all zero
// when it is off ([WithoutCache]).
func (v *Verifier) CacheStats() CacheStats {
	c := v.cache
	if c == nil {
		return CacheStats{}
	}
	var st CacheStats
	for i := range c.mask + 1 {
		s := &c.shards[i]
		st.Hits += s.hits.Load()
		st.Misses += s.misses.Load()
		s.mu.RLock()
		st.Inserted += s.inserted
		st.Evicted += s.evicted
		st.Entries += len(s.m)
		st.Bytes += s.bytes
		s.mu.RUnlock()
	}
	return st
}
