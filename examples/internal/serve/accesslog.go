package serve

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/jwtguard/jwtguard"
)

// AccessLog logs every request to log once it is answered: method, path
// (segments shaped like a JWT redacted, by jwtguard's default rule),
// status, bytes written, duration (see [Duration]) and the peer's address. It never logs
// the query string, where a token may travel, nor any header, so no token
// ever reaches the log.
func AccessLog(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &recorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		log.LogAttrs(r.Context(), slog.LevelInfo, "request",
			slog.String("method", r.Method),
			slog.String("path", defaultPaths.Redact(r.URL.Path)),
			slog.Int("status", rec.status),
			slog.Int64("bytes", rec.bytes),
			Duration(time.Since(start)),
			slog.String("remote", r.RemoteAddr))
	})
}

// defaultPaths is jwtguard's default redaction rule.
var defaultPaths *jwtguard.PathRedactor

// recorder keeps the status and the size of a response.
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int64
	wrote  bool
}

func (r *recorder) WriteHeader(status int) {
	if !r.wrote {
		r.status, r.wrote = status, true
	}
	r.ResponseWriter.WriteHeader(status)
}

func (r *recorder) Write(b []byte) (int, error) {
	r.wrote = true
	n, err := r.ResponseWriter.Write(b)
	r.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// Duration is an access log's duration attribute: "duration_ms", in
// milliseconds to the microsecond (0.412 for 412µs), a number people read
// and tools add up. slog.Duration would write nanoseconds in JSON.
func Duration(d time.Duration) slog.Attr {
	return slog.Float64("duration_ms", float64(d.Microseconds())/1000)
}
