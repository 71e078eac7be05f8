package jwtguardotel_test

import (
	"context"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard"
	jwtguardotel "github.com/jwtguard/jwtguard/otel"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/trace/noop"
)

// benchObserver is an Observer on the real metrics SDK, without tracing,
// and an accepted decision from the cache.
func benchObserver(b *testing.B) (*jwtguardotel.Observer, jwtguard.Event) {
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
	b.Cleanup(func() { _ = mp.Shutdown(context.Background()) })
	o, err := jwtguardotel.New(jwtguardotel.WithMeterProvider(mp), jwtguardotel.WithTracerProvider(noop.NewTracerProvider()))
	if err != nil {
		b.Fatal(err)
	}
	return o, jwtguard.Event{Kind: jwtguard.EventDecision, Outcome: jwtguard.OutcomeAccepted, Cached: true, Alg: "HS256",
		Start: time.Now(), Duration: 300 * time.Nanosecond}
}

// BenchmarkObserveCachedDecision is what the Guard's cache-hit path pays
// for metrics: Begin and Observe of one accepted, cached decision.
func BenchmarkObserveCachedDecision(b *testing.B) {
	o, e := benchObserver(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		o.Observe(o.Begin(ctx, jwtguard.EventDecision), e)
	}
}

// BenchmarkObserveCachedDecisionParallel is the same from every core at
// once: a shared counter would show here as a slowdown.
func BenchmarkObserveCachedDecisionParallel(b *testing.B) {
	o, e := benchObserver(b)
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			o.Observe(o.Begin(ctx, jwtguard.EventDecision), e)
		}
	})
}
