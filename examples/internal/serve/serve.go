// Package serve runs the example servers the way a production server runs:
// every timeout set, bounded headers, and a graceful shutdown on SIGINT or
// SIGTERM that lets in-flight requests finish, after a drain period on
// SIGTERM in which the server still accepts connections.
package serve

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
	"time"
)

// NewServer returns an http.Server for h with production timeouts.
func NewServer(addr string, h http.Handler, log *slog.Logger) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}

// DefaultDrain is how long, after SIGTERM, a server goes on accepting and
// serving before it shuts down, while GET /readyz answers 503: time for a
// load balancer or a proxy to stop sending it new connections. Closing
// the listener at once resets the connections still in its backlog.
const DefaultDrain = 5 * time.Second

// Option configures [Run] and [ListenAndRun].
type Option func(*runConfig)

type runConfig struct {
	drain time.Duration
}

// WithDrain sets the drain period after SIGTERM, [DefaultDrain] by
// default; 0 shuts down at once.
func WithDrain(d time.Duration) Option {
	return func(c *runConfig) { c.drain = max(d, 0) }
}

// Run serves srv on ln until ctx ends or the process gets SIGINT or
// SIGTERM, then drains in-flight requests for up to grace. On SIGTERM (a
// service manager's stop) it first drains for the drain period: it goes
// on accepting and serving, answers GET /readyz with 503, and closes each
// connection after its response, so that no connection is left idle to be
// closed under a request at shutdown. SIGINT (Ctrl-C) and ctx skip that.
// Before it closes the listener it waits, up to a second, until the
// kernel has no connection queued for it (on Linux), since the close
// would reset those; after, it answers every request on a connection it
// accepted, even one that arrives after the close.
func Run(ctx context.Context, srv *http.Server, ln net.Listener, grace time.Duration, log *slog.Logger, opts ...Option) error {
	term := make(chan os.Signal, 1)
	signal.Notify(term, syscall.SIGTERM)
	defer signal.Stop(term)
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT)
	defer stop()
	return run(ctx, term, srv, ln, grace, log, opts...)
}

// run is Run with the SIGTERM channel given.
func run(ctx context.Context, term <-chan os.Signal, srv *http.Server, ln net.Listener, grace time.Duration, log *slog.Logger, opts ...Option) error {
	c := runConfig{drain: DefaultDrain}
	for _, opt := range opts {
		opt(&c)
	}
	var draining atomic.Bool
	srv.Handler = drainAware(srv.Handler, &draining)
	var conns openConns
	conns.track(srv)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	log.Info("listening", "addr", ln.Addr().String())
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	case <-term:
		draining.Store(true)
		log.Info("draining", "drain", c.drain.String())
		timer := time.NewTimer(c.drain)
		select {
		case err := <-errc:
			timer.Stop()
			return err
		case <-ctx.Done():
		case <-timer.C:
		}
		timer.Stop()
	}
	// No connection the kernel has queued may be reset by the close.
	quiesced := quiesce(ln)
	log.Info("shutting down", "grace", grace.String(), "listener_quiesced", quiesced)
	return finish(srv, ln, errc, &conns, grace)
}

// drainAware answers GET /readyz with 503 while draining, and closes each
// connection after its response then, including the responses begun then
// to requests that arrived before.
func drainAware(next http.Handler, draining *atomic.Bool) http.Handler {
	if next == nil {
		next = http.DefaultServeMux // what http.Server serves then
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !draining.Load() {
			// The drain may begin while the request runs: its response
			// closes the connection then too, or the connection would stay
			// idle in the proxy's pool until the shutdown closes it.
			next.ServeHTTP(&closeIfDraining{ResponseWriter: w, draining: draining}, r)
			return
		}
		w.Header().Set("Connection", "close")
		if r.URL.Path == "/readyz" {
			JSON(w, http.StatusServiceUnavailable, []byte(`{"status":"draining"}`))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// JSON writes body, already encoded JSON, as the response with status.
func JSON(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(body)
}

// closeIfDraining adds Connection: close to a response whose header is
// written once the drain has begun.
type closeIfDraining struct {
	http.ResponseWriter
	draining *atomic.Bool
	written  bool
}

func (w *closeIfDraining) header() {
	if !w.written {
		w.written = true
		if w.draining.Load() {
			w.Header().Set("Connection", "close")
		}
	}
}

func (w *closeIfDraining) WriteHeader(status int) {
	if status >= 200 { // not an informational 1xx
		w.header()
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *closeIfDraining) Write(b []byte) (int, error) {
	w.header()
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *closeIfDraining) Unwrap() http.ResponseWriter { return w.ResponseWriter }
