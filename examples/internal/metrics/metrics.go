// Package metrics serves an example server's metrics on a listener of its
// own (the -metrics-addr flag): jwtguard's events, through the OpenTelemetry
// observer of github.com/jwtguard/jwtguard/otel and its Prometheus
// exporter, at /metrics and nowhere else. The public listener never serves
// them: they tell what is refused and why.
package metrics

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/jwtguard/jwtguard"
	"github.com/jwtguard/jwtguard/examples/internal/serve"
	jwtguardotel "github.com/jwtguard/jwtguard/otel"
)

// Server is the metrics listener and the observer whose metrics it serves.
type Server struct {
	// Observer is to be set on every jwtguard constructor of the example
	// (jwtguard.WithObserver).
	Observer *jwtguardotel.Observer
	prom     *jwtguardotel.Prometheus
	srv      *http.Server
	ln       net.Listener
	done     chan error
}

// Listen starts serving /metrics on addr (host:port; a loopback or private
// address, not the public one). It listens before it returns, so that a
// bad or taken address fails the program's start.
func Listen(addr string, log *slog.Logger) (*Server, error) {
	prom, err := jwtguardotel.NewPrometheus()
	if err != nil {
		return nil, err
	}
	obs, err := jwtguardotel.New(jwtguardotel.WithMeterProvider(prom.MeterProvider()))
	if err != nil {
		return nil, errors.Join(err, prom.Shutdown(context.Background()))
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, errors.Join(fmt.Errorf("metrics listener: %w", err), prom.Shutdown(context.Background()))
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", prom.Handler())
	s := &Server{Observer: obs, prom: prom, srv: serve.NewServer(addr, mux, log), ln: ln, done: make(chan error, 1)}
	go func() { s.done <- s.srv.Serve(ln) }()
	log.Info("metrics listening", "addr", ln.Addr().String())
	return s, nil
}

// ObserverFor serves metrics on addr, as Listen does, and returns the
// observer to set on every constructor and the function that stops the
// listener. With addr empty it serves nothing and returns a nil observer:
// metrics off, nothing built.
func ObserverFor(addr string, log *slog.Logger) (jwtguard.Observer, func(), error) {
	if addr == "" {
		return nil, func() {}, nil
	}
	s, err := Listen(addr, log)
	if err != nil {
		return nil, nil, err
	}
	return s.Observer, func() { s.Close() }, nil
}

// Addr is the address the metrics are served on.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Close stops the listener, waiting up to 5 seconds for a scrape in
// flight, and the meter provider.
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := s.srv.Shutdown(ctx)
	if serr := <-s.done; !errors.Is(serr, http.ErrServerClosed) {
		err = errors.Join(err, serr)
	}
	return errors.Join(err, s.prom.Shutdown(ctx))
}
