package jwtguardotel_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard"
	jwtguardotel "github.com/jwtguard/jwtguard/otel"
)

// TestInstrumentsCountEachEvent feeds one of each event and checks that
// every instrument moved by exactly that, under exactly its attributes. A
// decision from the cache is counted, not timed, and so are a policy's
// (authorize) and an anonymous one; a store's answer that a token is
// revoked is no failure.
func TestInstrumentsCountEachEvent(t *testing.T) {
	o := newObserved(t)
	ctx := context.Background()
	jwks := "https://login.example.com/.well-known/jwks.json"
	events := []jwtguard.Event{
		{Kind: jwtguard.EventDecision, Outcome: jwtguard.OutcomeAccepted, Cached: true, Alg: "HS256", Duration: 300 * time.Nanosecond},
		{Kind: jwtguard.EventDecision, Outcome: jwtguard.OutcomeAccepted, Cached: true, Alg: "HS256", Duration: 500 * time.Nanosecond},
		{Kind: jwtguard.EventDecision, Outcome: jwtguard.OutcomeAccepted, Alg: "RS256", Start: verifiedAt, Duration: 40 * time.Microsecond},
		{Kind: jwtguard.EventDecision, Outcome: jwtguard.OutcomeRefused, Refusal: jwtguard.KindTokenInvalid, Start: verifiedAt, Duration: time.Microsecond},
		{Kind: jwtguard.EventDecision, Outcome: jwtguard.OutcomeRefused, Refusal: jwtguard.KindTokenInvalid, Start: verifiedAt, Duration: time.Microsecond},
		{Kind: jwtguard.EventDecision, Outcome: jwtguard.OutcomeRefused, Refusal: jwtguard.KindTokenRevoked, Cached: true, Duration: time.Microsecond},
		{Kind: jwtguard.EventDecision, Outcome: jwtguard.OutcomeAnonymous, Duration: 100 * time.Nanosecond},
		{Kind: jwtguard.EventDecision, Name: jwtguard.DecisionAuthenticate, Outcome: jwtguard.OutcomeAccepted, Cached: true, Duration: time.Microsecond},
		{Kind: jwtguard.EventDecision, Name: jwtguard.DecisionAuthorize, Outcome: jwtguard.OutcomeAccepted, Duration: time.Microsecond},
		{Kind: jwtguard.EventDecision, Name: jwtguard.DecisionAuthorize, Outcome: jwtguard.OutcomeRefused, Refusal: jwtguard.KindScope, Duration: time.Microsecond},
		{Kind: jwtguard.EventCacheEviction},
		{Kind: jwtguard.EventCacheEviction},
		{Kind: jwtguard.EventKeySet, Outcome: jwtguard.OutcomeFetched, Name: jwks, Duration: 2 * time.Millisecond},
		{Kind: jwtguard.EventKeySet, Outcome: jwtguard.OutcomeChanged, Name: jwks},
		{Kind: jwtguard.EventKeySet, Outcome: jwtguard.OutcomeFailed, Name: jwks, Err: errors.New("dial tcp: refused"), Duration: time.Second},
		{Kind: jwtguard.EventEndpoint, Name: jwtguard.EndpointObtain, Status: 200, Duration: 80 * time.Millisecond},
		{Kind: jwtguard.EventEndpoint, Name: jwtguard.EndpointObtain, Status: 401, Refusal: "no_active_account", Duration: 80 * time.Millisecond},
		{Kind: jwtguard.EventEndpoint, Name: jwtguard.EndpointRefresh, Status: 503, Refusal: jwtguard.KindUnavailable, Duration: time.Second},
		{Kind: jwtguard.EventSignIn, Outcome: jwtguard.OutcomeSucceeded},
		{Kind: jwtguard.EventSignIn, Outcome: jwtguard.OutcomeFailed},
		{Kind: jwtguard.EventSignIn, Outcome: jwtguard.OutcomeFailed},
		{Kind: jwtguard.EventSignIn, Outcome: jwtguard.OutcomeThrottled},
		{Kind: jwtguard.EventRefresh, Outcome: jwtguard.OutcomeRotated},
		{Kind: jwtguard.EventRefresh, Outcome: jwtguard.OutcomeDuplicate},
		{Kind: jwtguard.EventRefresh, Outcome: jwtguard.OutcomeReuse},
		{Kind: jwtguard.EventRefresh, Outcome: jwtguard.OutcomeRefused, Refusal: jwtguard.KindTokenInvalid},
		{Kind: jwtguard.EventRevocation, Name: jwtguard.RevokedFamily},
		{Kind: jwtguard.EventRevocation, Name: jwtguard.RevokedToken},
		{Kind: jwtguard.EventStoreCall, Name: "spend", Duration: time.Millisecond},
		{Kind: jwtguard.EventStoreCall, Name: "check", Duration: time.Millisecond},
		{Kind: jwtguard.EventStoreCall, Name: "check", Err: jwtguard.ErrTokenRevoked, Duration: time.Millisecond}, // an answer, no failure
		{Kind: jwtguard.EventStoreCall, Name: "check", Err: errors.New("i/o timeout"), Refusal: jwtguard.KindUnavailable, Duration: 2 * time.Second},
		{Kind: jwtguard.EventThrottled, Name: jwtguard.ThrottleSignIn},
		{Kind: jwtguard.EventThrottled, Name: jwtguard.ThrottleFailures},
		{Kind: jwtguard.EventThrottled, Name: jwtguard.ThrottleFailures},
	}
	for _, e := range events {
		o.Observe(ctx, e)
	}
	want := map[string]float64{
		"jwtguard.decisions{cached=true,outcome=accepted}":                                               2,
		"jwtguard.decisions{cached=false,outcome=accepted}":                                              1,
		"jwtguard.decisions{cached=false,outcome=refused,refusal=token_invalid}":                         2,
		"jwtguard.decisions{cached=true,outcome=refused,refusal=token_revoked}":                          1,
		"jwtguard.decisions{cached=false,outcome=anonymous}":                                             1,
		"jwtguard.decisions{cached=true,decision=authenticate,outcome=accepted}":                         1,
		"jwtguard.decisions{cached=false,decision=authorize,outcome=accepted}":                           1,
		"jwtguard.decisions{cached=false,decision=authorize,outcome=refused,refusal=insufficient_scope}": 1,
		"jwtguard.verification.duration{outcome=accepted}":                                               1,
		"jwtguard.verification.duration{outcome=accepted}:sum":                                           40e-6,
		"jwtguard.verification.duration{outcome=refused}":                                                2,
		"jwtguard.verification.duration{outcome=refused}:sum":                                            2e-6,
		"jwtguard.cache.evictions{}":                                                                     2,
		"jwtguard.keyset.fetches{outcome=fetched,url=" + jwks + "}":                                      1,
		"jwtguard.keyset.fetches{outcome=failed,url=" + jwks + "}":                                       1,
		"jwtguard.keyset.changes{url=" + jwks + "}":                                                      1,
		"jwtguard.keyset.fetch.duration{outcome=fetched,url=" + jwks + "}":                               1,
		"jwtguard.keyset.fetch.duration{outcome=fetched,url=" + jwks + "}:sum":                           0.002,
		"jwtguard.keyset.fetch.duration{outcome=failed,url=" + jwks + "}":                                1,
		"jwtguard.keyset.fetch.duration{outcome=failed,url=" + jwks + "}:sum":                            1,
		"jwtguard.endpoint.calls{endpoint=token_obtain,status_class=2xx}":                                1,
		"jwtguard.endpoint.calls{endpoint=token_obtain,refusal=no_active_account,status_class=4xx}":      1,
		"jwtguard.endpoint.calls{endpoint=token_refresh,refusal=unavailable,status_class=5xx}":           1,
		"jwtguard.endpoint.duration{endpoint=token_obtain,status_class=2xx}":                             1,
		"jwtguard.endpoint.duration{endpoint=token_obtain,status_class=2xx}:sum":                         0.08,
		"jwtguard.endpoint.duration{endpoint=token_obtain,status_class=4xx}":                             1,
		"jwtguard.endpoint.duration{endpoint=token_obtain,status_class=4xx}:sum":                         0.08,
		"jwtguard.endpoint.duration{endpoint=token_refresh,status_class=5xx}":                            1,
		"jwtguard.endpoint.duration{endpoint=token_refresh,status_class=5xx}:sum":                        1,
		"jwtguard.signins{outcome=succeeded}":                                                            1,
		"jwtguard.signins{outcome=failed}":                                                               2,
		"jwtguard.signins{outcome=throttled}":                                                            1,
		"jwtguard.refreshes{outcome=rotated}":                                                            1,
		"jwtguard.refreshes{outcome=duplicate}":                                                          1,
		"jwtguard.refreshes{outcome=reuse}":                                                              1,
		"jwtguard.refreshes{outcome=refused,refusal=token_invalid}":                                      1,
		"jwtguard.revocations{scope=family}":                                                             1,
		"jwtguard.revocations{scope=token}":                                                              1,
		"jwtguard.store.duration{call=spend,error=false}":                                                1,
		"jwtguard.store.duration{call=spend,error=false}:sum":                                            0.001,
		"jwtguard.store.duration{call=check,error=false}":                                                2,
		"jwtguard.store.duration{call=check,error=false}:sum":                                            0.002,
		"jwtguard.store.duration{call=check,error=true}":                                                 1,
		"jwtguard.store.duration{call=check,error=true}:sum":                                             2,
		"jwtguard.store.errors{call=check,refusal=unavailable}":                                          1,
		"jwtguard.throttled{limit=sign_in}":                                                              1,
		"jwtguard.throttled{limit=failures}":                                                             2,
	}
	got := o.series(t)
	for _, k := range slices.Sorted(maps.Keys(want)) {
		if g, ok := got[k]; !ok || !near(g, want[k]) {
			t.Errorf("%s = %v (present %v), want %v", k, g, ok, want[k])
		}
	}
	for _, k := range slices.Sorted(maps.Keys(got)) {
		if _, ok := want[k]; !ok {
			t.Errorf("unexpected series %s = %v", k, got[k])
		}
	}
}

func near(a, b float64) bool {
	d := a - b
	return d < 1e-12 && d > -1e-12
}

// TestInstrumentsConcurrent counts decisions from many goroutines at once:
// not one is lost (and -race sees no data race in the attribute sets).
func TestInstrumentsConcurrent(t *testing.T) {
	o := newObserved(t)
	const workers, each = 8, 2000
	kinds := []string{jwtguard.KindTokenInvalid, jwtguard.KindTokenRevoked, jwtguard.KindCSRF, jwtguard.KindUnavailable}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				o.Observe(context.Background(), jwtguard.Event{Kind: jwtguard.EventDecision, Outcome: jwtguard.OutcomeRefused,
					Refusal: kinds[(w+i)%len(kinds)], Cached: i%2 == 0})
			}
		})
	}
	wg.Wait()
	var total float64
	got := o.series(t)
	for _, k := range kinds {
		for _, cached := range []string{"false", "true"} {
			v := got["jwtguard.decisions{cached="+cached+",outcome=refused,refusal="+k+"}"]
			if want := float64(workers * each / len(kinds) / 2); v != want {
				t.Errorf("refusal %s cached %s: %v decisions, want %v", k, cached, v, want)
			}
			total += v
		}
	}
	if total != workers*each {
		t.Errorf("%v decisions in all, want %d", total, workers*each)
	}
}

// TestNewRefusesNilProviders: the options' problems come back together,
// and no Observer.
func TestNewRefusesNilProviders(t *testing.T) {
	o, err := jwtguardotel.New(jwtguardotel.WithMeterProvider(nil), jwtguardotel.WithTracerProvider(nil), nil)
	if o != nil || err == nil {
		t.Fatalf("New = %v, %v; want nil and an error", o, err)
	}
	for _, want := range []string{"WithMeterProvider(nil)", "WithTracerProvider(nil)", "nil Option"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
}

// TestNewDefaultsToGlobals: without options the otel globals (no-ops here)
// serve, and observing is harmless.
func TestNewDefaultsToGlobals(t *testing.T) {
	o, err := jwtguardotel.New()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if got := o.Begin(ctx, jwtguard.EventDecision); got != ctx {
		t.Error("Begin with the no-op tracer gave a new context; want ctx unchanged")
	}
	o.Observe(ctx, jwtguard.Event{Kind: jwtguard.EventDecision, Outcome: jwtguard.OutcomeAccepted})
}

// TestDecisionSeriesBounded: a flood of refusal strings no jwtguard
// constant spells (an application's own) keeps the number of series
// bounded, and loses no count.
func TestDecisionSeriesBounded(t *testing.T) {
	o := newObserved(t)
	const n = 3000
	for i := range n {
		o.Observe(context.Background(), jwtguard.Event{Kind: jwtguard.EventDecision, Outcome: jwtguard.OutcomeRefused,
			Refusal: fmt.Sprintf("kind%d", i), Cached: true})
	}
	var series int
	var total float64
	for k, v := range o.series(t) {
		if strings.HasPrefix(k, "jwtguard.decisions{") {
			series++
			total += v
		}
	}
	if total != n {
		t.Errorf("%v decisions counted, want %d", total, n)
	}
	if series > 1100 {
		t.Errorf("%d series for %d distinct refusals: not bounded", series, n)
	}
	if got := o.series(t)["jwtguard.decisions{cached=true,decision=other,outcome=other,refusal=other}"]; got < n-1100 {
		t.Errorf("%v decisions under outcome=other, refusal=other; want the overflow there", got)
	}
}

// TestObserversShareAProvider: two Observers made on one MeterProvider add
// up their decisions (the SDK would keep one of two observable counts).
func TestObserversShareAProvider(t *testing.T) {
	o := newObserved(t)
	second, err := jwtguardotel.New(jwtguardotel.WithMeterProvider(o.meters))
	if err != nil {
		t.Fatal(err)
	}
	accepted := jwtguard.Event{Kind: jwtguard.EventDecision, Outcome: jwtguard.OutcomeAccepted}
	o.Observe(context.Background(), accepted)
	second.Observe(context.Background(), accepted)
	second.Observe(context.Background(), accepted)
	if got := o.series(t)["jwtguard.decisions{cached=false,outcome=accepted}"]; got != 3 {
		t.Errorf("%v decisions, want 3", got)
	}
}

// verifiedAt is the Start the Guard gives a decision that verified a
// token; a cache hit, an anonymous request and a policy have none.
var verifiedAt = time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
