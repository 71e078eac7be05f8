package jwtguardotel

import (
	"context"
	"errors"
	"time"

	"github.com/jwtguard/jwtguard"
	"go.opentelemetry.io/otel/metric"
)

// The instruments' names, as OpenTelemetry spells them. A Prometheus
// exporter writes them with underscores, the unit and _total for counters:
// jwtguard_decisions_total, jwtguard_verification_duration_seconds, ...
const (
	MetricDecisions          = "jwtguard.decisions"
	MetricVerifyDuration     = "jwtguard.verification.duration"
	MetricCacheEvictions     = "jwtguard.cache.evictions"
	MetricKeySetFetches      = "jwtguard.keyset.fetches"
	MetricKeySetChanges      = "jwtguard.keyset.changes"
	MetricKeySetFetchTime    = "jwtguard.keyset.fetch.duration"
	MetricEndpointCalls      = "jwtguard.endpoint.calls"
	MetricEndpointDuration   = "jwtguard.endpoint.duration"
	MetricSignIns            = "jwtguard.signins"
	MetricRefreshes          = "jwtguard.refreshes"
	MetricRevocations        = "jwtguard.revocations"
	MetricStoreDuration      = "jwtguard.store.duration"
	MetricStoreErrors        = "jwtguard.store.errors"
	MetricThrottled          = "jwtguard.throttled"
	unitSeconds              = "s"
	descriptionVerifyingTime = "Time from reading a request's credentials to the Guard's decision."
)

// Bucket bounds, in seconds. A cached verification takes well under a
// microsecond and an uncached one tens of microseconds; a store call or a
// key set fetch goes over the network; an endpoint call may hash a
// password.
var (
	verifyBuckets  = []float64{1e-6, 2.5e-6, 5e-6, 1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3, 5e-3, 0.025, 0.1, 0.5, 1}
	networkBuckets = []float64{1e-4, 2.5e-4, 5e-4, 1e-3, 2.5e-3, 5e-3, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}
)

// instruments are the Observer's metrics, and the attribute sets they are
// recorded with.
type instruments struct {
	verifyDuration   metric.Float64Histogram
	evictions        metric.Int64Counter
	keySetFetches    metric.Int64Counter
	keySetChanges    metric.Int64Counter
	keySetDuration   metric.Float64Histogram
	endpointCalls    metric.Int64Counter
	endpointDuration metric.Float64Histogram
	signIns          metric.Int64Counter
	refreshes        metric.Int64Counter
	revocations      metric.Int64Counter
	storeDuration    metric.Float64Histogram
	storeErrors      metric.Int64Counter
	throttled        metric.Int64Counter

	sets      attributeSets
	decisions *decisionCounts
}

// newInstruments creates every instrument on m, and returns every error at
// once.
func newInstruments(m metric.Meter) (*instruments, error) {
	var errs []error
	counter := func(name, unit, desc string) metric.Int64Counter {
		c, err := m.Int64Counter(name, metric.WithUnit(unit), metric.WithDescription(desc))
		errs = append(errs, err)
		return c
	}
	histogram := func(name, desc string, buckets []float64) metric.Float64Histogram {
		h, err := m.Float64Histogram(name, metric.WithUnit(unitSeconds), metric.WithDescription(desc),
			metric.WithExplicitBucketBoundaries(buckets...))
		errs = append(errs, err)
		return h
	}
	in := &instruments{
		verifyDuration:   histogram(MetricVerifyDuration, descriptionVerifyingTime, verifyBuckets),
		evictions:        counter(MetricCacheEvictions, "{eviction}", "Entries the verified-token cache dropped to make room."),
		keySetFetches:    counter(MetricKeySetFetches, "{fetch}", "Fetches of a remote key set, by outcome: fetched or failed."),
		keySetChanges:    counter(MetricKeySetChanges, "{change}", "Fetches of a remote key set that brought keys different from the ones it had."),
		keySetDuration:   histogram(MetricKeySetFetchTime, "Time a remote key set's fetch took.", networkBuckets),
		endpointCalls:    counter(MetricEndpointCalls, "{call}", "Calls of the token endpoints, by endpoint, status class and refusal kind."),
		endpointDuration: histogram(MetricEndpointDuration, "Time a token endpoint's call took.", networkBuckets),
		signIns:          counter(MetricSignIns, "{signin}", "Sign-ins, by outcome: succeeded, failed or throttled."),
		refreshes:        counter(MetricRefreshes, "{refresh}", "Refreshes, by outcome: rotated, duplicate (within the grace window), reuse (session revoked) or refused."),
		revocations:      counter(MetricRevocations, "{revocation}", "Revocations written, by scope: token, family or subject."),
		storeDuration:    histogram(MetricStoreDuration, "Time a store or user lookup call took.", networkBuckets),
		storeErrors:      counter(MetricStoreErrors, "{error}", "Store or user lookup calls that failed."),
		throttled:        counter(MetricThrottled, "{request}", "Requests refused by a limit, by limit."),
	}
	var err error
	in.decisions, err = countsFor(m, &in.sets)
	errs = append(errs, err)
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return in, nil
}

// record moves the instruments e concerns.
func (in *instruments) record(ctx context.Context, e *jwtguard.Event) {
	switch e.Kind {
	case jwtguard.EventDecision:
		in.decisions.add(e)
		// Timed: a token verified, not a policy, an anonymous request,
		// unreadable credentials or a cache hit: the decisions the Guard
		// gives a Start.
		if !e.Start.IsZero() && !e.Cached && e.Name != jwtguard.DecisionAuthorize {
			in.verifyDuration.Record(ctx, seconds(e.Duration), in.sets.get(setKey{id: setVerifyDuration, a: e.Outcome}).rec...)
		}
	case jwtguard.EventCacheEviction:
		in.evictions.Add(ctx, 1)
	case jwtguard.EventKeySet:
		if e.Outcome == jwtguard.OutcomeChanged {
			in.keySetChanges.Add(ctx, 1, in.sets.get(setKey{id: setKeySetURL, b: e.Name}).add...)
			return
		}
		o := in.sets.get(setKey{id: setKeySetFetch, a: e.Outcome, b: e.Name})
		in.keySetFetches.Add(ctx, 1, o.add...)
		in.keySetDuration.Record(ctx, seconds(e.Duration), o.rec...)
	case jwtguard.EventEndpoint:
		in.endpointCalls.Add(ctx, 1, in.sets.get(setKey{id: setEndpointCall, a: e.Name, b: e.Refusal, status: e.Status / 100 * 100}).add...)
		in.endpointDuration.Record(ctx, seconds(e.Duration), in.sets.get(setKey{id: setEndpointDuration, a: e.Name, status: e.Status / 100 * 100}).rec...)
	case jwtguard.EventSignIn:
		in.signIns.Add(ctx, 1, in.sets.get(setKey{id: setOutcome, a: e.Outcome}).add...)
	case jwtguard.EventRefresh:
		in.refreshes.Add(ctx, 1, in.sets.get(setKey{id: setRefresh, a: e.Outcome, b: e.Refusal}).add...)
	case jwtguard.EventRevocation:
		in.revocations.Add(ctx, 1, in.sets.get(setKey{id: setScope, a: e.Name}).add...)
	case jwtguard.EventStoreCall:
		failed := storeFailed(e)
		in.storeDuration.Record(ctx, seconds(e.Duration), in.sets.get(setKey{id: setStoreCall, a: e.Name, flag: failed}).rec...)
		if failed {
			in.storeErrors.Add(ctx, 1, in.sets.get(setKey{id: setStoreError, a: e.Name, b: e.Refusal}).add...)
		}
	case jwtguard.EventThrottled:
		in.throttled.Add(ctx, 1, in.sets.get(setKey{id: setLimit, a: e.Name}).add...)
	}
}

// seconds is d in seconds, never negative.
func seconds(d time.Duration) float64 {
	if d < 0 {
		return 0
	}
	return d.Seconds()
}
