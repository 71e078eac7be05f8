package jwtguard_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/jwtguard/jwtguard"
)

func TestPathRedactor(t *testing.T) {
	jwt := "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlLXNpZ25hdHVyZQ"
	r, err := jwtguard.NewPathRedactor("/reset/*/", "/files/*/*/")
	must(t, err)
	for _, c := range []struct{ in, want string }{
		{"/tasks/1/", "/tasks/1/"},
		{"/api-activate/" + jwt + "/", "/api-activate/[REDACTED]/"},
		{"//api-activate/" + jwt + "/", "/api-activate/[REDACTED]/"},
		{"/x/../api-activate/" + jwt[:20] + "/", "/api-activate/[REDACTED]/"},
		{"/reset/opaque-code-123/", "/reset/[REDACTED]/"},
		{"//reset/./opaque-code-123", "/reset/[REDACTED]"},
		{"/reset/opaque/../code-123/", "/reset/[REDACTED]/"},
		{"/files/a/b/c", "/files/[REDACTED]/[REDACTED]/c"},
		{"/reset/", "/reset/"},
		{"/a//b/", "/a/b/"},
		{"/static/app.min.js", "/static/app.min.js"},
	} {
		if got := r.Redact(c.in); got != c.want {
			t.Errorf("Redact(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	if got := (*jwtguard.PathRedactor)(nil).Redact("/a/" + jwt); got != "/a/[REDACTED]" {
		t.Errorf("the default rule left %q", got)
	}
	for _, bad := range []string{"reset/*/", "/reset/", ""} {
		if _, err := jwtguard.NewPathRedactor(bad); err == nil {
			t.Errorf("pattern %q accepted", bad)
		}
	}
}

// The Guard's refusal log hides a token carried in the path: a link with
// a token, requested with a malformed Authorization header.
func TestGuardLogRedactsPath(t *testing.T) {
	var buf bytes.Buffer
	redactor, err := jwtguard.NewPathRedactor("/reset/*/")
	must(t, err)
	g, err := jwtguard.NewGuard(verifierFor(t), jwtguard.WithLogger(slog.New(slog.NewJSONHandler(&buf, nil))),
		jwtguard.WithLogRedaction(redactor))
	must(t, err)
	srv := httptest.NewServer(g.Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})))
	defer srv.Close()
	jwt := signRaw(t, "HS256", `{"alg":"HS256"}`, `{"exp":1,"token_type":"activation"}`)
	for _, p := range []string{"/api-activate/" + jwt + "/", "/reset/opaque-secret-code/"} {
		req, _ := http.NewRequest("GET", srv.URL+p, nil)
		req.Header.Set("Authorization", "Bearer a b")
		res, err := http.DefaultClient.Do(req)
		must(t, err)
		res.Body.Close()
		if res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("%s: %d, want 401", p, res.StatusCode)
		}
	}
	log := buf.String()
	if !strings.Contains(log, `"path":"/api-activate/[REDACTED]/"`) || !strings.Contains(log, `"path":"/reset/[REDACTED]/"`) {
		t.Errorf("refusals not logged with redacted paths:\n%s", log)
	}
	if strings.Contains(log, jwt[:20]) || strings.Contains(log, "opaque-secret") {
		t.Errorf("a token reached the log:\n%s", log)
	}
}

// FuzzPathRedactor: redaction never panics, is stable (a redacted path
// redacted again is the same), and leaves no segment under a pattern's
// "*" nor one that starts like a JWT.
func FuzzPathRedactor(f *testing.F) {
	for _, p := range []string{"/", "/reset/x/", "//reset/./x", "/a/../reset/eyJhbGciOi/", "/x/eyJ.a.b", "reset/x", "/reset/[REDACTED]/y"} {
		f.Add(p)
	}
	r, err := jwtguard.NewPathRedactor("/reset/*/")
	must(f, err)
	f.Fuzz(func(t *testing.T, p string) {
		got := r.Redact(p)
		if again := r.Redact(got); again != got {
			t.Fatalf("Redact(%q) = %q, and again %q", p, got, again)
		}
		segs := strings.Split(strings.Trim(got, "/"), "/")
		if len(segs) > 1 && segs[0] == "reset" && segs[1] != "[REDACTED]" {
			t.Fatalf("Redact(%q) = %q: the pattern's segment is left", p, got)
		}
		for _, s := range segs {
			if len(s) >= 8 && strings.HasPrefix(s, "eyJ") {
				t.Fatalf("Redact(%q) = %q: a JWT is left", p, got)
			}
		}
	})
}
