package main

import (
	"net/http/httptest"
	"strings"
	"testing"
)

// TestDatabaseOutageIs503: with the database gone after a token passed the
// Guard's cached checks, every route that reads or writes the database
// answers 503 with Retry-After and jwtguard's body, never a 500 or a 400
// that blames the request. /hello/ reads none: it greets the user the
// check loaded, and answers while that answer holds (maxStale).
func TestDatabaseOutageIs503(t *testing.T) {
	h, closeApp := openTestApp(t)
	t.Cleanup(closeApp) // closing twice is harmless
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	access, _ := login(t, srv, "vitor", "123")
	if r := call(t, srv, "GET", "/hello/", access, ""); r.status != 200 {
		t.Fatalf("hello before the outage: %d %s", r.status, r.body)
	}

	closeApp() // the database is gone; the Guard's checks are still cached

	if r := call(t, srv, "GET", "/hello/", access, ""); r.status != 200 || r.body != `{"message":"Hello, vitor"}` {
		t.Errorf("GET /hello/ during the outage, within the check's maxStale: %d %s", r.status, r.body)
	}
	for _, req := range []struct{ method, path, token, body string }{
		{"GET", "/tasks/", "", ""},
		{"GET", "/tasks/1/", "", ""},
		{"POST", "/tasks/", access, `{"title":"t","person":1,"due_to":"2030-01-01T10:00:00Z"}`},
		{"DELETE", "/tasks/1/", access, ""},
		{"POST", "/api-register/", "", `{"username":"new","password":"pw-of-the-new-user","email":"n@example.com"}`},
		{"GET", "/readyz", "", ""},
	} {
		r := call(t, srv, req.method, req.path, req.token, req.body)
		if r.status != 503 || r.header.Get("Retry-After") == "" {
			t.Errorf("%s %s during the outage: %d Retry-After %q %s, want 503 with Retry-After",
				req.method, req.path, r.status, r.header.Get("Retry-After"), r.body)
		}
		if req.path != "/readyz" && !strings.Contains(r.body, `"code":"service_unavailable"`) {
			t.Errorf("%s %s during the outage: body %s", req.method, req.path, r.body)
		}
	}
}
