package jwtguard

// What a cache forgets when it is told of a change, and how a put that
// raced with the change is kept out.

// forget drops the entry of key.
func (c *ttlCache[V]) forget(key string) {
	c.mu.Lock()
	c.changes++
	delete(c.m, key)
	c.mu.Unlock()
}

// forgetWhere drops every entry whose value drop reports.
func (c *ttlCache[V]) forgetWhere(drop func(V) bool) {
	c.mu.Lock()
	c.changes++
	for k, e := range c.m {
		if drop(e.v) {
			delete(c.m, k)
		}
	}
	c.mu.Unlock()
}

// clear drops every entry.
func (c *ttlCache[V]) clear() {
	c.mu.Lock()
	c.changes++
	clear(c.m)
	c.mu.Unlock()
}

// mark returns a mark to pass to putSince: an answer read from the store
// after the mark is put only when nothing was forgotten since, for the
// answer may predate what was.
func (c *ttlCache[V]) mark() uint64 {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.changes
}
