package promtest_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard"
	"github.com/jwtguard/jwtguard/examples/internal/promtest"
	jwtguardotel "github.com/jwtguard/jwtguard/otel"
)

// TestRealPrometheusReadsTheExporter: a real Prometheus scrapes the otel
// module's handler and its query API gives back exactly the events
// observed, under the names the README and the alert rules use.
func TestRealPrometheusReadsTheExporter(t *testing.T) {
	prom, err := jwtguardotel.NewPrometheus()
	if err != nil {
		t.Fatal(err)
	}
	defer prom.Shutdown(context.Background())
	obs, err := jwtguardotel.New(jwtguardotel.WithMeterProvider(prom.MeterProvider()))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(prom.Handler())
	defer srv.Close()
	target := strings.TrimPrefix(srv.URL, "http://")
	server := promtest.Start(t, target)

	ctx := context.Background()
	for range 7 {
		obs.Observe(ctx, jwtguard.Event{Kind: jwtguard.EventDecision, Outcome: jwtguard.OutcomeAccepted, Cached: true})
	}
	for range 3 {
		obs.Observe(ctx, jwtguard.Event{Kind: jwtguard.EventDecision, Outcome: jwtguard.OutcomeRefused, Refusal: jwtguard.KindTokenInvalid, Start: time.Now(), Duration: time.Microsecond})
	}
	obs.Observe(ctx, jwtguard.Event{Kind: jwtguard.EventRefresh, Outcome: jwtguard.OutcomeReuse})
	obs.Observe(ctx, jwtguard.Event{Kind: jwtguard.EventStoreCall, Name: "check", Refusal: jwtguard.KindUnavailable, Duration: time.Second})
	server.ScrapedSince(t, target, time.Now(), 30*time.Second)

	for q, want := range map[string]float64{
		`sum(jwtguard_decisions_total{outcome="accepted",cached="true"})`:          7,
		`sum(jwtguard_decisions_total{outcome="refused",refusal="token_invalid"})`: 3,
		`sum(jwtguard_verification_duration_seconds_count{outcome="refused"})`:     3,
		`sum(jwtguard_refreshes_total{outcome="reuse"})`:                           1,
		`sum(jwtguard_store_errors_total{call="check"})`:                           1,
		`sum(jwtguard_store_duration_seconds_bucket{call="check",le="+Inf"})`:      1,
	} {
		if got := server.Value(t, q); got != want {
			t.Errorf("%s = %v, want %v", q, got, want)
		}
	}
}
