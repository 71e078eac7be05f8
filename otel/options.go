package jwtguardotel

import (
	"errors"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"
)

// Option configures an [Observer].
type Option func(*config)

type config struct {
	meters  metric.MeterProvider
	tracers trace.TracerProvider
	errs    []error
}

// WithMeterProvider sets where the instruments are created. By default the
// global MeterProvider (otel.GetMeterProvider) at the time of [New].
func WithMeterProvider(mp metric.MeterProvider) Option {
	return func(c *config) {
		if mp == nil {
			c.errs = append(c.errs, errors.New("jwtguardotel: WithMeterProvider(nil)"))
			return
		}
		c.meters = mp
	}
}

// WithTracerProvider sets where the spans are created. By default the
// global TracerProvider (otel.GetTracerProvider) at the time of [New].
func WithTracerProvider(tp trace.TracerProvider) Option {
	return func(c *config) {
		if tp == nil {
			c.errs = append(c.errs, errors.New("jwtguardotel: WithTracerProvider(nil)"))
			return
		}
		c.tracers = tp
	}
}

// newConfig applies opts over the defaults and returns every problem at once.
func newConfig(opts []Option) (config, error) {
	c := config{meters: otel.GetMeterProvider(), tracers: otel.GetTracerProvider()}
	for _, o := range opts {
		if o == nil {
			c.errs = append(c.errs, errors.New("jwtguardotel: nil Option"))
			continue
		}
		o(&c)
	}
	return c, errors.Join(c.errs...)
}
