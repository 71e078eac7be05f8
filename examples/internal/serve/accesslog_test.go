package serve

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// The access log has the request's method, path, status and size, and
// never its query string or headers, where tokens travel.
func TestAccessLog(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, nil))
	h := AccessLog(log, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusTeapot)
		w.Write([]byte("short and stout"))
	}))
	req := httptest.NewRequest("POST", "/items/?access_token=secret-query-token", nil)
	req.Header.Set("Authorization", "Bearer secret-header-token")
	req.AddCookie(&http.Cookie{Name: "access_token", Value: "secret-cookie-token"})
	h.ServeHTTP(httptest.NewRecorder(), req)
	line := buf.String()
	for _, want := range []string{`"msg":"request"`, `"method":"POST"`, `"path":"/items/"`, `"status":418`, `"bytes":15`, `"remote":"192.0.2.1:1234"`} {
		if !strings.Contains(line, want) {
			t.Errorf("log %s lacks %s", line, want)
		}
	}
	if strings.Contains(line, "secret") {
		t.Errorf("a token reached the log: %s", line)
	}
}

// A token in the path is redacted, cleaned path or not.
func TestAccessLogRedactsPath(t *testing.T) {
	var buf bytes.Buffer
	h := AccessLog(slog.New(slog.NewJSONHandler(&buf, nil)), http.NotFoundHandler())
	jwt := "eyJhbGciOiJIUzI1NiJ9.eyJzZWNyZXQiOjF9.c2VjcmV0LXNpZ25hdHVyZQ"
	for _, p := range []string{"/links/" + jwt + "/", "//links/" + jwt + "/"} {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", p, nil))
	}
	if log := buf.String(); strings.Contains(log, "eyJzZWNyZXQ") || strings.Count(log, `"path":"/links/[REDACTED]/"`) != 2 {
		t.Errorf("a token reached the access log: %s", log)
	}
}

// The duration is in milliseconds, on the real clock: a handler that takes
// at least 20 ms logs a duration_ms of at least 20, not the 20 000 000 of
// nanoseconds.
func TestAccessLogDurationInMilliseconds(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, nil))
	h := AccessLog(log, http.HandlerFunc(func(http.ResponseWriter, *http.Request) { time.Sleep(20 * time.Millisecond) }))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
	var entry struct {
		Ms *float64 `json:"duration_ms"`
	}
	if err := json.Unmarshal(buf.Bytes(), &entry); err != nil || entry.Ms == nil {
		t.Fatalf("log %s: %v, no duration_ms", buf.Bytes(), err)
	}
	// The upper bound only tells milliseconds from nanoseconds: a handler
	// would have to take 16 minutes to pass it in the wrong unit.
	if *entry.Ms < 20 || *entry.Ms >= 1e6 {
		t.Fatalf("duration_ms %v for a 20 ms handler", *entry.Ms)
	}
	if got := Duration(1234567 * time.Nanosecond); got.Value.Float64() != 1.234 {
		t.Fatalf("Duration(1.234567ms) = %v", got)
	}
}
