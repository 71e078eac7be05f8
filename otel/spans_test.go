package jwtguardotel_test

import (
	"context"
	"errors"
	"testing"

	"github.com/jwtguard/jwtguard"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

func spanByName(t *testing.T, spans []sdktrace.ReadOnlySpan, name string) sdktrace.ReadOnlySpan {
	t.Helper()
	for _, s := range spans {
		if s.Name() == name {
			return s
		}
	}
	var names []string
	for _, s := range spans {
		names = append(names, s.Name())
	}
	t.Fatalf("no span %q among %q", name, names)
	return nil
}

func attr(s sdktrace.ReadOnlySpan, key string) (attribute.Value, bool) {
	for _, kv := range s.Attributes() {
		if string(kv.Key) == key {
			return kv.Value, true
		}
	}
	return attribute.Value{}, false
}

// TestSpansNest: a decision's span is a child of the request's, a store
// call's a child of the decision's; each ends with its event's attributes,
// and only the failed store call is an error.
func TestSpansNest(t *testing.T) {
	o := newObserved(t)
	reqCtx, req := o.tracer.Tracer("test").Start(context.Background(), "GET /tasks")
	vctx := o.Begin(reqCtx, jwtguard.EventDecision)
	sctx := o.Begin(vctx, jwtguard.EventStoreCall)
	o.Observe(sctx, jwtguard.Event{Kind: jwtguard.EventStoreCall, Name: "check", Err: errors.New("dial tcp 10.0.0.7:6379: i/o timeout"), Refusal: jwtguard.KindUnavailable})
	o.Observe(vctx, jwtguard.Event{Kind: jwtguard.EventDecision, Outcome: jwtguard.OutcomeAccepted, Alg: "ES256"})
	req.End()

	spans := o.spans.Ended()
	if len(spans) != 3 {
		t.Fatalf("%d spans ended, want 3", len(spans))
	}
	request := spanByName(t, spans, "GET /tasks")
	verify := spanByName(t, spans, "jwtguard.verify")
	store := spanByName(t, spans, "jwtguard.store check")
	if verify.Parent().SpanID() != request.SpanContext().SpanID() || verify.SpanContext().TraceID() != request.SpanContext().TraceID() {
		t.Errorf("verify's parent is %v, want the request's span %v", verify.Parent().SpanID(), request.SpanContext().SpanID())
	}
	if store.Parent().SpanID() != verify.SpanContext().SpanID() {
		t.Errorf("store's parent is %v, want the verify span %v", store.Parent().SpanID(), verify.SpanContext().SpanID())
	}
	if v, _ := attr(verify, "outcome"); v.AsString() != jwtguard.OutcomeAccepted {
		t.Errorf("verify outcome = %q", v.AsString())
	}
	if v, _ := attr(verify, "alg"); v.AsString() != "ES256" {
		t.Errorf("verify alg = %q", v.AsString())
	}
	if v, ok := attr(verify, "cached"); !ok || v.AsBool() {
		t.Errorf("verify cached = %v (present %v), want false", v.AsBool(), ok)
	}
	if verify.Status().Code != codes.Unset {
		t.Errorf("verify status = %v, want unset", verify.Status())
	}
	if store.Status().Code != codes.Error || store.Status().Description != "store call failed" {
		t.Errorf("store status = %+v, want Error with the fixed description", store.Status())
	}
	if v, _ := attr(store, "error"); !v.AsBool() {
		t.Error("store span's error attribute is not true")
	}
}

// TestSpanStatus: a refusal is the Guard working (status unset, the kind in
// an attribute); an answer it could not give (503) and a failed fetch are
// errors.
func TestSpanStatus(t *testing.T) {
	cases := []struct {
		e    jwtguard.Event
		name string
		code codes.Code
	}{
		{jwtguard.Event{Kind: jwtguard.EventDecision, Outcome: jwtguard.OutcomeRefused, Refusal: jwtguard.KindTokenInvalid}, "jwtguard.verify", codes.Unset},
		{jwtguard.Event{Kind: jwtguard.EventDecision, Outcome: jwtguard.OutcomeRefused, Refusal: jwtguard.KindUnavailable}, "jwtguard.verify", codes.Error},
		{jwtguard.Event{Kind: jwtguard.EventEndpoint, Name: jwtguard.EndpointObtain, Status: 401, Refusal: "no_active_account"}, "jwtguard.endpoint token_obtain", codes.Unset},
		{jwtguard.Event{Kind: jwtguard.EventEndpoint, Name: jwtguard.EndpointRefresh, Status: 503, Refusal: jwtguard.KindUnavailable}, "jwtguard.endpoint token_refresh", codes.Error},
		{jwtguard.Event{Kind: jwtguard.EventStoreCall, Name: "spend"}, "jwtguard.store spend", codes.Unset},
		{jwtguard.Event{Kind: jwtguard.EventStoreCall, Name: "spend", Err: jwtguard.ErrTokenSpent}, "jwtguard.store spend", codes.Unset},
		{jwtguard.Event{Kind: jwtguard.EventDecision, Name: jwtguard.DecisionAuthorize, Outcome: jwtguard.OutcomeRefused, Refusal: jwtguard.KindForbidden}, "jwtguard.authorize", codes.Unset},
		{jwtguard.Event{Kind: jwtguard.EventStoreCall, Name: "spend", Refusal: jwtguard.KindUnavailable}, "jwtguard.store spend", codes.Error},
		{jwtguard.Event{Kind: jwtguard.EventKeySet, Outcome: jwtguard.OutcomeFetched, Name: "https://id.example/jwks"}, "jwtguard.keyset.fetch", codes.Unset},
		{jwtguard.Event{Kind: jwtguard.EventKeySet, Outcome: jwtguard.OutcomeFailed, Name: "https://id.example/jwks"}, "jwtguard.keyset.fetch", codes.Error},
	}
	for _, c := range cases {
		t.Run(c.name+"/"+c.e.Outcome+c.e.Refusal, func(t *testing.T) {
			o := newObserved(t)
			req, _ := o.tracer.Tracer("test").Start(context.Background(), "request")
			o.Observe(o.Begin(req, c.e.Kind), c.e)
			spans := o.spans.Ended()
			if len(spans) != 1 {
				t.Fatalf("%d spans, want 1", len(spans))
			}
			if spans[0].Name() != c.name || spans[0].Status().Code != c.code {
				t.Errorf("span %q status %v, want %q status %v", spans[0].Name(), spans[0].Status().Code, c.name, c.code)
			}
			if c.e.Refusal != "" && c.e.Kind != jwtguard.EventStoreCall {
				if v, _ := attr(spans[0], "refusal"); v.AsString() != c.e.Refusal {
					t.Errorf("refusal attribute %q, want %q", v.AsString(), c.e.Refusal)
				}
			}
		})
	}
}

// TestObserveWithoutBegin: a plain Observer's event moves the metrics and
// ends no span, not even the request's span it finds in ctx; an event of
// another kind than the span Begin opened leaves that span open.
func TestObserveWithoutBegin(t *testing.T) {
	o := newObserved(t)
	reqCtx, req := o.tracer.Tracer("test").Start(context.Background(), "request")
	o.Observe(reqCtx, jwtguard.Event{Kind: jwtguard.EventDecision, Outcome: jwtguard.OutcomeAccepted})
	vctx := o.Begin(reqCtx, jwtguard.EventDecision)
	o.Observe(vctx, jwtguard.Event{Kind: jwtguard.EventStoreCall, Name: "check"})
	if n := len(o.spans.Ended()); n != 0 {
		t.Fatalf("%d spans ended by events without their Begin, want 0", n)
	}
	o.Observe(vctx, jwtguard.Event{Kind: jwtguard.EventDecision, Outcome: jwtguard.OutcomeAccepted})
	o.Observe(vctx, jwtguard.Event{Kind: jwtguard.EventDecision, Outcome: jwtguard.OutcomeRefused}) // a second end: ignored
	req.End()
	spans := o.spans.Ended()
	if len(spans) != 2 {
		t.Fatalf("%d spans, want the verify span and the request's", len(spans))
	}
	if v, _ := attr(spanByName(t, spans, "jwtguard.verify"), "outcome"); v.AsString() != jwtguard.OutcomeAccepted {
		t.Errorf("verify span's outcome %q: the second event changed an ended span", v.AsString())
	}
	got := o.series(t)
	if got["jwtguard.decisions{cached=false,outcome=accepted}"] != 2 || got["jwtguard.store.duration{call=check,error=false}"] != 1 {
		t.Errorf("metrics without Begin were not all recorded: %v", got)
	}
}

// TestKeySetChangeAfterFetch: a fetch that changed the keys is reported
// twice on the fetch's context (fetched, then changed): one span, ended by
// the first.
func TestKeySetChangeAfterFetch(t *testing.T) {
	o := newObserved(t)
	ctx := o.Begin(context.Background(), jwtguard.EventKeySet)
	o.Observe(ctx, jwtguard.Event{Kind: jwtguard.EventKeySet, Outcome: jwtguard.OutcomeFetched, Name: "https://id.example/jwks"})
	o.Observe(ctx, jwtguard.Event{Kind: jwtguard.EventKeySet, Outcome: jwtguard.OutcomeChanged, Name: "https://id.example/jwks"})
	if n := len(o.spans.Ended()); n != 1 {
		t.Fatalf("%d spans, want 1", n)
	}
	got := o.series(t)
	if got["jwtguard.keyset.fetches{outcome=fetched,url=https://id.example/jwks}"] != 1 || got["jwtguard.keyset.changes{url=https://id.example/jwks}"] != 1 {
		t.Errorf("fetch and change not counted once each: %v", got)
	}
}

// TestInstantEventsOnRequestSpan: a sign-in, refresh, revocation, throttled
// request or eviction becomes an event of the recording span in ctx.
func TestInstantEventsOnRequestSpan(t *testing.T) {
	o := newObserved(t)
	req, _ := o.tracer.Tracer("test").Start(context.Background(), "request")
	ctx := o.Begin(req, jwtguard.EventEndpoint)
	o.Observe(ctx, jwtguard.Event{Kind: jwtguard.EventRefresh, Outcome: jwtguard.OutcomeReuse})
	o.Observe(ctx, jwtguard.Event{Kind: jwtguard.EventRevocation, Name: jwtguard.RevokedFamily})
	o.Observe(ctx, jwtguard.Event{Kind: jwtguard.EventThrottled, Name: jwtguard.ThrottleRefresh})
	o.Observe(ctx, jwtguard.Event{Kind: jwtguard.EventSignIn, Outcome: jwtguard.OutcomeFailed})
	o.Observe(ctx, jwtguard.Event{Kind: jwtguard.EventCacheEviction})
	o.Observe(ctx, jwtguard.Event{Kind: jwtguard.EventEndpoint, Name: jwtguard.EndpointRefresh, Status: 401, Refusal: jwtguard.KindTokenRevoked})
	spans := o.spans.Ended()
	if len(spans) != 1 {
		t.Fatalf("%d spans, want 1", len(spans))
	}
	want := []string{"jwtguard.refresh outcome=reuse", "jwtguard.revocation scope=family", "jwtguard.throttled limit=refresh",
		"jwtguard.signin outcome=failed", "jwtguard.cache.eviction"}
	evs := spans[0].Events()
	if len(evs) != len(want) {
		t.Fatalf("%d events, want %d", len(evs), len(want))
	}
	for i, ev := range evs {
		got := ev.Name
		for _, kv := range ev.Attributes {
			got += " " + string(kv.Key) + "=" + kv.Value.Emit()
		}
		if got != want[i] {
			t.Errorf("event %d = %q, want %q", i, got, want[i])
		}
	}
}

// TestSpansJoinTraces: a decision, endpoint call or store call without a
// sampled span in its context opens none (ctx comes back as it was); a key
// set's background fetch starts a trace of its own.
func TestSpansJoinTraces(t *testing.T) {
	o := newObserved(t)
	ctx := context.Background()
	for _, k := range []jwtguard.EventKind{jwtguard.EventDecision, jwtguard.EventEndpoint, jwtguard.EventStoreCall, jwtguard.EventSignIn} {
		if got := o.Begin(ctx, k); got != ctx {
			t.Errorf("Begin(%v) without a trace gave a new context", k)
		}
	}
	kctx := o.Begin(ctx, jwtguard.EventKeySet)
	o.Observe(kctx, jwtguard.Event{Kind: jwtguard.EventKeySet, Outcome: jwtguard.OutcomeFetched, Name: "https://id.example/jwks"})
	spans := o.spans.Ended()
	if len(spans) != 1 || spans[0].Name() != "jwtguard.keyset.fetch" || spans[0].Parent().IsValid() {
		t.Fatalf("spans %v: want one root jwtguard.keyset.fetch", spans)
	}
}
