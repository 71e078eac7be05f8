//go:build unix

package deploytest

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard/examples/internal/pgschema"
	"github.com/jwtguard/jwtguard/examples/internal/redisproc"
)

// Rolling restart: how long each phase of TestRollingRestart's load lasts,
// and the instances' drain (-drain; 5 s in production, shorter here to
// keep the test near a minute).
const (
	rollingSteady = 8 * time.Second
	rollingLoad   = 25 * time.Second
	rollingDrain  = 3 * time.Second
	wrkThreads    = 2
	wrkConns      = 16
)

// TestRollingRestart runs three tasks instances on one PostgreSQL database
// behind the real nginx, configured from deploy/nginx/tasks.conf with the
// three as its upstream, under a wrk load of authenticated GETs, POSTs and
// PATCHes and refresh-token rotations, and restarts them one at a time as
// DEPLOY.md says (SIGTERM, wait for the exit, start on the same port, wait
// for /readyz): no request may fail, neither a non-2xx answer nor a socket
// error. It logs wrk's numbers in steady state and during the restarts,
// and each instance's stop time; scripts/rolling-restart.sh runs it.
func TestRollingRestart(t *testing.T) {
	needNginx(t)
	needWrk(t)
	rollingRestart(t, "-database-url", pgschema.DSN(t, "deploy_rolling_", "the rolling restart"))
}

// TestRollingRestartRedis is TestRollingRestart with -redis-url:
// revocations, throttles and their push in one Redis, users and tasks in
// PostgreSQL.
func TestRollingRestartRedis(t *testing.T) {
	needNginx(t)
	needWrk(t)
	rollingRestart(t, "-database-url", pgschema.DSN(t, "deploy_rolling_", "the rolling restart with Redis"),
		"-redis-url", "redis://"+redisproc.Durable(t, "the rolling restart with Redis")+"/0")
}

// rollingRestart is TestRollingRestart with the instances' stores given by
// the flags stores.
func rollingRestart(t *testing.T, stores ...string) {
	wrkBin := needWrk(t)
	bin := buildTasks(t)
	addrs := freePorts(t, 3)
	member := func(addr string, extra ...string) []string {
		return append(append([]string{"-addr", addr, "-data", t.TempDir(), "-trusted-proxy", "127.0.0.1/32",
			"-drain", rollingDrain.String(), "-refreshes-per-minute", "0"}, stores...), extra...)
	}
	fleet := make([]*tasksApp, len(addrs))
	// The first creates the schema and the user; the others find both.
	fleet[0] = runTasks(t, bin, member(addrs[0], "-create-user", "vitor:123")...)
	waitReady(t, fleet[0])
	for i := 1; i < len(addrs); i++ {
		fleet[i] = runTasks(t, bin, member(addrs[i])...)
		waitReady(t, fleet[i])
	}
	ngx := startNginx(t, strings.Join(addrs, ","))
	// Each phase rotates refresh tokens of its own: the first phase's
	// are spent when it ends.
	steady := runWrk(t, wrkBin, ngx.addr, rollingTokens(t, ngx.addr), rollingSteady)
	t.Logf("steady state (%s): %s", rollingSteady, steady)
	steady.check(t, "steady state")

	type load struct {
		res wrkResult
		err error
	}
	loadc := make(chan load, 1)
	tokens := rollingTokens(t, ngx.addr)
	go func() {
		res, err := wrk(wrkBin, ngx.addr, tokens, rollingLoad)
		loadc <- load{res, err}
	}()
	time.Sleep(3 * time.Second)
	restartsFrom := time.Now()
	var stopped []*tasksApp
	for i, old := range fleet {
		stopped = append(stopped, old)
		stop := time.Now()
		if err := old.cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		select {
		case <-old.done:
		case <-time.After(30 * time.Second):
			t.Fatalf("instance %d did not exit within 30 s of SIGTERM; its output:\n%s", i, old.out)
		}
		stopped := time.Since(stop)
		if old.err != nil {
			t.Errorf("instance %d exited with %v; its output:\n%s", i, old.err, old.out)
		}
		start := time.Now()
		fleet[i] = runTasks(t, bin, member(addrs[i])...)
		waitReady(t, fleet[i])
		t.Logf("instance %d (%s): SIGTERM to exit %s (drain %s, then in-flight requests), start to ready %s",
			i, addrs[i], stopped.Round(time.Millisecond), rollingDrain, time.Since(start).Round(time.Millisecond))
	}
	restarts := time.Since(restartsFrom)
	l := <-loadc
	if l.err != nil {
		t.Fatal(l.err)
	}
	t.Logf("rolling restart (%s of load, the restarts took %s): %s", rollingLoad, restarts.Round(time.Millisecond), l.res)
	if restarts > rollingLoad-3*time.Second {
		t.Errorf("the restarts took %s, longer than the load around them", restarts)
	}
	l.res.check(t, "rolling restart")

	// Every restarted instance is back in nginx's rotation: it served
	// part of the load after its start.
	for i, app := range fleet {
		if n := len(app.requests("")); n < 10 {
			t.Errorf("restarted instance %d served %d requests of the load, want it back in the upstream", i, n)
		}
	}
	// No token of the load reached a log: the instances' (the stopped
	// ones too), nginx's access log.
	access, _ := os.ReadFile(filepath.Join(ngx.prefix, "access.log"))
	for i, text := range []string{string(access), stopped[0].out.String(), stopped[1].out.String(), stopped[2].out.String(),
		fleet[0].out.String(), fleet[1].out.String(), fleet[2].out.String()} {
		if strings.Contains(text, "eyJ") {
			t.Errorf("log %d (0: nginx's access log, then the instances') contains something like a JWT", i)
		}
	}
	if errLog, err := os.ReadFile(filepath.Join(ngx.prefix, "error.log")); err == nil {
		t.Logf("nginx error.log: %d connections refused (retried on the next instance), %d upstream errors in all",
			strings.Count(string(errLog), "(111: Connection refused)"), strings.Count(string(errLog), "upstream:"))
		var upstream []string
		for _, line := range strings.Split(string(errLog), "\n") {
			if strings.Contains(line, "upstream:") && len(upstream) < 20 {
				upstream = append(upstream, line)
			}
		}
		t.Logf("nginx error.log, first upstream lines:\n%s", strings.Join(upstream, "\n"))
	}
}

// needWrk returns wrk's path; it skips the test without wrk, except in CI,
// where scripts/ci/nginx.sh should have installed it.
func needWrk(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("wrk")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("wrk is missing in CI (scripts/ci/nginx.sh installs it): %v", err)
		}
		t.Skip("wrk is missing: install Debian's wrk package (scripts/ci/nginx.sh does) to run this test")
	}
	return path
}

// freePorts returns n distinct loopback addresses that were free a moment
// ago.
func freePorts(t *testing.T, n int) []string {
	t.Helper()
	var addrs []string
	for range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		addrs = append(addrs, ln.Addr().String())
	}
	return addrs
}

// waitReady waits until app's GET /readyz answers 200.
func waitReady(t *testing.T, app *tasksApp) {
	t.Helper()
	client := &http.Client{Timeout: time.Second}
	for deadline := time.Now().Add(30 * time.Second); ; {
		res, err := client.Get("http://" + app.addr + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return
			}
		}
		if app.exited() || time.Now().After(deadline) {
			t.Fatalf("%s is not ready (exited: %v); its output:\n%s", app.addr, app.exited(), app.out)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// rollingTokens signs vitor in through nginx, once for the access token and
// once per wrk thread for a refresh token to rotate, creates the task the
// load reads and changes, and writes the file testdata/rolling.lua reads.
func rollingTokens(t *testing.T, ngx string) string {
	t.Helper()
	client := &http.Client{Transport: &http.Transport{DialContext: dialFrom(clientAddr)}, Timeout: 10 * time.Second}
	post := func(path, token, body string, want int, into any) {
		t.Helper()
		req, err := http.NewRequest("POST", "http://"+ngx+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		if err := json.NewDecoder(res.Body).Decode(into); err != nil || res.StatusCode != want {
			t.Fatalf("POST %s: %d %v", path, res.StatusCode, err)
		}
	}
	var lines []string
	var refreshes []string
	for range wrkThreads + 1 {
		var pair struct{ Access, Refresh string }
		post("/api/token/", "", `{"username":"vitor","password":"123"}`, http.StatusOK, &pair)
		if len(lines) == 0 {
			lines = append(lines, pair.Access)
		} else {
			refreshes = append(refreshes, pair.Refresh)
		}
	}
	// The task is vitor's: his id is the access token's user_id.
	payload := strings.Split(lines[0], ".")
	claims, err := base64.RawURLEncoding.DecodeString(payload[min(1, len(payload)-1)])
	var user struct {
		UserID json.Number `json:"user_id"`
	}
	if err != nil || json.Unmarshal(claims, &user) != nil || user.UserID == "" {
		t.Fatalf("no user_id in the access token: %v", err)
	}
	create := `{"title":"load","due_to":"2030-01-01T00:00:00Z","person":` + user.UserID.String() + `}`
	var task struct{ ID int64 }
	post("/tasks/", lines[0], create, http.StatusCreated, &task)
	lines = append(lines, "/tasks/"+strconv.FormatInt(task.ID, 10)+"/", create)
	path := filepath.Join(t.TempDir(), "tokens")
	if err := os.WriteFile(path, []byte(strings.Join(append(lines, refreshes...), "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// wrkResult is the line testdata/rolling.lua's done() prints.
type wrkResult struct {
	Requests, DurationUS                  int64
	Connect, Read, Write, Timeout, Status int64
	P50US, P99US, MaxUS                   int64
	Rotations, Failures                   int64
	First                                 string
}

func (r wrkResult) String() string {
	return fmt.Sprintf("%d requests, %.0f requests/s, latency p50 %.2f ms p99 %.2f ms max %.2f ms, %d refresh rotations; "+
		"non-2xx %d, socket errors connect %d read %d write %d timeout %d",
		r.Requests, float64(r.Requests)/(float64(r.DurationUS)/1e6), float64(r.P50US)/1e3, float64(r.P99US)/1e3,
		float64(r.MaxUS)/1e3, r.Rotations, r.Status, r.Connect, r.Read, r.Write, r.Timeout)
}

// check fails the test on any failed request, and on a load that did not
// rotate refresh tokens.
func (r wrkResult) check(t *testing.T, phase string) {
	t.Helper()
	if r.Status+r.Failures+r.Connect+r.Read+r.Write+r.Timeout > 0 {
		t.Errorf("%s: failed requests: %d non-2xx (first: %s), socket errors connect %d read %d write %d timeout %d",
			phase, max(r.Status, r.Failures), r.First, r.Connect, r.Read, r.Write, r.Timeout)
	}
	if r.Requests < 100 || r.Rotations < 2 {
		t.Errorf("%s: %d requests, %d refresh rotations: the load did not run", phase, r.Requests, r.Rotations)
	}
}

// runWrk is wrk that fails the test on an error.
func runWrk(t *testing.T, bin, addr, tokens string, d time.Duration) wrkResult {
	t.Helper()
	res, err := wrk(bin, addr, tokens, d)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

var rollingLine = regexp.MustCompile(`(?m)^rolling: requests=(\d+) duration_us=(\d+) connect=(\d+) read=(\d+) write=(\d+) timeout=(\d+) status=(\d+) p50_us=(\d+) p99_us=(\d+) max_us=(\d+) rotations=(\d+) failures=(\d+) first=(".*")$`)

// wrk runs wrk with testdata/rolling.lua against the nginx at addr for d
// and returns what the script's done() printed.
func wrk(bin, addr, tokens string, d time.Duration) (wrkResult, error) {
	script, err := filepath.Abs(filepath.Join("testdata", "rolling.lua"))
	if err != nil {
		return wrkResult{}, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), d+30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, bin, "-t", strconv.Itoa(wrkThreads), "-c", strconv.Itoa(wrkConns),
		"-d", strconv.Itoa(int(d.Seconds()))+"s", "--timeout", "5s", "-s", script, "http://"+addr, "--", tokens).CombinedOutput()
	if err != nil {
		return wrkResult{}, fmt.Errorf("wrk: %v\n%s", err, out)
	}
	m := rollingLine.FindStringSubmatch(string(out))
	if m == nil {
		return wrkResult{}, fmt.Errorf("wrk printed no result line:\n%s", out)
	}
	var n [12]int64
	for i := range n {
		n[i], _ = strconv.ParseInt(m[i+1], 10, 64)
	}
	first, _ := strconv.Unquote(m[13])
	return wrkResult{Requests: n[0], DurationUS: n[1], Connect: n[2], Read: n[3], Write: n[4], Timeout: n[5], Status: n[6],
		P50US: n[7], P99US: n[8], MaxUS: n[9], Rotations: n[10], Failures: n[11], First: first}, nil
}
