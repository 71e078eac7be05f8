package jwtguardotel_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard"
	jwtguardotel "github.com/jwtguard/jwtguard/otel"
)

// everyKind is one event of each kind and outcome, for the exporter's
// names.
func everyKind() []jwtguard.Event {
	jwks := "https://id.example/jwks"
	return []jwtguard.Event{
		{Kind: jwtguard.EventDecision, Outcome: jwtguard.OutcomeAccepted, Cached: true},
		{Kind: jwtguard.EventDecision, Outcome: jwtguard.OutcomeAccepted, Start: verifiedAt, Duration: 30 * time.Microsecond},
		{Kind: jwtguard.EventDecision, Outcome: jwtguard.OutcomeRefused, Refusal: jwtguard.KindTokenInvalid, Start: verifiedAt, Duration: time.Microsecond},
		{Kind: jwtguard.EventCacheEviction},
		{Kind: jwtguard.EventKeySet, Outcome: jwtguard.OutcomeFetched, Name: jwks, Duration: time.Millisecond},
		{Kind: jwtguard.EventKeySet, Outcome: jwtguard.OutcomeChanged, Name: jwks},
		{Kind: jwtguard.EventKeySet, Outcome: jwtguard.OutcomeFailed, Name: jwks, Duration: time.Second},
		{Kind: jwtguard.EventEndpoint, Name: jwtguard.EndpointObtain, Status: 200, Duration: 50 * time.Millisecond},
		{Kind: jwtguard.EventSignIn, Outcome: jwtguard.OutcomeFailed},
		{Kind: jwtguard.EventRefresh, Outcome: jwtguard.OutcomeReuse},
		{Kind: jwtguard.EventRevocation, Name: jwtguard.RevokedFamily},
		{Kind: jwtguard.EventStoreCall, Name: "spend", Duration: time.Millisecond},
		{Kind: jwtguard.EventStoreCall, Name: "check", Err: errors.New("timeout"), Refusal: jwtguard.KindUnavailable, Duration: time.Second},
		{Kind: jwtguard.EventThrottled, Name: jwtguard.ThrottleSignIn},
	}
}

func scrape(t *testing.T, h http.Handler) string {
	t.Helper()
	srv := httptest.NewServer(h)
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("scrape: %d, %v", resp.StatusCode, err)
	}
	return string(body)
}

// scraped reads Prometheus's text format: "name{label="value",...}" (the
// exporter's otel_scope_* labels left out, the rest as written) -> value.
func scraped(t *testing.T, body string) map[string]string {
	t.Helper()
	out := map[string]string{}
	scope := regexp.MustCompile(`otel_scope_[a-z_]+="[^"]*",?`)
	for _, line := range strings.Split(body, "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		if i < 0 {
			t.Fatalf("unreadable line %q", line)
		}
		series := strings.Replace(scope.ReplaceAllString(line[:i], ""), ",}", "}", 1)
		out[strings.Replace(series, "{}", "", 1)] = line[i+1:]
	}
	return out
}

// TestPrometheusNames: through the exporter, the instruments come out
// under the names the README and the alert rules use, with their counts.
func TestPrometheusNames(t *testing.T) {
	p, err := jwtguardotel.NewPrometheus()
	if err != nil {
		t.Fatal(err)
	}
	defer p.Shutdown(context.Background())
	o, err := jwtguardotel.New(jwtguardotel.WithMeterProvider(p.MeterProvider()))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range everyKind() {
		o.Observe(context.Background(), e)
	}
	o.Observe(context.Background(), everyKind()[0])
	got := scraped(t, scrape(t, p.Handler()))
	want := map[string]string{
		`jwtguard_decisions_total{cached="true",outcome="accepted"}`:                                   "2",
		`jwtguard_decisions_total{cached="false",outcome="accepted"}`:                                  "1",
		`jwtguard_decisions_total{cached="false",outcome="refused",refusal="token_invalid"}`:           "1",
		`jwtguard_verification_duration_seconds_count{outcome="accepted"}`:                             "1",
		`jwtguard_verification_duration_seconds_sum{outcome="accepted"}`:                               "3e-05",
		`jwtguard_verification_duration_seconds_bucket{outcome="accepted",le="5e-05"}`:                 "1",
		`jwtguard_verification_duration_seconds_bucket{outcome="accepted",le="2.5e-05"}`:               "0",
		`jwtguard_cache_evictions_total`:                                                               "1",
		`jwtguard_keyset_fetches_total{outcome="fetched",url="https://id.example/jwks"}`:               "1",
		`jwtguard_keyset_fetches_total{outcome="failed",url="https://id.example/jwks"}`:                "1",
		`jwtguard_keyset_changes_total{url="https://id.example/jwks"}`:                                 "1",
		`jwtguard_keyset_fetch_duration_seconds_count{outcome="failed",url="https://id.example/jwks"}`: "1",
		`jwtguard_endpoint_calls_total{endpoint="token_obtain",status_class="2xx"}`:                    "1",
		`jwtguard_endpoint_duration_seconds_count{endpoint="token_obtain",status_class="2xx"}`:         "1",
		`jwtguard_signins_total{outcome="failed"}`:                                                     "1",
		`jwtguard_refreshes_total{outcome="reuse"}`:                                                    "1",
		`jwtguard_revocations_total{scope="family"}`:                                                   "1",
		`jwtguard_store_duration_seconds_count{call="spend",error="false"}`:                            "1",
		`jwtguard_store_duration_seconds_count{call="check",error="true"}`:                             "1",
		`jwtguard_store_errors_total{call="check",refusal="unavailable"}`:                              "1",
		`jwtguard_throttled_total{limit="sign_in"}`:                                                    "1",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	if t.Failed() {
		t.Logf("scraped: %v", got)
	}

	// Every metric the alert rules name is one the exporter writes.
	rules, err := os.ReadFile("../deploy/prometheus/jwtguard-alerts.yml")
	if errors.Is(err, os.ErrNotExist) {
		t.Skip("no ../deploy/prometheus: not in the repository's work tree")
	}
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for k := range got {
		names[regexp.MustCompile(`[{ ].*`).ReplaceAllString(k, "")] = true
	}
	used := regexp.MustCompile(`jwtguard_[a-z_]+`).FindAllString(string(rules), -1)
	if len(used) < 4 {
		t.Fatalf("the alert rules name %d metrics; want at least 4", len(used))
	}
	for _, n := range used {
		if !names[n] {
			t.Errorf("the alert rules use %s, which the exporter does not write", n)
		}
	}
}

// TestPrometheusHandlerOwnRegistry: the handler serves only what goes
// through its MeterProvider (and its registry), not the client library's
// global registry.
func TestPrometheusHandlerOwnRegistry(t *testing.T) {
	p, err := jwtguardotel.NewPrometheus()
	if err != nil {
		t.Fatal(err)
	}
	defer p.Shutdown(context.Background())
	body := scrape(t, p.Handler())
	for _, global := range []string{"go_goroutines", "process_cpu_seconds_total", "promhttp_metric_handler_requests_total"} {
		if strings.Contains(body, global) {
			t.Errorf("the scrape holds %s from the global registry", global)
		}
	}
	if strings.Contains(body, "jwtguard_") {
		t.Errorf("nothing was observed, yet the scrape holds jwtguard metrics:\n%s", body)
	}
}
