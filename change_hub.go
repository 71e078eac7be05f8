package jwtguard

import "sync"

// ChangeHub hands each [Change] to every subscriber, one change at a time:
// the fan-out half of a [ChangeFeed], for a store to embed. The zero value
// is ready to use; a ChangeHub is safe for concurrent use.
type ChangeHub struct {
	deliver sync.Mutex // held while the subscribers run: calls do not overlap
	mu      sync.Mutex
	next    int
	subs    map[int]func(Change)
}

// Subscribe implements the first method of [ChangeFeed]: fn gets every
// change delivered from now on, until cancel is called.
func (h *ChangeHub) Subscribe(fn func(Change)) (cancel func()) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.subs == nil {
		h.subs = make(map[int]func(Change))
	}
	id := h.next
	h.next++
	h.subs[id] = fn
	return func() {
		h.mu.Lock()
		delete(h.subs, id)
		h.mu.Unlock()
	}
}

// Deliver calls every subscriber with c, in turn.
func (h *ChangeHub) Deliver(c Change) {
	h.deliver.Lock()
	defer h.deliver.Unlock()
	h.mu.Lock()
	fns := make([]func(Change), 0, len(h.subs))
	for _, fn := range h.subs {
		fns = append(fns, fn)
	}
	h.mu.Unlock()
	for _, fn := range fns {
		fn(c)
	}
}
