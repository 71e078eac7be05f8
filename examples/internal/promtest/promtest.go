// Package promtest helps test the example servers' metrics: it runs an
// example (RunExample, Get), and a real Prometheus server: Debian's
// prometheus package (scripts/ci/prometheus.sh installs it and sets
// JWTGUARD_PROMETHEUS), started as the current user on a free loopback
// port, with a temporary configuration and storage, scraping the targets
// a test names every half second. Without the server a test skips, saying
// why, except under CI=true, where it fails.
package promtest

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Server is a Prometheus server that a test started.
type Server struct {
	// URL is the server's base URL: http://127.0.0.1:PORT.
	URL string
	log *os.File
}

// binary is the server's path: JWTGUARD_PROMETHEUS, or Debian's.
func binary(t testing.TB) string {
	t.Helper()
	bin := os.Getenv("JWTGUARD_PROMETHEUS")
	if bin == "" {
		bin = "/usr/bin/prometheus"
	}
	if _, err := exec.LookPath(bin); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is missing in CI (scripts/ci/prometheus.sh installs it): %v", bin, err)
		}
		t.Skipf("%s is missing: install Debian's prometheus package (scripts/ci/prometheus.sh does) to run this test", bin)
	}
	return bin
}

// FreeAddr returns a loopback address no one listens on, for a server the
// test is about to start.
func FreeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// Start runs a Prometheus server that scrapes /metrics of each target
// (host:port) every half second, as job "jwtguard". It is stopped when the
// test ends.
func Start(t testing.TB, targets ...string) *Server {
	t.Helper()
	bin := binary(t)
	dir := t.TempDir()
	quoted := make([]string, len(targets))
	for i, target := range targets {
		quoted[i] = strconv.Quote(target)
	}
	config := fmt.Sprintf(`global:
  scrape_interval: 500ms
  scrape_timeout: 400ms
scrape_configs:
  - job_name: jwtguard
    static_configs:
      - targets: [%s]
`, strings.Join(quoted, ", "))
	configFile := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(configFile, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	log, err := os.Create(filepath.Join(dir, "prometheus.log"))
	if err != nil {
		t.Fatal(err)
	}
	addr := FreeAddr(t)
	cmd := exec.Command(bin, "--config.file="+configFile, "--storage.tsdb.path="+filepath.Join(dir, "data"),
		"--web.listen-address="+addr, "--storage.tsdb.retention.time=1h", "--log.level=warn")
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", bin, err)
	}
	s := &Server{URL: "http://" + addr, log: log}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		log.Close()
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(s.URL + "/-/ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("prometheus not ready at %s after 30s: %v\n%s", s.URL, err, s.Log())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Log is what the server has logged so far.
func (s *Server) Log() string {
	b, _ := os.ReadFile(s.log.Name())
	return string(b)
}

// Query runs an instant query and returns its samples: the series' labels
// (as Prometheus prints them) -> value.
func (s *Server) Query(t testing.TB, promql string) map[string]float64 {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.URL+"/api/v1/query?query="+url.QueryEscape(promql), nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("query %s: %v", promql, err)
	}
	defer resp.Body.Close()
	var body struct {
		Status string `json:"status"`
		Error  string `json:"error"`
		Data   struct {
			ResultType string `json:"resultType"`
			Result     []struct {
				Metric map[string]string `json:"metric"`
				Value  [2]any            `json:"value"`
			} `json:"result"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatalf("query %s: %v", promql, err)
	}
	if body.Status != "success" || body.Data.ResultType != "vector" {
		t.Fatalf("query %s: status %q, type %q, error %q", promql, body.Status, body.Data.ResultType, body.Error)
	}
	out := map[string]float64{}
	for _, r := range body.Data.Result {
		text, _ := r.Value[1].(string)
		v, err := strconv.ParseFloat(text, 64)
		if err != nil {
			t.Fatalf("query %s: value %q: %v", promql, text, err)
		}
		out[labels(r.Metric)] = v
	}
	return out
}

// Value runs a query that yields at most one sample, and returns it (0 for
// none).
func (s *Server) Value(t testing.TB, promql string) float64 {
	t.Helper()
	got := s.Query(t, promql)
	if len(got) > 1 {
		t.Fatalf("query %s: %d samples, want one: %v", promql, len(got), got)
	}
	for _, v := range got {
		return v
	}
	return 0
}

// ScrapedSince waits until the server has scraped target with a scrape
// that began after since, and fails the test after timeout.
func (s *Server) ScrapedSince(t testing.TB, target string, since time.Time, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	// timestamp() of a selector is its sample's time; of any other
	// expression (up == 1) it is the time of the query.
	up := fmt.Sprintf(`up{instance=%q}`, target)
	for {
		if ts := s.Value(t, "timestamp("+up+")"); ts > float64(since.UnixNano())/1e9 && s.Value(t, up) == 1 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no successful scrape of %s after %v within %v\n%s", target, since, timeout, s.Log())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func labels(m map[string]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + strconv.Quote(m[k])
	}
	return "{" + strings.Join(parts, ",") + "}"
}
