package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard/examples/internal/promtest"
)

// tasksClient sends requests to a tasks server started by run.
type tasksClient struct {
	t    *testing.T
	base string
}

func (c tasksClient) do(method, path, token, body string) (int, string) {
	c.t.Helper()
	r := callURL(c.t, c.base, method, path, token, body)
	return r.status, r.body
}

func (c tasksClient) expect(status int, method, path, token, body string) string {
	c.t.Helper()
	got, b := c.do(method, path, token, body)
	if got != status {
		c.t.Fatalf("%s %s: %d %s, want %d", method, path, got, b, status)
	}
	return b
}

func (c tasksClient) pair(body string) (access, refresh string) {
	c.t.Helper()
	var p struct{ Access, Refresh string }
	if err := json.Unmarshal([]byte(body), &p); err != nil || p.Access == "" || p.Refresh == "" {
		c.t.Fatalf("no token pair in %s", body)
	}
	return p.Access, p.Refresh
}

// runTasks runs the tasks program as main does, with args, until the test
// ends, and waits until it is ready.
func runTasks(t *testing.T, addr string, args ...string) tasksClient {
	t.Helper()
	promtest.RunExample(t, "http://"+addr+"/readyz", func(ctx context.Context) error {
		return run(ctx, append([]string{"-addr", addr, "-drain", "0"}, args...), io.Discard)
	})
	return tasksClient{t: t, base: "http://" + addr}
}

// TestMetricsScrapedByPrometheus runs tasks with -metrics-addr, has a real
// Prometheus scrape that listener, sends known traffic, and checks through
// Prometheus's query API that every counter moved by exactly that traffic.
// The public listener does not serve /metrics.
func TestMetricsScrapedByPrometheus(t *testing.T) {
	pub, met := promtest.FreeAddr(t), promtest.FreeAddr(t)
	c := runTasks(t, pub, "-metrics-addr", met, "-data", t.TempDir(), "-create-user", "vitor:123", "-reuse-grace", "0")
	prom := promtest.Start(t, met)

	if status, _ := c.do("GET", "/metrics", "", ""); status != http.StatusNotFound {
		t.Errorf("GET /metrics on the public listener: %d, want 404", status)
	}

	queries := map[string]string{ // what -> PromQL
		"accepted":           `sum(jwtguard_decisions_total{decision="authenticate",outcome="accepted"})`,
		"accepted cached":    `sum(jwtguard_decisions_total{decision="authenticate",outcome="accepted",cached="true"})`,
		"invalid":            `sum(jwtguard_decisions_total{outcome="refused",refusal="token_invalid"})`,
		"wrong type":         `sum(jwtguard_decisions_total{outcome="refused",refusal="token_wrong_type"})`,
		"no credentials":     `sum(jwtguard_decisions_total{outcome="refused",refusal="no_credentials"})`,
		"sign-in ok":         `sum(jwtguard_signins_total{outcome="succeeded"})`,
		"sign-in failed":     `sum(jwtguard_signins_total{outcome="failed"})`,
		"sign-in throttled":  `sum(jwtguard_signins_total{outcome="throttled"})`,
		"throttled failures": `sum(jwtguard_throttled_total{limit="failures"})`,
		"rotated":            `sum(jwtguard_refreshes_total{outcome="rotated"})`,
		"reuse":              `sum(jwtguard_refreshes_total{outcome="reuse"})`,
		"family revoked":     `sum(jwtguard_revocations_total{scope="family"})`,
		"obtain 2xx":         `sum(jwtguard_endpoint_calls_total{endpoint="token_obtain",status_class="2xx"})`,
		"obtain 4xx":         `sum(jwtguard_endpoint_calls_total{endpoint="token_obtain",status_class="4xx"})`,
		"refresh 2xx":        `sum(jwtguard_endpoint_calls_total{endpoint="token_refresh",status_class="2xx"})`,
		"refresh 4xx":        `sum(jwtguard_endpoint_calls_total{endpoint="token_refresh",status_class="4xx"})`,
	}
	read := func() map[string]float64 {
		prom.ScrapedSince(t, met, time.Now(), 30*time.Second)
		got := map[string]float64{}
		for what, q := range queries {
			got[what] = prom.Value(t, q)
		}
		return got
	}
	before := read()

	const accepted, invalid, anonymous, failed = 5, 3, 2, 3
	const strangerTries = 6 // a limit of 5 failures a minute per (username, client): the 6th is throttled
	want := map[string]float64{}
	for range failed {
		c.expect(http.StatusUnauthorized, "POST", "/api/token/", "", `{"username":"vitor","password":"wrong"}`)
	}
	for range strangerTries {
		c.do("POST", "/api/token/", "", `{"username":"mallory","password":"guess"}`)
	}
	access, refresh := c.pair(c.expect(http.StatusOK, "POST", "/api/token/", "", `{"username":"vitor","password":"123"}`))
	for range accepted {
		c.expect(http.StatusOK, "GET", "/hello/", access, "")
	}
	forged := access[:strings.LastIndexByte(access, '.')+1] + strings.Repeat("A", 43)
	for range invalid {
		c.expect(http.StatusUnauthorized, "GET", "/hello/", forged, "")
	}
	for range anonymous {
		c.expect(http.StatusUnauthorized, "GET", "/hello/", "", "")
	}
	c.expect(http.StatusUnauthorized, "GET", "/hello/", refresh, "")
	c.expect(http.StatusOK, "POST", "/api/token/refresh/", "", fmt.Sprintf(`{"refresh":%q}`, refresh))
	c.expect(http.StatusUnauthorized, "POST", "/api/token/refresh/", "", fmt.Sprintf(`{"refresh":%q}`, refresh))

	want["accepted"] = accepted
	want["accepted cached"] = accepted - 1
	want["invalid"] = invalid
	want["wrong type"] = 1
	want["no credentials"] = anonymous
	want["sign-in ok"] = 1
	want["sign-in failed"] = failed + strangerTries - 1
	want["sign-in throttled"] = 1
	want["throttled failures"] = 1
	want["rotated"] = 1
	want["reuse"] = 1
	want["family revoked"] = 1
	want["obtain 2xx"] = 1
	want["obtain 4xx"] = failed + strangerTries
	want["refresh 2xx"] = 1
	want["refresh 4xx"] = 1

	after := read()
	// The README's queries run on this server and answer (a rate needs two
	// samples of a series: one more scrape).
	prom.ScrapedSince(t, met, time.Now(), 30*time.Second)
	for _, q := range readmeQueries(t) {
		if len(prom.Query(t, q)) == 0 && !strings.Contains(q, "keyset") {
			t.Errorf("the README's query %s gives no sample", q)
		}
	}
	for what := range queries {
		if got := after[what] - before[what]; got != want[what] {
			t.Errorf("%s: %s moved by %v, want %v", what, queries[what], got, want[what])
		}
	}
}

// readmeQueries are the PromQL queries of the README's Observability
// table: "| question | `query` |" rows.
func readmeQueries(t *testing.T) []string {
	t.Helper()
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, _ := strings.Cut(string(readme), "## Observability")
	section, _, _ = strings.Cut(section, "\n## ")
	var out []string
	for _, line := range strings.Split(section, "\n") {
		cells := strings.Split(line, " | ")
		if len(cells) == 2 && strings.HasSuffix(cells[0], "?") {
			out = append(out, strings.Trim(strings.TrimSuffix(cells[1], " |"), "`"))
		}
	}
	if len(out) < 5 {
		t.Fatalf("%d queries in the README's Observability section, want at least 5", len(out))
	}
	return out
}
