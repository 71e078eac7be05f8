//go:build unix

package deploytest

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestNginxAbuseLimits: nginx itself refuses a burst to the token
// endpoints from one address past limit_req (its own 429, not the app's
// JSON one), and leaves other paths alone.
func TestNginxAbuseLimits(t *testing.T) {
	needNginx(t)
	app := startTasks(t, buildTasks(t))
	ngx := startNginx(t, app.addr)
	client := &http.Client{Transport: &http.Transport{DialContext: dialFrom("127.0.0.3")}, Timeout: 10 * time.Second}
	send := func(method, path, body string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(method, "http://"+ngx.addr+path, strings.NewReader(body))
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		res, err := client.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		return res.StatusCode, string(b)
	}
	byNginx, byApp := 0, 0
	for range 60 {
		status, body := send("POST", "/api/token/", `{"username":"vitor","password":"wrong"}`)
		switch {
		case status == http.StatusTooManyRequests && strings.HasPrefix(body, "{"):
			byApp++
		case status == http.StatusTooManyRequests:
			byNginx++
		}
	}
	t.Logf("60 sign-ins from one address at once: %d refused by nginx, %d by the app", byNginx, byApp)
	if byNginx == 0 {
		t.Error("nginx's limit_req refused none of 60 sign-ins from one address")
	}
	for i := range 60 {
		if status, _ := send("GET", "/healthz", ""); status != http.StatusOK {
			t.Fatalf("GET /healthz %d after the burst: %d; other paths must not be limited", i+1, status)
		}
	}
}
