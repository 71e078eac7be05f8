package jwtguardotel

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	"go.opentelemetry.io/otel/metric"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
)

// Prometheus is a MeterProvider whose metrics are served in Prometheus's
// exposition format by [Prometheus.Handler], through OpenTelemetry's
// Prometheus exporter, from a registry of its own: nothing is registered
// with the client library's global registry, and nothing but what is
// recorded through this provider (and what the application adds to
// [Prometheus.Registry]) is served.
//
// Serve the handler on a listener of its own (an address on a private
// network or the loopback interface), not beside the application's public
// routes: metrics tell an attacker what is refused and why.
type Prometheus struct {
	provider *sdkmetric.MeterProvider
	registry *prometheus.Registry
	handler  http.Handler
}

// NewPrometheus returns a Prometheus with an empty registry of its own.
func NewPrometheus() (*Prometheus, error) {
	reg := prometheus.NewRegistry()
	exporter, err := otelprom.New(otelprom.WithRegisterer(reg))
	if err != nil {
		return nil, fmt.Errorf("jwtguardotel: the Prometheus exporter: %w", err)
	}
	return &Prometheus{
		provider: sdkmetric.NewMeterProvider(sdkmetric.WithReader(exporter)),
		registry: reg,
		handler: promhttp.HandlerFor(reg, promhttp.HandlerOpts{
			// A collector that fails leaves its metrics out of the
			// scrape: its error's text never reaches the body.
			ErrorHandling:       promhttp.ContinueOnError,
			MaxRequestsInFlight: 4,
			Timeout:             10 * time.Second,
		}),
	}, nil
}

// MeterProvider is where the instruments served by the handler are
// created: pass it to [WithMeterProvider].
func (p *Prometheus) MeterProvider() metric.MeterProvider { return p.provider }

// Registry is the registry the handler serves; an application may register
// collectors of its own there (the Go runtime's, its own counters).
func (p *Prometheus) Registry() *prometheus.Registry { return p.registry }

// Handler serves the metrics at whatever path it is mounted on (/metrics by
// convention), at most 4 scrapes at a time, each within 10 seconds.
func (p *Prometheus) Handler() http.Handler { return p.handler }

// Shutdown stops the MeterProvider; the handler serves nothing after it.
func (p *Prometheus) Shutdown(ctx context.Context) error { return p.provider.Shutdown(ctx) }
