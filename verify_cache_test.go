package jwtguard_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unsafe"

	"github.com/jwtguard/jwtguard"
)

// hs256 returns an HS256 access token with the test secret, expiring at exp,
// made unique by n.
func hs256(t testing.TB, exp int64, n int) string {
	t.Helper()
	return signRaw(t, "HS256", `{"alg":"HS256"}`,
		`{"token_type":"access","exp":`+strconv.FormatInt(exp, 10)+`,"jti":"`+strconv.Itoa(n)+`"}`)
}

func TestCacheHit(t *testing.T) {
	ctx := context.Background()
	v := verifierFor(t)
	raw := hs256(t, future, 1)
	t1, err := v.Verify(ctx, raw)
	must(t, err)
	t2, err := v.Verify(ctx, raw)
	must(t, err)
	if t1 != t2 {
		t.Errorf("the second Verify did not come from the cache")
	}
	if st := v.CacheStats(); st.Hits != 1 || st.Misses != 1 || st.Inserted != 1 || st.Entries != 1 || st.Bytes <= 0 {
		t.Errorf("stats %+v", st)
	}
	off := verifierFor(t, jwtguard.WithoutCache())
	u1, _ := off.Verify(ctx, raw)
	u2, _ := off.Verify(ctx, raw)
	if u1 == u2 || off.CacheStats() != (jwtguard.CacheStats{}) {
		t.Errorf("WithoutCache still caches: %+v", off.CacheStats())
	}
}

// Garbage never enters: bad signatures, expired tokens, wrong types.
func TestCacheOnlyValid(t *testing.T) {
	ctx := context.Background()
	v := verifierFor(t)
	good := hs256(t, future, 1)
	bad := []string{
		good[:strings.LastIndexByte(good, '.')+1] + strings.Repeat("A", 43),
		hs256(t, past, 2),
		signRaw(t, "HS256", `{"alg":"HS256"}`, `{"jti":"j","token_type":"refresh","exp":`+strconv.FormatInt(future, 10)+`}`),
		"not.a.token",
	}
	for i := 0; i < 3; i++ {
		for _, raw := range bad {
			if _, err := v.Verify(ctx, raw); err == nil {
				t.Fatalf("%q passed", raw)
			}
		}
	}
	if st := v.CacheStats(); st.Entries != 0 || st.Inserted != 0 {
		t.Errorf("refused tokens entered the cache: %+v", st)
	}
}

// A cached token is checked against the clock on every hit, and leaves at
// the cache's maximum age.
func TestCacheTimes(t *testing.T) {
	ctx := context.Background()
	now := time.Now().Truncate(time.Second)
	clock := func() time.Time { return now }
	v := verifierFor(t, jwtguard.WithClock(func() time.Time { return clock() }),
		jwtguard.WithCache(100, 1<<20, time.Minute), jwtguard.WithLeeway(10*time.Second))
	raw := hs256(t, now.Add(90*time.Second).Unix(), 1)
	t1, err := v.Verify(ctx, raw)
	must(t, err)
	now = now.Add(59 * time.Second)
	if t2, err := v.Verify(ctx, raw); err != nil || t2 != t1 {
		t.Fatalf("within the maximum age: %v, cached %t", err, t2 == t1)
	}
	now = now.Add(2 * time.Second) // past the maximum age: verified again
	t3, err := v.Verify(ctx, raw)
	if err != nil || t3 == t1 {
		t.Fatalf("past the maximum age: %v, cached %t", err, t3 == t1)
	}
	now = now.Add(30 * time.Second) // 91 s: expired, but within the leeway
	if _, err := v.Verify(ctx, raw); err != nil {
		t.Fatalf("within the leeway: %v", err)
	}
	now = now.Add(10 * time.Second) // 101 s: past exp and leeway
	if _, err := v.Verify(ctx, raw); !errors.Is(err, jwtguard.ErrTokenExpired) {
		t.Fatalf("expired while cached: %v", err)
	}
}

// The clock set back drops what the caches hold: without a monotonic
// reading, an entry would otherwise outlive its maximum age by the step.
func TestCacheClockSetBack(t *testing.T) {
	ctx := context.Background()
	clock := newTestClock()
	iss, _ := newIssuer(t, clock, jwtguard.WithAccessRevocation(time.Minute))
	v, err := iss.Verifier(jwtguard.WithCache(100, 1<<20, time.Minute))
	must(t, err)
	pair, err := iss.Issue(ctx, "7")
	must(t, err)
	clock.Add(10 * time.Second)
	t1, err := v.Verify(ctx, pair.Access)
	must(t, err)
	clock.Add(-5 * time.Second)
	t2, err := v.Verify(ctx, pair.Access)
	must(t, err)
	if t2 == t1 {
		t.Fatal("a token cached before the clock was set back came from the cache")
	}
	clock.Add(5 * time.Second)
	if t3, err := v.Verify(ctx, pair.Access); err != nil || t3 != t2 {
		t.Fatalf("not cached again: %v, %t", err, t3 == t2)
	}
	must(t, iss.RevokeToken(ctx, t2))
	if _, err := v.Verify(ctx, pair.Access); err != nil {
		t.Fatalf("within the revocation check's minute, the cached answer stands: %v", err)
	}
	clock.Add(-6 * time.Second) // before that answer was stored
	if _, err := v.Verify(ctx, pair.Access); !errors.Is(err, jwtguard.ErrTokenRevoked) {
		t.Fatalf("revoked, then the clock set back: %v", err)
	}
}

// Revocation and the user check run on every hit.
func TestCacheRevocationAndUser(t *testing.T) {
	ctx := context.Background()
	clock := newTestClock()
	active := atomic.Bool{}
	active.Store(true)
	users := jwtguard.UserLookupFunc(func(_ context.Context, id string) (bool, error) { return active.Load(), nil })
	iss, _ := newIssuer(t, clock, jwtguard.WithAccessRevocation(0), jwtguard.WithUserLookup(users, 0))
	v, err := iss.Verifier()
	must(t, err)
	pair, err := iss.Issue(ctx, "7")
	must(t, err)
	for range 2 {
		if _, err := v.Verify(ctx, pair.Access); err != nil {
			t.Fatal(err)
		}
	}
	if st := v.CacheStats(); st.Hits != 1 {
		t.Fatalf("not cached: %+v", st)
	}
	active.Store(false)
	if _, err := v.Verify(ctx, pair.Access); !errors.Is(err, jwtguard.ErrUserInactive) {
		t.Errorf("inactive user's cached token: %v", err)
	}
	active.Store(true)
	tok, err := v.Verify(ctx, pair.Access)
	must(t, err)
	must(t, iss.RevokeToken(ctx, tok))
	if _, err := v.Verify(ctx, pair.Access); !errors.Is(err, jwtguard.ErrTokenRevoked) {
		t.Errorf("revoked cached token: %v", err)
	}
}

// Custom validators run on every hit.
func TestCacheValidators(t *testing.T) {
	ctx := context.Background()
	var calls atomic.Int32
	var refuse atomic.Bool
	v := verifierFor(t, jwtguard.WithValidator(func(context.Context, *jwtguard.Token) error {
		calls.Add(1)
		if refuse.Load() {
			return errors.New("no")
		}
		return nil
	}))
	raw := hs256(t, future, 1)
	for range 3 {
		_, err := v.Verify(ctx, raw)
		must(t, err)
	}
	refuse.Store(true)
	if _, err := v.Verify(ctx, raw); !errors.Is(err, jwtguard.ErrTokenInvalidClaims) {
		t.Errorf("validator's refusal on a hit: %v", err)
	}
	if calls.Load() != 4 {
		t.Errorf("validator ran %d times for 4 verifications", calls.Load())
	}
}

// The cache keeps to its bounds, and keeps the token in use while others
// stream through.
func TestCacheBoundsAndEviction(t *testing.T) {
	ctx := context.Background()
	v := verifierFor(t, jwtguard.WithCache(64, 1<<20, time.Hour))
	hot := hs256(t, future, 0)
	hotTok, err := v.Verify(ctx, hot)
	must(t, err)
	lost := 0
	for i := 1; i <= 2000; i++ {
		_, err := v.Verify(ctx, hs256(t, future, i))
		must(t, err)
		tok, err := v.Verify(ctx, hot)
		must(t, err)
		if tok != hotTok {
			lost++
			hotTok = tok
		}
		if st := v.CacheStats(); st.Entries > 64 {
			t.Fatalf("%d entries, bound 64", st.Entries)
		}
	}
	if lost > 20 {
		t.Errorf("the hot token left the cache %d times in 2000 inserts", lost)
	}
	st := v.CacheStats()
	if st.Evicted < 1900 {
		t.Errorf("stats %+v", st)
	}
	// The byte bound: 16 shards of 2 KiB hold two or three small tokens each.
	small := verifierFor(t, jwtguard.WithCache(100000, 32<<10, time.Hour))
	for i := range 1000 {
		_, err := small.Verify(ctx, hs256(t, future, i))
		must(t, err)
	}
	if st := small.CacheStats(); st.Bytes > 32<<10 || st.Entries == 0 || st.Entries > 48 {
		t.Errorf("byte-bounded cache: %+v", st)
	}
	// Fewer entries than shards: the entry bound still holds.
	tiny := verifierFor(t, jwtguard.WithCache(4, 1<<20, time.Hour))
	for i := range 100 {
		_, err := tiny.Verify(ctx, hs256(t, future, i))
		must(t, err)
	}
	if st := tiny.CacheStats(); st.Entries > 4 || st.Entries == 0 {
		t.Errorf("a cache of 4 entries holds %d", st.Entries)
	}
}

// A token too large for a shard is not cached, and evicts nothing.
func TestCacheOversized(t *testing.T) {
	ctx := context.Background()
	v := verifierFor(t, jwtguard.WithMaxTokenSize(1<<20), jwtguard.WithCache(1000, 16*4096, time.Hour))
	for i := range 200 {
		_, err := v.Verify(ctx, hs256(t, future, i))
		must(t, err)
	}
	before := v.CacheStats()
	big := signRaw(t, "HS256", `{"alg":"HS256"}`,
		`{"jti":"j","token_type":"access","exp":`+strconv.FormatInt(future, 10)+`,"pad":"`+strings.Repeat("p", 6000)+`"}`)
	for range 3 {
		_, err := v.Verify(ctx, big)
		must(t, err)
	}
	after := v.CacheStats()
	if after.Evicted != before.Evicted || after.Entries != before.Entries || after.Inserted != before.Inserted {
		t.Errorf("an oversized token changed the cache: %+v -> %+v", before, after)
	}
}

// The cache keeps a copy of the token, not the string it was cut from.
func TestCacheOwnsRaw(t *testing.T) {
	ctx := context.Background()
	v := verifierFor(t)
	raw := hs256(t, future, 1)
	header := "Bearer " + raw + strings.Repeat(" ", 1<<16)
	cut := strings.TrimSpace(strings.TrimPrefix(header, "Bearer "))
	tok, err := v.Verify(ctx, cut)
	must(t, err)
	if unsafe.StringData(string(tok.Raw)) == unsafe.StringData(cut) {
		t.Errorf("the cached token points into the caller's string")
	}
	if again, _ := v.Verify(ctx, raw); again != tok {
		t.Errorf("the same token in another string missed the cache")
	}
}

// A token accepted only within the leeway past its exp is not cached.
func TestCacheSkipsDeadTokens(t *testing.T) {
	ctx := context.Background()
	now := time.Now()
	v := verifierFor(t, jwtguard.WithLeeway(time.Minute), jwtguard.WithClock(func() time.Time { return now }))
	_, err := v.Verify(ctx, hs256(t, now.Add(-10*time.Second).Unix(), 1))
	must(t, err)
	if st := v.CacheStats(); st.Inserted != 0 {
		t.Errorf("a token past its exp was cached: %+v", st)
	}
}

// RawClaim hands out a copy: the shared token is never changed through it.
func TestRawClaimIsACopy(t *testing.T) {
	ctx := context.Background()
	v := verifierFor(t)
	raw := signRaw(t, "HS256", `{"alg":"HS256"}`, `{"jti":"j","token_type":"access","exp":`+strconv.FormatInt(future, 10)+`,"sub":"alice","scope":"read write"}`)
	t1, err := v.Verify(ctx, raw)
	must(t, err)
	sub, _ := t1.RawClaim("sub")
	for i := range sub {
		sub[i] = 'x'
	}
	_ = append(sub[:2], "zzzzzzzzzzzz"...)
	t2, err := v.Verify(ctx, raw)
	must(t, err)
	if t2.Claims.Subject != "alice" || t2.Claims.Scope != "read write" {
		t.Errorf("the cached token changed: %+v", t2.Claims)
	}
}

// An escaped string costs its own length, not the rest of the claims set.
func TestEscapedStringAllocation(t *testing.T) {
	ctx := context.Background()
	v := verifierFor(t, jwtguard.WithoutCache())
	aud := strings.TrimSuffix(strings.Repeat(`"\u0061",`, 600), ",")
	raw := signRaw(t, "HS256", `{"alg":"HS256"}`, `{"jti":"j","token_type":"access","exp":`+strconv.FormatInt(future, 10)+`,"aud":[`+aud+`]}`)
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	for range 100 {
		_, err := v.Verify(ctx, raw)
		must(t, err)
	}
	runtime.ReadMemStats(&m1)
	// The token is ~6 KB; each Verify needs its decoded segments, 600
	// one-letter audiences and their slice (about 50 KB in all), not a copy
	// of the rest of the claims set for each of them (1.8 MB).
	if per := (m1.TotalAlloc - m0.TotalAlloc) / 100; per > 128<<10 {
		t.Errorf("%d bytes allocated per Verify", per)
	}
}

func TestCacheConcurrent(t *testing.T) {
	ctx := context.Background()
	v := verifierFor(t, jwtguard.WithCache(32, 1<<20, time.Hour))
	toks := make([]string, 100)
	for i := range toks {
		toks[i] = hs256(t, future, i)
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 2000 {
				raw := toks[(g*7+i*13)%len(toks)]
				tok, err := v.Verify(ctx, raw)
				if err != nil || string(tok.Raw) != raw {
					t.Errorf("verify: %v", err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if st := v.CacheStats(); st.Hits == 0 || st.Entries > 32 {
		t.Errorf("stats %+v", st)
	}
}

func TestCacheOptions(t *testing.T) {
	for _, opt := range []jwtguard.VerifierOption{
		jwtguard.WithCache(0, 1, time.Second),
		jwtguard.WithCache(1, 0, time.Second),
		jwtguard.WithCache(1, 1, 0),
		jwtguard.WithCache(1000, 16<<10, time.Minute), // too few bytes for 16 shards
	} {
		if _, err := jwtguard.NewVerifier(mustKeySet(t), opt); err == nil {
			t.Errorf("bad cache bounds accepted")
		}
	}
}

func mustKeySet(t *testing.T) *jwtguard.KeySet {
	t.Helper()
	k, err := jwtguard.NewHMACKey("", keysForTest.secret)
	must(t, err)
	s, err := jwtguard.NewKeySet(k)
	must(t, err)
	return s
}

// A verifier with the cache answers every request as one without it, over
// a clock that moves forward, jumps and is set back, for tokens with and
// without "nbf" and "iat", fractional dates, and with and without leeway:
// the cache changes how fast a token is accepted, never whether.
func TestCacheAgreesWithoutCache(t *testing.T) {
	for _, leeway := range []time.Duration{0, 5 * time.Second} {
		base := time.Unix(1_800_000_000, 0)
		now := base
		clock := jwtguard.WithClock(func() time.Time { return now })
		cached := verifierFor(t, clock, jwtguard.WithLeeway(leeway), jwtguard.WithCache(20, 1<<20, 30*time.Second))
		plain := verifierFor(t, clock, jwtguard.WithLeeway(leeway), jwtguard.WithoutCache())
		r := rand.New(rand.NewPCG(1, uint64(leeway)))
		date := func(lo, hi int) string {
			s := strconv.Itoa(int(base.Unix()) + lo + r.IntN(hi-lo))
			if r.IntN(4) == 0 {
				s += ".5"
			}
			return s
		}
		var pool []string
		for i := range 60 {
			claims := `{"token_type":"access","jti":"` + strconv.Itoa(i) + `","exp":` + date(-30, 200)
			if r.IntN(2) == 0 {
				claims += `,"nbf":` + date(-20, 60)
			}
			if r.IntN(2) == 0 {
				claims += `,"iat":` + date(-20, 60)
			}
			pool = append(pool, signRaw(t, "HS256", `{"alg":"HS256"}`, claims+`}`))
		}
		for step := range 20000 {
			switch n := r.IntN(20); {
			case n < 16:
				now = now.Add(time.Duration(r.IntN(1500)) * time.Millisecond)
			case n < 18:
				now = now.Add(-time.Duration(r.IntN(10_000)) * time.Millisecond)
			default:
				now = now.Add(time.Duration(r.IntN(60_000)) * time.Millisecond)
			}
			if now.After(base.Add(250 * time.Second)) {
				now = base.Add(-30 * time.Second)
			}
			raw := pool[r.IntN(len(pool))]
			_, errC := cached.Verify(context.Background(), raw)
			_, errP := plain.Verify(context.Background(), raw)
			if (errC == nil) != (errP == nil) || (errC != nil && errC.Error() != errP.Error()) {
				t.Fatalf("leeway %v, step %d, at %v: cached %v, uncached %v", leeway, step, now.Sub(base), errC, errP)
			}
		}
		if st := cached.CacheStats(); st.Hits == 0 || st.Misses == 0 {
			t.Fatalf("leeway %v: the cache was not exercised: %+v", leeway, st)
		}
	}
}
