package jwtguard

import (
	"fmt"
	"math/rand/v2"
	"strings"
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

// The cache's key reads only a token's tail, keyed by the cache's seed:
// any length is safe, distinct tails give distinct keys, and another seed
// gives other keys.
func TestTailHash(t *testing.T) {
	seed := [2]uint64{rand.Uint64(), rand.Uint64()}
	for n := range 40 {
		tailHash(strings.Repeat("a", n), &seed) // no panic on short input
	}
	if tailHash("x.y.abc", &seed) == tailHash("x.y.abd", &seed) {
		t.Error("a short token's last byte is not hashed")
	}
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	seen := make(map[uint64]string)
	other := [2]uint64{seed[0] + 1, seed[1]}
	same := 0
	for range 100000 {
		b := make([]byte, 16)
		for i := range b {
			b[i] = alphabet[rand.IntN(len(alphabet))]
		}
		tok := "header.payload." + string(b)
		h := tailHash(tok, &seed)
		if prev, ok := seen[h]; ok && prev != tok {
			t.Fatalf("%q and %q share a key", prev, tok)
		}
		seen[h] = tok
		if tailHash(tok, &other) == h {
			same++
		}
	}
	if same > 0 {
		t.Errorf("%d keys did not change with the seed", same)
	}
}

// The verified-token cache's windows are wall-clock times, like the
// token's dates, whatever the clock: with a monotonic reading, an entry
// would outlive "exp" across a suspend or a clock step (a hit does not
// look at the dates again).
func TestCacheWindowIsWallClock(t *testing.T) {
	secret := []byte("0123456789abcdef0123456789abcdef")
	k, err := NewHMACKey("", secret, HS256)
	if err != nil {
		t.Fatal(err)
	}
	ks, err := NewKeySet(k)
	if err != nil {
		t.Fatal(err)
	}
	v, err := NewVerifier(ks, WithClock(time.Now)) // monotonic readings
	if err != nil {
		t.Fatal(err)
	}
	sk, err := NewSigningKey("", secret, HS256)
	if err != nil {
		t.Fatal(err)
	}
	iss, err := NewIssuer(sk, NewMemoryStore())
	if err != nil {
		t.Fatal(err)
	}
	pair, err := iss.Issue(t.Context(), "7")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Verify(t.Context(), pair.Access); err != nil {
		t.Fatal(err)
	}
	e, _ := v.cache.get(pair.Access, time.Now().Round(0))
	if e == nil {
		t.Fatal("not cached")
	}
	if e.w.since != e.w.since.Round(0) || e.w.until != e.w.until.Round(0) {
		t.Errorf("the window %v – %v carries a monotonic reading", e.w.since, e.w.until)
	}
}
