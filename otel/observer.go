package jwtguardotel

import (
	"context"
	"sync/atomic"

	"github.com/jwtguard/jwtguard"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"
)

// ScopeName is the instrumentation scope of the meter and the tracer: the
// module's path.
const ScopeName = "github.com/jwtguard/jwtguard/otel"

// Observer turns jwtguard's events into OpenTelemetry metrics and spans. It
// is a [jwtguard.SpanObserver]: set it with jwtguard.WithObserver on the
// Guard, Verifier, Issuer, Endpoints, throttles, stores and remote key sets,
// and every decision, token endpoint call, store call and key set fetch
// becomes a span, child of the span in the request's context, and moves the
// instruments listed in the package documentation.
//
// An Observer is immutable after [New] and safe for concurrent use.
type Observer struct {
	metrics *instruments
	tracer  trace.Tracer
	tracing bool        // false for a no-op TracerProvider: Begin does nothing
	spans   atomic.Bool // Begin has opened a span: Observe looks for one to end
}

var _ jwtguard.SpanObserver = (*Observer)(nil)

// New returns an Observer whose instruments come from the MeterProvider and
// whose spans come from the TracerProvider the options name (by default the
// otel globals). It returns every problem of the options at once. Observers
// made on one MeterProvider count into the same instruments and add up.
func New(opts ...Option) (*Observer, error) {
	cfg, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	m, err := newInstruments(cfg.meters.Meter(ScopeName))
	if err != nil {
		return nil, err
	}
	_, noSpans := cfg.tracers.(noop.TracerProvider)
	return &Observer{metrics: m, tracer: cfg.tracers.Tracer(ScopeName), tracing: !noSpans}, nil
}

// Observe records e on the instruments. When ctx is the context that
// [Observer.Begin] returned for e's kind, it also ends that span with e's
// attributes; an instant event (a sign-in, a refresh, a revocation, a
// throttled request, a cache eviction) becomes an event on the recording
// span in ctx, if there is one. Without a matching Begin, only the
// instruments move.
func (o *Observer) Observe(ctx context.Context, e jwtguard.Event) {
	o.metrics.record(ctx, &e)
	o.trace(ctx, &e)
}

// Begin opens the span of an operation of the given kind, as a child of the
// span in ctx, and returns the context it runs in. A span that would not be
// recorded (no tracer set up, or not sampled) costs nothing more: ctx comes
// back as it was.
func (o *Observer) Begin(ctx context.Context, kind jwtguard.EventKind) context.Context {
	return o.begin(ctx, kind)
}
