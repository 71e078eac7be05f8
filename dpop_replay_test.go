package jwtguard

import (
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func replayID(i int) dpopReplayID { return newDPoPReplayID("thumbprint", strconv.Itoa(i)) }

// owner is the key of entry i in tests of the cache alone: each its own,
// so that the per-key quota is not what they test.
func owner(i int) string { return "key" + strconv.Itoa(i) }

// TestDPoPMemoryReplayKeyQuota: one key holds at most 1/16 of the cache;
// its next proof is refused without dropping anything, and every other
// key still finds room.
func TestDPoPMemoryReplayKeyQuota(t *testing.T) {
	m := newDPoPMemoryReplay(64) // a share of 4
	now := time.Unix(1000, 0)
	exp := now.Add(time.Minute)
	for i := range 4 {
		must(t, m.spend(replayID(i), "attacker", exp, now))
	}
	for i := 4; i < 64; i++ {
		if err := m.spend(replayID(i), "attacker", exp, now); !errors.Is(err, ErrDPoPKeyQuota) || !errors.Is(err, ErrDPoPProof) {
			t.Fatalf("proof %d past the key's share: %v", i, err)
		}
	}
	if n := m.len(); n != 4 {
		t.Fatalf("%d entries held, want 4", n)
	}
	for i := 100; i < 160; i++ {
		must(t, m.spend(replayID(i), owner(i), exp, now))
	}
	// Once its proofs expire, the key has its share again.
	later := exp.Add(time.Second)
	must(t, m.spend(replayID(1000), "attacker", later.Add(time.Minute), later))
	if n := m.byKey["attacker"]; n != 1 {
		t.Fatalf("attacker holds %d after expiry, want 1", n)
	}
}

// TestDPoPMemoryReplayFull: a full cache drops its oldest second and
// refuses, as stale, every proof that second might have held, so a
// dropped proof is never accepted again; younger ones are still replays.
func TestDPoPMemoryReplayFull(t *testing.T) {
	m := newDPoPMemoryReplay(4)
	now := time.Unix(1000, 0)
	for i := range 4 {
		if err := m.spend(replayID(i), owner(i), now.Add(time.Duration(10+i)*time.Second), now); err != nil {
			t.Fatalf("entry %d: %v", i, err)
		}
	}
	if err := m.spend(replayID(4), owner(4), now.Add(20*time.Second), now); err != nil {
		t.Fatalf("entry past the bound: %v", err)
	}
	if n := m.len(); n != 4 {
		t.Fatalf("%d entries held, want 4", n)
	}
	if err := m.spend(replayID(0), owner(0), now.Add(10*time.Second), now); !errors.Is(err, ErrDPoPStale) {
		t.Fatalf("the dropped proof again: %v, want stale", err)
	}
	if err := m.spend(replayID(99), owner(99), now.Add(10*time.Second), now); !errors.Is(err, ErrDPoPStale) {
		t.Fatalf("a new proof as old as the dropped one: %v, want stale", err)
	}
	if err := m.spend(replayID(1), owner(1), now.Add(11*time.Second), now); !errors.Is(err, ErrDPoPReplay) {
		t.Fatalf("a held proof again: %v, want replay", err)
	}
}

// TestDPoPMemoryReplayFlood: proofs that all expire in one second fill the
// cache; once full, more of them are refused rather than let anything
// held be dropped, and memory stays at the bound.
func TestDPoPMemoryReplayFlood(t *testing.T) {
	const max = 1000
	m := newDPoPMemoryReplay(max)
	now := time.Unix(1000, 0)
	exp := now.Add(time.Minute)
	refused := 0
	for i := range 100 * max {
		switch err := m.spend(replayID(i), owner(i), exp, now); {
		case err == nil:
		case errors.Is(err, ErrDPoPStale):
			refused++
		default:
			t.Fatal(err)
		}
	}
	if n := m.len(); n != max {
		t.Fatalf("%d entries held, want %d", n, max)
	}
	if refused != 99*max {
		t.Fatalf("%d refused, want %d", refused, 99*max)
	}
	for i := range max {
		if err := m.spend(replayID(i), owner(i), exp, now); !errors.Is(err, ErrDPoPReplay) {
			t.Fatalf("held proof %d again: %v", i, err)
		}
	}
	// A second later, a proof that expires later still finds room.
	if err := m.spend(replayID(-1), owner(-1), exp.Add(time.Second), now); err != nil {
		t.Fatalf("a younger proof: %v", err)
	}
}

// TestDPoPMemoryReplayExpiry: entries are dropped once their second is
// over, and an ID may then be used again (its proof would be stale anyway).
func TestDPoPMemoryReplayExpiry(t *testing.T) {
	m := newDPoPMemoryReplay(10)
	now := time.Unix(1000, 0)
	for i := range 10 {
		must(t, m.spend(replayID(i), owner(i), now.Add(5*time.Second), now))
	}
	later := now.Add(6 * time.Second)
	must(t, m.spend(replayID(0), owner(0), later.Add(5*time.Second), later))
	if n := m.len(); n != 1 {
		t.Fatalf("%d entries after expiry, want 1", n)
	}
}

// TestDPoPMemoryReplayConcurrent: of many concurrent spends of one proof,
// exactly one succeeds.
func TestDPoPMemoryReplayConcurrent(t *testing.T) {
	m := newDPoPMemoryReplay(DefaultDPoPReplayEntries)
	now := time.Now()
	for round := range 20 {
		var wins atomic.Int32
		var wg sync.WaitGroup
		for range 32 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if m.spend(replayID(round), owner(round), now.Add(time.Minute), now) == nil {
					wins.Add(1)
				}
			}()
		}
		wg.Wait()
		if n := wins.Load(); n != 1 {
			t.Fatalf("round %d: %d spends succeeded", round, n)
		}
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// BenchmarkDPoPReplay times the in-memory replay cache alone: one new
// proof recorded per iteration, the cache at its default bound.
func BenchmarkDPoPReplay(b *testing.B) {
	m := newDPoPMemoryReplay(DefaultDPoPReplayEntries)
	now := time.Now()
	ids, owners := make([]dpopReplayID, 1<<16), make([]string, 1<<16)
	for i := range ids {
		ids[i], owners[i] = replayID(i), owner(i)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		// Past the bound the oldest second goes, as a steady load has it.
		if err := m.spend(ids[i%len(ids)], owners[i%len(ids)], now.Add(time.Minute+time.Duration(i>>10)*time.Second), now); err != nil && i < len(ids) {
			b.Fatal(err)
		}
	}
}
