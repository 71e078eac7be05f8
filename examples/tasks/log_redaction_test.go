package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// syncBuffer is a bytes.Buffer safe for the server's goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// No log line holds an activation token: not the Guard's refusal of a
// link requested with a malformed Authorization header, not the access
// log of a link requested with an uncleaned path; on either profile (the
// drf-jwt profile's link is a login token).
func TestLogsHideActivationTokens(t *testing.T) {
	for _, p := range []struct {
		args      []string
		malformed string
	}{
		{nil, "Bearer a b"},
		{[]string{"-profile", "drf-jwt"}, "JWT a b"},
	} {
		t.Run(strings.Join(append([]string{"profile"}, p.args...), " "), func(t *testing.T) {
			logsHideActivationTokens(t, p.args, p.malformed)
		})
	}
}

func logsHideActivationTokens(t *testing.T, args []string, malformed string) {
	var logs syncBuffer
	c, err := parseFlags(append([]string{"-data", t.TempDir(), "-create-user", "vitor:123"}, args...), func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	h, closeApp, err := newApp(context.Background(), c, slog.New(slog.NewJSONHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer closeApp()
	srv := httptest.NewServer(h)
	defer srv.Close()

	r := call(t, srv, "POST", "/api-register/", "", `{"username":"newbie","password":"a long enough pass","tasks":[]}`)
	var reg registration
	if r.status != http.StatusCreated || json.Unmarshal([]byte(r.body), &reg) != nil {
		t.Fatalf("register: %d %s", r.status, r.body)
	}
	tok := strings.TrimSuffix(strings.TrimPrefix(reg.ConfirmationURL, srv.URL+"/api-activate/"), "/")
	secret := tok[strings.IndexByte(tok, '.')+1:] // the header part is the same in every token
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, c := range []struct{ path, auth string }{
		{"/api-activate/" + tok + "/", malformed},
		{"//api-activate/" + tok + "/", ""},
		{"/tasks/../api-activate/" + tok[:len(tok)-10] + "/", ""},
	} {
		req, _ := http.NewRequest("GET", srv.URL+c.path, nil)
		if c.auth != "" {
			req.Header.Set("Authorization", c.auth)
		}
		res, err := noRedirect.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
	}
	out := logs.String()
	if n := strings.Count(out, `"path":"/api-activate/[REDACTED]/"`); n < 4 {
		t.Errorf("%d log lines with the redacted link, want at least 4 (a refusal and three requests):\n%s", n, out)
	}
	for _, part := range strings.Split(secret, ".") {
		if strings.Contains(out, part[:16]) {
			t.Errorf("an activation token reached the log:\n%s", out)
		}
	}
}
