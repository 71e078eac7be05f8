package jwtguardotel

import (
	"context"
	"strconv"
	"sync/atomic"

	"github.com/jwtguard/jwtguard"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// The spans' names, by the kind of operation. An endpoint's span and a
// store call's span take the endpoint's or the call's name after a blank
// when they end: "jwtguard.endpoint token_obtain", "jwtguard.store spend".
const (
	SpanVerify       = "jwtguard.verify"    // the Guard's authenticate decision: the token
	SpanAuthorize    = "jwtguard.authorize" // the Guard's authorize decision: the policy
	SpanEndpoint     = "jwtguard.endpoint"
	SpanStore        = "jwtguard.store"
	SpanKeySetFetch  = "jwtguard.keyset.fetch"
	eventNamePrefix  = "jwtguard."
	statusStoreError = "store call failed"
)

// beganKey is the context key of the span Begin opened.
type beganKey struct{}

// began is the span Begin opened, and the kind of event that ends it.
type began struct {
	kind  jwtguard.EventKind
	span  trace.Span
	ended atomic.Bool
}

// spanName is the name of the span of an operation of kind k.
func spanName(k jwtguard.EventKind) string {
	switch k {
	case jwtguard.EventDecision:
		return SpanVerify
	case jwtguard.EventEndpoint:
		return SpanEndpoint
	case jwtguard.EventStoreCall:
		return SpanStore
	case jwtguard.EventKeySet:
		return SpanKeySetFetch
	}
	return ""
}

// spanStart is how every span starts: an internal operation.
var spanStart = []trace.SpanStartOption{trace.WithSpanKind(trace.SpanKindInternal)}

// begin opens the span of an operation of kind k as a child of ctx's. A
// decision, an endpoint call or a store call joins the trace of the span in
// ctx and starts none: without a sampled span there (no tracing, or a
// request not sampled) it costs one context lookup. A key set's fetch runs
// in the background, outside any request: its span may be a trace's root.
func (o *Observer) begin(ctx context.Context, k jwtguard.EventKind) context.Context {
	name := spanName(k)
	if name == "" || !o.tracing {
		return ctx
	}
	if k != jwtguard.EventKeySet && !trace.SpanContextFromContext(ctx).IsSampled() {
		return ctx
	}
	sctx, span := o.tracer.Start(ctx, name, spanStart...)
	if !span.IsRecording() {
		return ctx
	}
	if !o.spans.Load() {
		o.spans.Store(true)
	}
	return context.WithValue(sctx, beganKey{}, &began{kind: k, span: span})
}

// trace ends the span Begin opened for e, or adds an instant e to the
// recording span in ctx.
func (o *Observer) trace(ctx context.Context, e *jwtguard.Event) {
	if spanName(e.Kind) == "" {
		o.addEvent(ctx, e)
		return
	}
	if !o.spans.Load() {
		return // no span was ever opened: none to end
	}
	b, ok := ctx.Value(beganKey{}).(*began)
	if !ok || b.kind != e.Kind || !b.ended.CompareAndSwap(false, true) {
		return
	}
	endSpan(b.span, e, o.metrics.sets.get(spanSetKey(e)).set)
}

// spanSetKey is the attribute set of the span that e ends.
func spanSetKey(e *jwtguard.Event) setKey {
	switch e.Kind {
	case jwtguard.EventDecision:
		return setKey{id: setDecision, a: e.Outcome, b: e.Refusal, c: e.Name, flag: e.Cached}
	case jwtguard.EventEndpoint:
		return setKey{id: setEndpointCall, a: e.Name, b: e.Refusal, status: e.Status / 100 * 100}
	case jwtguard.EventStoreCall:
		return setKey{id: setStoreCall, a: e.Name, flag: storeFailed(e)}
	default: // EventKeySet
		return setKey{id: setKeySetFetch, a: e.Outcome, b: e.Name}
	}
}

// endSpan sets e's attributes and status on span and ends it. A span is
// marked an error only when jwtguard could not do its work: a store call
// that failed, a decision or endpoint call that answered 503 or another
// 5xx, a key set fetch that failed. A refused token is the Guard working:
// its span keeps the status unset and says why in outcome and refusal.
// The status description is fixed text: an Event's Err may hold internal
// detail and never reaches a span.
func endSpan(span trace.Span, e *jwtguard.Event, set attribute.Set) {
	span.SetAttributes(set.ToSlice()...)
	switch e.Kind {
	case jwtguard.EventDecision:
		if e.Name == jwtguard.DecisionAuthorize {
			span.SetName(SpanAuthorize)
		}
		if e.Alg != "" {
			span.SetAttributes(keyAlg.String(e.Alg))
		}
		if e.Refusal == jwtguard.KindUnavailable {
			span.SetStatus(codes.Error, "unavailable")
		}
	case jwtguard.EventEndpoint:
		span.SetName(SpanEndpoint + " " + label(e.Name))
		span.SetAttributes(keyStatus.Int(e.Status))
		if e.Status >= 500 {
			span.SetStatus(codes.Error, "status "+strconv.Itoa(e.Status))
		}
	case jwtguard.EventStoreCall:
		span.SetName(SpanStore + " " + label(e.Name))
		if storeFailed(e) {
			span.SetStatus(codes.Error, statusStoreError)
		}
	case jwtguard.EventKeySet:
		if e.Outcome == jwtguard.OutcomeFailed {
			span.SetStatus(codes.Error, "key set fetch failed")
		}
	}
	span.End()
}

// addEvent adds an instant e (a sign-in, a refresh, a revocation, a
// throttled request, a cache eviction) to the recording span in ctx.
func (o *Observer) addEvent(ctx context.Context, e *jwtguard.Event) {
	span := trace.SpanFromContext(ctx)
	if !span.IsRecording() {
		return
	}
	var name string
	var k setKey
	switch e.Kind {
	case jwtguard.EventSignIn:
		name, k = "signin", setKey{id: setOutcome, a: e.Outcome}
	case jwtguard.EventRefresh:
		name, k = "refresh", setKey{id: setRefresh, a: e.Outcome, b: e.Refusal}
	case jwtguard.EventRevocation:
		name, k = "revocation", setKey{id: setScope, a: e.Name}
	case jwtguard.EventThrottled:
		name, k = "throttled", setKey{id: setLimit, a: e.Name}
	case jwtguard.EventCacheEviction:
		span.AddEvent(eventNamePrefix + "cache.eviction")
		return
	default:
		return
	}
	span.AddEvent(eventNamePrefix+name, trace.WithAttributes(o.metrics.sets.get(k).set.ToSlice()...))
}
