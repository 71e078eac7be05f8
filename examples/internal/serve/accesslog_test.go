package serve

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
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
