package jwtguardotel

import (
	"context"
	"math/rand/v2"
	"sync"
	"sync/atomic"

	"github.com/jwtguard/jwtguard"
	"go.opentelemetry.io/otel/metric"
)

// The decisions are counted here rather than through a synchronous
// instrument: a decision from the cache takes a few hundred nanoseconds,
// and the SDK's Add would as much as double that. A count is a sharded
// atomic add, read by the SDK when it collects (an observable counter).

// shards spreads one count over cache lines, so that goroutines on
// different cores seldom add to the same one.
const shards = 8

// shardedCount is a monotonic count, safe for concurrent use.
type shardedCount struct {
	shard [shards]struct {
		n atomic.Int64
		_ [56]byte // one shard per cache line
	}
}

func (c *shardedCount) add() { c.shard[rand.Uint32()%shards].n.Add(1) }

func (c *shardedCount) load() int64 {
	var n int64
	for i := range c.shard {
		n += c.shard[i].n.Load()
	}
	return n
}

// decisionCount is the count of the decisions of one attribute set.
type decisionCount struct {
	opts []metric.ObserveOption
	shardedCount
}

// decisionCounts holds a count per attribute set: the decisions without a
// refusal in a fixed table, the refused ones (by kind) in a map.
type decisionCounts struct {
	plain   [len(plainOutcomes)][2]*decisionCount // by outcome, cached
	refused sync.Map                              // setKey -> *decisionCount
	n       atomic.Int64
	sets    *attributeSets
}

// plainOutcomes are the decisions' outcomes without a refusal.
var plainOutcomes = [...]string{jwtguard.OutcomeAccepted, jwtguard.OutcomeAnonymous}

func newDecisionCounts(sets *attributeSets) *decisionCounts {
	d := &decisionCounts{sets: sets}
	for i, outcome := range plainOutcomes {
		for c, cached := range []bool{false, true} {
			d.plain[i][c] = d.newCount(setKey{id: setDecision, a: outcome, flag: cached})
		}
	}
	return d
}

func (d *decisionCounts) newCount(k setKey) *decisionCount {
	return &decisionCount{opts: []metric.ObserveOption{metric.WithAttributeSet(d.sets.get(k).set)}}
}

// add counts e.
func (d *decisionCounts) add(e *jwtguard.Event) {
	if e.Refusal == "" {
		c := 0
		if e.Cached {
			c = 1
		}
		for i, outcome := range plainOutcomes {
			if e.Outcome == outcome {
				d.plain[i][c].add()
				return
			}
		}
	}
	k := setKey{id: setDecision, a: e.Outcome, b: e.Refusal, flag: e.Cached}
	if v, ok := d.refused.Load(k); ok {
		v.(*decisionCount).add()
		return
	}
	if d.n.Load() >= maxSets {
		// A flood of strings of an application's own: they share "other".
		k = setKey{id: setDecision, a: "other", b: "other", flag: e.Cached}
	}
	v, loaded := d.refused.LoadOrStore(k, d.newCount(k))
	if !loaded {
		d.n.Add(1)
	}
	v.(*decisionCount).add()
}

// observe reports every count to the SDK.
func (d *decisionCounts) observe(_ context.Context, o metric.Int64Observer) error {
	for i := range d.plain {
		for _, c := range d.plain[i] {
			if n := c.load(); n > 0 {
				o.Observe(n, c.opts...)
			}
		}
	}
	d.refused.Range(func(_, v any) bool {
		c := v.(*decisionCount)
		o.Observe(c.load(), c.opts...)
		return true
	})
	return nil
}
