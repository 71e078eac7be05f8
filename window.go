package jwtguard

import "time"

// window is when a cached answer may be used: from the time it was
// stored until its expiry. The start counts too: with a clock that has no
// monotonic reading (one of WithClock's), an answer is dropped when the
// clock is set back, never kept past its maximum age by the length of the
// step.
type window struct {
	since, until time.Time
}

// holds reports whether now falls in w.
func (w *window) holds(now time.Time) bool {
	return now.Before(w.until) && !now.Before(w.since)
}
