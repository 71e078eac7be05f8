package jwtguard

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"
)

// The lock-free front only ever points at entries its shards' maps hold,
// however puts, evictions and lookups interleave: otherwise an evicted
// token would stay reachable and the cache's bounds would not hold.
func TestCacheFrontHoldsOnlyMapEntries(t *testing.T) {
	now := time.Now()
	c := newTokenCache(64, 1<<20, time.Hour, (*KeySet)(nil))
	raws := make([]string, 1000)
	for i := range raws {
		raws[i] = fmt.Sprintf("header.payload.%048d", i)
	}
	put := func(raw string) {
		_, h := c.get(raw, now)
		d := dates{exp: float64(now.Add(time.Hour).Unix()), hasExp: true}
		c.put(h, &Token{Raw: RawToken(raw)}, nil, &d, now)
	}
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(w), 1))
			for range 20000 {
				raw := raws[r.IntN(len(raws))]
				if r.IntN(4) == 0 {
					put(raw)
				} else if e, _ := c.get(raw, now); e != nil && string(e.tok.Raw) != raw {
					t.Errorf("get(%q) gave the entry of %q", raw, e.tok.Raw)
					return
				}
			}
		})
	}
	wg.Wait()
	inFront := 0
	for i := range c.front {
		e := c.front[i].Load()
		if e == nil {
			continue
		}
		inFront++
		if got := c.shards[e.h&c.mask].m[e.h]; got != e {
			t.Errorf("front slot %d holds %q, which its shard does not", i, e.tok.Raw)
		}
	}
	st := Verifier{cache: c}
	if n := st.CacheStats().Entries; n > 64 || inFront > n || inFront == 0 {
		t.Errorf("%d entries, %d of them in front: want at most 64, and the front a non-empty part", n, inFront)
	}
}
