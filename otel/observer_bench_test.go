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

// BenchmarkObserveCachedDecision is what the Guard's cache-hit path pays
// for metrics: one accepted, cached decision on the real SDK, no tracing.
func BenchmarkObserveCachedDecision(b *testing.B) {
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
	defer mp.Shutdown(context.Background())
	o, err := jwtguardotel.New(jwtguardotel.WithMeterProvider(mp), jwtguardotel.WithTracerProvider(noop.NewTracerProvider()))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	e := jwtguard.Event{Kind: jwtguard.EventDecision, Outcome: jwtguard.OutcomeAccepted, Cached: true, Alg: "HS256",
		Start: time.Now(), Duration: 300 * time.Nanosecond}
	b.ReportAllocs()
	for b.Loop() {
		o.Observe(o.Begin(ctx, jwtguard.EventDecision), e)
	}
}
