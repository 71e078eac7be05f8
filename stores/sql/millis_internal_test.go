package sqlstore

import (
	"math"
	"testing"
	"time"
)

// Expiries round up and now rounds down, so an entry is reported whenever
// the in-memory store would report it; cutoffs and issue times truncate to
// the second; extreme times clamp instead of overflowing.
func TestMillis(t *testing.T) {
	base := time.Unix(1_800_000_000, 0)
	for _, c := range []struct {
		name string
		got  int64
		want int64
	}{
		{"floor of a whole millisecond", floorMillis(base.Add(7 * time.Millisecond)), 1_800_000_000_007},
		{"floor of a fraction", floorMillis(base.Add(7*time.Millisecond + 1)), 1_800_000_000_007},
		{"ceil of a whole millisecond", ceilMillis(base.Add(7 * time.Millisecond)), 1_800_000_000_007},
		{"ceil of a fraction", ceilMillis(base.Add(7*time.Millisecond + 1)), 1_800_000_000_008},
		{"floor before 1970", floorMillis(time.Unix(-1, 500_000_000)), -500},
		{"ceil before 1970", ceilMillis(time.Unix(-1, 500_000_001)), -499},
		{"second", secondMillis(base.Add(999 * time.Millisecond)), 1_800_000_000_000},
		{"second before 1970", secondMillis(time.Unix(-1, 999_999_999)), -1000},
		{"zero cutoff", cutoffMillis(time.Time{}), noCutoff},
		{"zero issue time", secondMillis(time.Time{}), time.Time{}.Unix() * 1000},
		{"far future", ceilMillis(time.Unix(math.MaxInt64/100, 0)), math.MaxInt64},
		{"far past", floorMillis(time.Unix(math.MinInt64/100, 1)), math.MinInt64 + 1},
		{"far past second", secondMillis(time.Unix(math.MinInt64/100, 0)), math.MinInt64 + 1},
	} {
		if c.got != c.want {
			t.Errorf("%s: %d, want %d", c.name, c.got, c.want)
		}
	}
	// An expiry a nanosecond after now is not taken for expired.
	for _, now := range []time.Time{base, base.Add(time.Nanosecond), base.Add(999_999), time.Unix(-1, 1)} {
		if exp := now.Add(time.Nanosecond); ceilMillis(exp) <= floorMillis(now) {
			t.Errorf("expiry %v after now %v maps to %d <= %d", exp, now, ceilMillis(exp), floorMillis(now))
		}
	}
	// The zero cutoff covers no issue time, not even the zero one.
	if cutoffMillis(time.Time{}) >= secondMillis(time.Time{}) {
		t.Error("the zero cutoff covers the zero issue time")
	}
}
