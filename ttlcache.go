package jwtguard

import (
	"strings"
	"sync"
	"time"
)

// ttlCacheMax bounds the entries of one cache. When it is full, expired
// entries go first, then an arbitrary eighth of the rest: a flood of new
// keys costs at most some extra lookups, never unbounded memory.
const ttlCacheMax = 1 << 16

// ttlCache remembers answers for a short time. A zero maxAge disables it.
type ttlCache[V any] struct {
	maxAge time.Duration
	mu     sync.RWMutex
	m      map[string]ttlEntry[V]
	// changes counts the forgets, so that an answer read before one is
	// not put after it (see mark).
	changes uint64
}

type ttlEntry[V any] struct {
	v V
	w window
}

func newTTLCache[V any](maxAge time.Duration) *ttlCache[V] {
	return &ttlCache[V]{maxAge: maxAge, m: make(map[string]ttlEntry[V])}
}

func (c *ttlCache[V]) get(key string, now time.Time) (V, bool) {
	if c.maxAge <= 0 {
		var zero V
		return zero, false
	}
	c.mu.RLock()
	e, ok := c.m[key]
	c.mu.RUnlock()
	if !ok || !e.w.holds(now) {
		var zero V
		return zero, false
	}
	return e.v, true
}

// take reports whether key has an entry that holds at now, and removes it.
func (c *ttlCache[V]) take(key string, now time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[key]
	delete(c.m, key)
	return ok && e.w.holds(now)
}

// put remembers v for maxAge, and not past limit when limit is set.
func (c *ttlCache[V]) put(key string, v V, now, limit time.Time) {
	c.putSince(key, v, now, limit, nil)
}

// putSince is put, skipped when something was forgotten since mark (when
// mark is not nil): the answer may be one a change made wrong.
func (c *ttlCache[V]) putSince(key string, v V, now, limit time.Time, mark *uint64) {
	if c.maxAge <= 0 {
		return
	}
	until := now.Add(c.maxAge)
	if !limit.IsZero() && limit.Before(until) {
		until = limit
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if mark != nil && *mark != c.changes {
		return
	}
	if len(c.m) >= ttlCacheMax {
		c.evict(now)
	}
	// A key of its own: one sliced from a token would keep the whole token.
	c.m[strings.Clone(key)] = ttlEntry[V]{v: v, w: window{since: now, until: until}}
}

func (c *ttlCache[V]) evict(now time.Time) {
	for k, e := range c.m {
		if !e.w.holds(now) {
			delete(c.m, k)
		}
	}
	drop := len(c.m) - ttlCacheMax + ttlCacheMax/8
	for k := range c.m {
		if drop <= 0 {
			break
		}
		delete(c.m, k)
		drop--
	}
}
