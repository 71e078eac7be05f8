package jwtguardotel

import (
	"context"
	"math/rand/v2"
	"reflect"
	"sync"
	"sync/atomic"

	"github.com/jwtguard/jwtguard"
	"go.opentelemetry.io/otel/metric"
)

// The decisions are counted here rather than through a synchronous
// instrument: a decision from the cache takes a few hundred nanoseconds,
// and the SDK's Add would as much as double that. A count is a sharded
// atomic add, read by the SDK when it collects (an observable counter).

// meterCounts holds the decision counts of each Meter an Observer was made
// on, so that the Observers made on one MeterProvider share them: the SDK
// keeps one value per attribute set of an observable counter, so two
// callbacks reporting the same set would not add up. It only grows, by one
// entry per Meter (a MeterProvider gives one per scope).
var meterCounts sync.Map // metric.Meter -> *decisionCounts

// countsFor returns the decision counts of m, and registers the
// observable counter that reports them when m had none yet.
func countsFor(m metric.Meter, sets *attributeSets) (*decisionCounts, error) {
	fresh := newDecisionCounts(sets)
	d := fresh
	if t := reflect.TypeOf(m); t != nil && t.Comparable() {
		v, loaded := meterCounts.LoadOrStore(m, fresh)
		if d = v.(*decisionCounts); loaded {
			return d, nil
		}
	}
	_, err := m.Int64ObservableCounter(MetricDecisions, metric.WithUnit("{decision}"),
		metric.WithDescription("The Guard's decisions: accepted, anonymous or refused (by kind), from the cache or not."),
		metric.WithInt64Callback(d.observe))
	if err != nil {
		meterCounts.CompareAndDelete(m, d)
	}
	return d, err
}

// shards spreads one count over cache lines, so that goroutines on
// different cores seldom add to the same one.
const shards = 8

// shardedCount is a monotonic count, safe for concurrent use.
type shardedCount struct {
	shard [shards]struct {
		n atomic.Int64
		_ [120]byte // no two shards on one cache line, however the array is aligned
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

// decisionCounts holds a count per attribute set: the decisions whose
// strings are jwtguard's own (the Guard's two decisions, the outcomes, the
// refusal kinds) in a fixed table, made on first use, found without
// hashing; any other in a map.
type decisionCounts struct {
	table  [len(decisionNames)][len(decisionRefusals)][len(decisionOutcomes)][2]atomic.Pointer[decisionCount]
	others sync.Map // setKey -> *decisionCount
	n      atomic.Int64
	sets   *attributeSets
}

// The strings of a decision that the table holds, the commonest first.
var (
	decisionNames    = [...]string{jwtguard.DecisionAuthenticate, jwtguard.DecisionAuthorize}
	decisionOutcomes = [...]string{jwtguard.OutcomeAccepted, jwtguard.OutcomeRefused, jwtguard.OutcomeAnonymous}
	decisionRefusals = [...]string{"", jwtguard.KindTokenInvalid, jwtguard.KindNoCredentials, jwtguard.KindForbidden,
		jwtguard.KindScope, jwtguard.KindTokenRevoked, jwtguard.KindMalformed, jwtguard.KindTokenWrongType,
		jwtguard.KindCSRF, jwtguard.KindUnavailable, jwtguard.KindUserNotFound, jwtguard.KindUserInactive,
		jwtguard.KindNoUserID, jwtguard.KindTokenNoExp, jwtguard.KindTokenNoID, jwtguard.KindTokenNoType,
		jwtguard.KindDuplicateCookie, jwtguard.KindNotFound}
)

// index is the position of s in list, or -1.
func index(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	return -1
}

func newDecisionCounts(sets *attributeSets) *decisionCounts {
	return &decisionCounts{sets: sets}
}

func (d *decisionCounts) newCount(k setKey) *decisionCount {
	return &decisionCount{opts: []metric.ObserveOption{metric.WithAttributeSet(d.sets.get(k).set)}}
}

// add counts e.
func (d *decisionCounts) add(e *jwtguard.Event) {
	k := setKey{id: setDecision, a: e.Outcome, b: e.Refusal, c: e.Name, flag: e.Cached}
	n, r, o := index(decisionNames[:], e.Name), index(decisionRefusals[:], e.Refusal), index(decisionOutcomes[:], e.Outcome)
	if n >= 0 && r >= 0 && o >= 0 {
		c := 0
		if e.Cached {
			c = 1
		}
		slot := &d.table[n][r][o][c]
		count := slot.Load()
		if count == nil {
			if slot.CompareAndSwap(nil, d.newCount(k)) {
				d.n.Add(1)
			}
			count = slot.Load()
		}
		count.add()
		return
	}
	if v, ok := d.others.Load(k); ok {
		v.(*decisionCount).add()
		return
	}
	if d.n.Load() >= maxSets {
		// A flood of strings of an application's own: they share "other".
		k = setKey{id: setDecision, a: "other", b: "other", c: "other", flag: e.Cached}
	}
	v, loaded := d.others.LoadOrStore(k, d.newCount(k))
	if !loaded {
		d.n.Add(1)
	}
	v.(*decisionCount).add()
}

// observe reports every count to the SDK.
func (d *decisionCounts) observe(_ context.Context, o metric.Int64Observer) error {
	for n := range d.table {
		for r := range d.table[n] {
			for i := range d.table[n][r] {
				for c := range d.table[n][r][i] {
					if count := d.table[n][r][i][c].Load(); count != nil {
						o.Observe(count.load(), count.opts...)
					}
				}
			}
		}
	}
	d.others.Range(func(_, v any) bool {
		c := v.(*decisionCount)
		o.Observe(c.load(), c.opts...)
		return true
	})
	return nil
}
