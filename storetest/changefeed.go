package storetest

import (
	"context"
	"errors"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard"
)

// FeedWait is how long [RunChangeFeed] gives a change to reach the other
// handle's caches: far less than their one-minute cache time, so only the
// feed can explain a refusal in time.
const FeedWait = 5 * time.Second

// feedCacheTime is the cache time of the checks RunChangeFeed builds: long
// enough that a refusal within FeedWait is the feed's doing.
const feedCacheTime = time.Minute

// boundCacheTime is the short cache time of the verifier that shows the
// bound holds while the feed is cut off.
const boundCacheTime = 500 * time.Millisecond

// RunChangeFeed checks a [jwtguard.ChangeFeed] over two handles a and b on
// one shared store, as two instances of a service would have them, on the
// real clock. Both must implement ChangeFeed. A revocation of a token, a
// session or a subject, and a user change, written through a, make b's
// verifier (whose answers are cached for a minute) refuse the token within
// [FeedWait]. Then cut makes b's feed lose its connection and must return
// while b is not listening again yet, with the store answering: a
// revocation written meanwhile is refused by a verifier with a half-second
// cache time no later than that after it was written, and by b's
// one-minute verifier once the feed is back (its catch-up).
func RunChangeFeed(t *testing.T, a, b jwtguard.Store, cut func(testing.TB)) {
	t.Helper()
	for _, s := range []jwtguard.Store{a, b} {
		if _, ok := s.(jwtguard.ChangeFeed); !ok {
			t.Fatalf("%T is not a jwtguard.ChangeFeed", s)
		}
	}
	ctx := context.Background()
	users := &feedUsers{inactive: map[string]bool{}}
	key, err := jwtguard.NewSigningKey("", []byte("storetest-feed-secret-of-32-byte"), jwtguard.HS256)
	must(t, err)
	opts := []jwtguard.IssuerOption{
		jwtguard.WithAccessRevocation(feedCacheTime),
		jwtguard.WithUserLookup(users, feedCacheTime),
	}
	ia, err := jwtguard.NewIssuer(key, a, opts...)
	must(t, err)
	ib, err := jwtguard.NewIssuer(key, b, opts...)
	must(t, err)
	vb, err := ib.Verifier()
	must(t, err)
	// issue returns a pair of a new user, its access token already
	// verified (and so cached) by b.
	issue := func(t *testing.T) *jwtguard.Pair {
		t.Helper()
		p, err := ia.Issue(ctx, "feed-user-"+randomID()[:8])
		must(t, err)
		if _, err := vb.Verify(ctx, p.Access); err != nil {
			t.Fatalf("b's first verification: %v", err)
		}
		return p
	}
	token := func(t *testing.T, raw string) *jwtguard.Token {
		t.Helper()
		tok, err := ia.Verify(ctx, raw)
		must(t, err)
		return tok
	}
	ways := []struct {
		name  string
		write func(t *testing.T, p *jwtguard.Pair)
		want  error
	}{
		{"RevokeToken", func(t *testing.T, p *jwtguard.Pair) {
			must(t, ia.RevokeToken(ctx, token(t, p.Access)))
		}, jwtguard.ErrTokenRevoked},
		{"Logout", func(t *testing.T, p *jwtguard.Pair) {
			must(t, ia.Logout(ctx, p.Refresh))
		}, jwtguard.ErrTokenRevoked},
		{"RevokeSubject", func(t *testing.T, p *jwtguard.Pair) {
			must(t, ia.RevokeSubject(ctx, token(t, p.Access).Claims.UserID))
		}, jwtguard.ErrTokenRevoked},
		{"UserChanged", func(t *testing.T, p *jwtguard.Pair) {
			id := token(t, p.Access).Claims.UserID
			users.deactivate(id)
			ia.UserChanged(id)
		}, jwtguard.ErrUserInactive},
	}
	for _, w := range ways {
		t.Run(w.name+"ReachesTheOther", func(t *testing.T) {
			p := issue(t)
			w.write(t, p)
			refusedWithin(t, vb, p.Access, w.want, FeedWait)
		})
	}
	t.Run("CutOff", func(t *testing.T) {
		plain, err := jwtguard.NewIssuer(key, b)
		must(t, err)
		short, err := plain.Verifier(jwtguard.WithRevocationCheck(b, boundCacheTime))
		must(t, err)
		p := issue(t)
		if _, err := short.Verify(ctx, p.Access); err != nil {
			t.Fatalf("the short verifier's first verification: %v", err)
		}
		cut(t)
		must(t, ia.RevokeToken(ctx, token(t, p.Access)))
		revoked := time.Now()
		// The bound: never accepted past the cache time after the
		// revocation, feed or no feed.
		for {
			start := time.Now()
			_, err := short.Verify(ctx, p.Access)
			if errors.Is(err, jwtguard.ErrTokenRevoked) {
				break
			}
			must(t, err)
			if late := start.Sub(revoked); late > boundCacheTime {
				t.Fatalf("accepted %v after its revocation while the feed was cut; the cache time is %v", late, boundCacheTime)
			}
			time.Sleep(5 * time.Millisecond)
		}
		// The catch-up: the one-minute verifier refuses it once the
		// feed is back, though the revocation's message was missed.
		refusedWithin(t, vb, p.Access, jwtguard.ErrTokenRevoked, FeedWait)
		// And the feed pushes again.
		p = issue(t)
		must(t, ia.RevokeToken(ctx, token(t, p.Access)))
		refusedWithin(t, vb, p.Access, jwtguard.ErrTokenRevoked, FeedWait)
	})
}

// refusedWithin waits until v refuses raw with want, for at most wait.
func refusedWithin(t *testing.T, v *jwtguard.Verifier, raw string, want error, wait time.Duration) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for {
		_, err := v.Verify(context.Background(), raw)
		if errors.Is(err, want) {
			return
		}
		if err != nil {
			t.Fatalf("verifying: %v, want %v", err, want)
		}
		if time.Now().After(deadline) {
			t.Fatalf("still accepted %v after the change, though the cache time is %v: the change did not reach the other handle", wait, feedCacheTime)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// feedUsers is a user table both issuers share, as instances share their
// database of users.
type feedUsers struct {
	mu       sync.Mutex
	inactive map[string]bool
}

func (u *feedUsers) LookupUser(_ context.Context, id string) (bool, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	return !u.inactive[id], nil
}

func (u *feedUsers) deactivate(id string) {
	u.mu.Lock()
	u.inactive[id] = true
	u.mu.Unlock()
}

// feedInstances returns two instances of one service, on the handles sa
// and sb of one store: an issuer on sa, and a verifier on sb whose
// revocation answers are cached for feedCacheTime.
func feedInstances(b *testing.B, sa, sb jwtguard.Store) (*jwtguard.Issuer, *jwtguard.Verifier) {
	b.Helper()
	key, err := jwtguard.NewSigningKey("", []byte("a-benchmark-secret-of-32-bytes!!"), jwtguard.HS256)
	if err != nil {
		b.Fatal(err)
	}
	ia, err := jwtguard.NewIssuer(key, sa, jwtguard.WithAccessRevocation(feedCacheTime))
	if err != nil {
		b.Fatal(err)
	}
	ib, err := jwtguard.NewIssuer(key, sb, jwtguard.WithAccessRevocation(feedCacheTime))
	if err != nil {
		b.Fatal(err)
	}
	vb, err := ib.Verifier()
	if err != nil {
		b.Fatal(err)
	}
	return ia, vb
}

// BenchmarkChangeFeed measures how long a revocation written through a
// takes to be refused by a verifier on b whose answers are cached for a
// minute: one revocation per iteration, the time from the write's start
// to the first refusal, polled every 100µs. It reports the median and the
// 99th percentile in milliseconds (p50-ms, p99-ms).
func BenchmarkChangeFeed(b *testing.B, sa, sb jwtguard.Store) {
	ctx := context.Background()
	ia, vb := feedInstances(b, sa, sb)
	lat := make([]time.Duration, 0, b.N)
	for b.Loop() {
		b.StopTimer()
		p, err := ia.Issue(ctx, "1")
		if err != nil {
			b.Fatal(err)
		}
		tok, err := vb.Verify(ctx, p.Access)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := time.Now()
		if err := ia.RevokeToken(ctx, tok); err != nil {
			b.Fatal(err)
		}
		for {
			if _, err := vb.Verify(ctx, p.Access); errors.Is(err, jwtguard.ErrTokenRevoked) {
				break
			} else if err != nil {
				b.Fatal(err)
			}
			if time.Since(start) > FeedWait {
				b.Fatal("a revocation did not reach the other handle")
			}
			time.Sleep(100 * time.Microsecond)
		}
		lat = append(lat, time.Since(start))
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	ms := func(q float64) float64 {
		return float64(lat[int(q*float64(len(lat)-1))]) / float64(time.Millisecond)
	}
	b.ReportMetric(ms(0.5), "p50-ms")
	b.ReportMetric(ms(0.99), "p99-ms")
}

// BenchmarkChangeRate writes one revocation per iteration through a at
// 10 000 a minute (one every 6 ms) while b's verifier holds 10 000 cached
// answers, and reports the changes b's feed delivered per second
// (msgs/s) and b's live heap after a garbage collection, before and after
// (heap-before-KB, heap-after-KB). Run it with -benchtime 1000x or more.
func BenchmarkChangeRate(b *testing.B, sa, sb jwtguard.Store) {
	ctx := context.Background()
	ia, vb := feedInstances(b, sa, sb)
	for range 10000 {
		p, err := ia.Issue(ctx, "1")
		if err != nil {
			b.Fatal(err)
		}
		if _, err := vb.Verify(ctx, p.Access); err != nil {
			b.Fatal(err)
		}
	}
	var got atomic.Int64
	cancel := sb.(jwtguard.ChangeFeed).Subscribe(func(jwtguard.Change) { got.Add(1) })
	defer cancel()
	before := liveHeap()
	p, err := ia.Issue(ctx, "1")
	if err != nil {
		b.Fatal(err)
	}
	tok, err := ia.Verify(ctx, p.Access)
	if err != nil {
		b.Fatal(err)
	}
	tick := time.NewTicker(6 * time.Millisecond)
	defer tick.Stop()
	start := time.Now()
	for b.Loop() {
		<-tick.C
		if err := ia.RevokeToken(ctx, tok); err != nil {
			b.Fatal(err)
		}
	}
	time.Sleep(100 * time.Millisecond) // the last messages' way
	b.ReportMetric(float64(got.Load())/time.Since(start).Seconds(), "msgs/s")
	b.ReportMetric(float64(before)/1024, "heap-before-KB")
	b.ReportMetric(float64(liveHeap())/1024, "heap-after-KB")
}

// liveHeap returns the bytes of the heap in use after a collection.
func liveHeap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}
