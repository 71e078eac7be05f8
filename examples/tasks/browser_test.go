package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// needBrowser returns node and the browser harness's directory, skipping
// the test when something is missing, or failing it when CI is true
// (scripts/ci/browser.sh installs Chromium and the harness's packages).
func needBrowser(t *testing.T) (node, dir string) {
	t.Helper()
	missing := func(what string, err error) {
		msg := fmt.Sprintf("%s: %v; scripts/ci/browser.sh installs it", what, err)
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		missing("node", err)
	}
	chromium := os.Getenv("CHROMIUM")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	if _, err := os.Stat(chromium); err != nil {
		missing("Chromium", err)
	}
	dir, err = filepath.Abs(filepath.Join("testdata", "browser"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "playwright-core", "package.json")); err != nil {
		missing("playwright-core in examples/tasks/testdata/browser", err)
	}
	return node, dir
}

// seen is a request to /tasks/ as the server answered it.
type seen struct {
	method, fetchSite, origin string
	withCookie                bool
	status                    int
}

// recorder records the requests to /tasks/ and their answers.
type recorder struct {
	mu   sync.Mutex
	reqs []seen
}

func (rec *recorder) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/tasks/" {
			next.ServeHTTP(w, r)
			return
		}
		sw := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(sw, r)
		_, err := r.Cookie("access_token")
		rec.mu.Lock()
		rec.reqs = append(rec.reqs, seen{r.Method, r.Header.Get("Sec-Fetch-Site"), r.Header.Get("Origin"), err == nil, sw.status})
		rec.mu.Unlock()
	})
}

// attackerPage is a page of another origin that posts to the API with the
// visitor's cookies: a fetch, and a form the harness submits.
const attackerPage = `<!doctype html><html><head><title>another origin</title></head><body>
<form id="f" method="POST" action="%[1]s/tasks/">
<input name="title" value="forged by a form"><input name="person" value="1"><input name="due_to" value="2030-01-01T00:00:00Z">
<button id="submit" type="submit">win a prize</button></form>
<script>
// The same host on another port can read the CSRF cookie (cookies ignore
// ports), but it cannot send it back in a header without CORS.
const m = document.cookie.match(/csrftoken=([^;]*)/);
fetch(%[1]q + "/tasks/", {method: "POST", mode: "no-cors", credentials: "include",
  headers: {"Content-Type": "application/x-www-form-urlencoded", "X-CSRFToken": m ? m[1] : ""},
  body: "title=forged+by+fetch&person=1&due_to=2030-01-01T00:00:00Z"})
  .catch(() => {}).finally(() => { document.body.dataset.done = "yes"; });
</script></body></html>`

// TestBrowserCookieMode drives headless Chromium through the example's
// page in cookie mode: sign in, read a protected resource, post a task,
// refresh, sign out; and a page of a second origin fails to post with the
// person's cookies.
func TestBrowserCookieMode(t *testing.T) {
	node, dir := needBrowser(t)
	// A second user, so that a task the page creates in the name of the
	// first (id 1) would be refused: the page must post in its own.
	h := newTestApp(t, "-cookies", "-create-user", "ana:ana-browser-pass")
	rec := &recorder{}
	app := httptest.NewServer(rec.wrap(h))
	t.Cleanup(app.Close)
	attacker := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, attackerPage, app.URL)
	}))
	t.Cleanup(attacker.Close)

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "browser.mjs", app.URL, attacker.URL, "ana", "ana-browser-pass")
	cmd.Dir = dir
	var stderr strings.Builder
	cmd.Stderr = &stderr
	stdout, err := cmd.Output()
	if err != nil {
		t.Fatalf("browser harness: %v\n%s", err, stderr.String())
	}
	type shown struct {
		Status int
		Text   string
	}
	type cookie struct {
		Name, SameSite, Path string
		HTTPOnly             bool `json:"httpOnly"`
		Secure               bool
	}
	var got struct {
		Error                                     string
		Title, ScriptSees, AttackFormBody         string
		Signin, Hello, Add, Refresh, List, Logout shown
		HelloAfterLogout                          shown
		CookiesAfterSignin, CookiesAfterLogout    []cookie
	}
	if err := json.Unmarshal(stdout, &got); err != nil {
		t.Fatalf("harness output %q: %v\n%s", stdout, err, stderr.String())
	}
	if got.Error != "" {
		t.Fatalf("in the browser: %s", got.Error)
	}

	if got.Signin.Status != 200 || got.Hello.Status != 200 || !strings.Contains(got.Hello.Text, "Hello, ana") {
		t.Errorf("sign in %+v, hello %+v", got.Signin, got.Hello)
	}
	if got.Add.Status != 201 || !strings.Contains(got.Add.Text, "Added from the browser") {
		t.Errorf("POST /tasks/ from the page: %+v", got.Add)
	}
	if got.Refresh.Status != 200 {
		t.Errorf("refresh: %+v", got.Refresh)
	}
	stored := map[string]cookie{}
	for _, c := range got.CookiesAfterSignin {
		stored[c.Name] = c
	}
	for name, httpOnly := range map[string]bool{"access_token": true, "refresh_token": true, "csrftoken": false} {
		c, ok := stored[name]
		if !ok || c.HTTPOnly != httpOnly || !c.Secure || c.SameSite != "Lax" {
			t.Errorf("browser stored %s as %+v", name, c)
		}
	}
	if !strings.Contains(got.ScriptSees, "csrftoken=") || strings.Contains(got.ScriptSees, "access_token") ||
		strings.Contains(got.ScriptSees, "refresh_token") || strings.Contains(got.ScriptSees, "eyJ") {
		t.Errorf("script can read %q", got.ScriptSees)
	}

	// The forged requests reached the server with the access cookie — the
	// browser sent it, same-site — and were refused by the CSRF check.
	rec.mu.Lock()
	reqs := append([]seen(nil), rec.reqs...)
	rec.mu.Unlock()
	forged := 0
	for _, r := range reqs {
		if r.method != http.MethodPost || r.origin != attacker.URL {
			continue
		}
		forged++
		if !r.withCookie || r.fetchSite != "same-site" || r.status != http.StatusForbidden {
			t.Errorf("forged POST: %+v, want the cookie sent and 403", r)
		}
	}
	if forged != 2 {
		t.Errorf("%d forged POSTs reached the server, want 2 (fetch and form): %+v", forged, reqs)
	}
	if !strings.Contains(got.AttackFormBody, `"code":"csrf_failed"`) {
		t.Errorf("the forged form got %q", got.AttackFormBody)
	}
	if strings.Contains(got.List.Text, "forged") || !strings.Contains(got.List.Text, "Added from the browser") {
		t.Errorf("tasks after the attack: %s", got.List.Text)
	}

	if got.Logout.Status != 200 {
		t.Errorf("sign out: %+v", got.Logout)
	}
	for _, c := range got.CookiesAfterLogout {
		t.Errorf("cookie %s left after sign out", c.Name)
	}
	if got.HelloAfterLogout.Status != 401 {
		t.Errorf("hello after sign out: %+v", got.HelloAfterLogout)
	}
}

// The page is served in cookie mode only, under a policy that allows no
// inline script.
func TestCookieModePage(t *testing.T) {
	for _, mode := range []struct {
		args []string
		page int
	}{
		{nil, http.StatusNotFound},
		{[]string{"-cookies"}, http.StatusOK},
	} {
		h := newTestApp(t, mode.args...)
		for _, p := range []string{"/", "/app.js"} {
			w := httptest.NewRecorder()
			h.ServeHTTP(w, httptest.NewRequest("GET", p, nil))
			if w.Code != mode.page {
				t.Errorf("%v GET %s: %d, want %d", mode.args, p, w.Code, mode.page)
			}
			if w.Code == http.StatusOK && !strings.Contains(w.Header().Get("Content-Security-Policy"), "script-src 'self'") {
				t.Errorf("GET %s: CSP %q", p, w.Header().Get("Content-Security-Policy"))
			}
		}
		// Sign-in answers with cookies in cookie mode, with tokens otherwise.
		w := httptest.NewRecorder()
		req := httptest.NewRequest("POST", "/api/token/", strings.NewReader(`{"username":"vitor","password":"123"}`))
		req.Header.Set("Content-Type", "application/json")
		h.ServeHTTP(w, req)
		cookies := len(w.Result().Cookies())
		if mode.args == nil && (cookies != 0 || !strings.Contains(w.Body.String(), `"access"`)) ||
			mode.args != nil && (cookies != 3 || w.Body.String() != `{}`) {
			t.Errorf("%v sign-in: %d cookies, body %s", mode.args, cookies, w.Body.String())
		}
	}
}
