package sqlstore

import (
	"math"
	"time"
)

// The store keeps every time as Unix milliseconds in a 64-bit integer.
// Times too far from 1970 for that (some 292 million years) are clamped.

const (
	// noCutoff is a subject's cutoff when RevokeSubject was given the zero
	// time, which revokes nothing; no token's issue time maps this low.
	noCutoff = math.MinInt64
	// The range that times map to.
	minMillis = math.MinInt64 + 1
	maxMillis = math.MaxInt64
	// Seconds beyond these are clamped.
	minSeconds = math.MinInt64/1000 + 1
	maxSeconds = math.MaxInt64/1000 - 1
)

// floorMillis returns t in Unix milliseconds, rounded down: for now, so
// that an entry is never taken for expired before its time.
func floorMillis(t time.Time) int64 {
	s := t.Unix()
	switch {
	case s < minSeconds:
		return minMillis
	case s > maxSeconds:
		return maxMillis
	}
	return s*1000 + int64(t.Nanosecond()/1e6)
}

// ceilMillis returns t in Unix milliseconds, rounded up: for expiries, so
// that an entry is kept at least until its time. An entry is reported while
// ceilMillis(expiry) > floorMillis(now), which holds whenever expiry > now.
func ceilMillis(t time.Time) int64 {
	ms := floorMillis(t)
	if t.Nanosecond()%1e6 != 0 && ms < maxMillis && ms > minMillis {
		ms++
	}
	return ms
}

// secondMillis returns t truncated to its whole second, in Unix
// milliseconds: subject cutoffs and issue times compare in whole seconds,
// as the "iat" claim has them.
func secondMillis(t time.Time) int64 {
	s := t.Unix()
	switch {
	case s < minSeconds:
		return minMillis
	case s > maxSeconds:
		return maxMillis
	}
	return s * 1000
}

// cutoffMillis is secondMillis for a subject's cutoff, with the zero time
// for no cutoff.
func cutoffMillis(before time.Time) int64 {
	if before.IsZero() {
		return noCutoff
	}
	return secondMillis(before)
}
