//go:build unix

package deploytest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

const nginxBin = "/usr/sbin/nginx"

// needNginx skips the test without /usr/sbin/nginx, except in CI, where
// scripts/ci/nginx.sh should have installed it.
func needNginx(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(nginxBin); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is missing in CI (scripts/ci/nginx.sh installs it): %v", nginxBin, err)
		}
		t.Skipf("%s is missing: install Debian's nginx package (scripts/ci/nginx.sh does) to run this test", nginxBin)
	}
}

// repoRoot is the directory holding deploy/nginx/tasks.conf, found
// upwards from the test's directory.
func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "deploy", "nginx", "tasks.conf")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("deploy/nginx/tasks.conf not found above the test's directory")
		}
		dir = parent
	}
}

// buildTasks builds examples/tasks into a temporary directory.
func buildTasks(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "tasks")
	cmd := exec.Command("go", "build", "-o", bin, "github.com/jwtguard/jwtguard/examples/tasks")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build examples/tasks: %v\n%s", err, out)
	}
	return bin
}

// logBuffer collects a process's output; safe for concurrent use.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// records returns the JSON log records written so far (complete lines).
func (b *logBuffer) records() []map[string]any {
	var out []map[string]any
	sc := bufio.NewScanner(strings.NewReader(b.String()))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		var rec map[string]any
		if json.Unmarshal(sc.Bytes(), &rec) == nil {
			out = append(out, rec)
		}
	}
	return out
}

// proc is a process the test started and must stop.
type proc struct {
	cmd  *exec.Cmd
	out  *logBuffer
	done chan struct{}
	err  error // Wait's result, once done is closed
}

func start(t *testing.T, cmd *exec.Cmd, stopSig syscall.Signal) *proc {
	t.Helper()
	p := &proc{cmd: cmd, out: &logBuffer{}, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = p.out, p.out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", cmd.Path, err)
	}
	go func() { p.err = cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		if p.exited() {
			return
		}
		cmd.Process.Signal(stopSig)
		select {
		case <-p.done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-p.done
		}
	})
	return p
}

func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// tasksApp is the tasks binary running on a free loopback port.
type tasksApp struct {
	*proc
	addr string // host:port it listens on
}

const signingKey = "deploytest-signing-key-0123456789abcdef"

// startTasks runs the tasks binary on 127.0.0.1, a fresh SQLite database
// and the contract's user vitor / 123, trusting 127.0.0.1 as its proxy,
// with the extra flags args.
func startTasks(t *testing.T, bin string, args ...string) *tasksApp {
	t.Helper()
	return startTasksIn(t, bin, t.TempDir(), args...)
}

// startTasksIn is startTasks on the SQLite database under dir, with more
// arguments.
func startTasksIn(t *testing.T, bin, dir string, args ...string) *tasksApp {
	t.Helper()
	return runTasks(t, bin, append([]string{"-addr", "127.0.0.1:0", "-data", dir, "-database-url=",
		"-create-user", "vitor:123", "-trusted-proxy", "127.0.0.1/32"}, args...)...)
}

// runTasks runs the tasks binary with args and the test's signing key, and
// waits until it listens.
func runTasks(t *testing.T, bin string, args ...string) *tasksApp {
	t.Helper()
	cmd := exec.Command(bin, args...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "DATABASE_URL=") && !strings.HasPrefix(kv, "JWT_SIGNING_KEY=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "JWT_SIGNING_KEY="+signingKey)
	a := &tasksApp{proc: start(t, cmd, syscall.SIGTERM)}
	deadline := time.Now().Add(60 * time.Second)
	for a.addr == "" {
		for _, rec := range a.out.records() {
			if rec["msg"] == "listening" {
				a.addr, _ = rec["addr"].(string)
			}
		}
		if a.addr != "" {
			break
		}
		if a.exited() || time.Now().After(deadline) {
			t.Fatalf("tasks did not start listening (exited: %v, %v); its output:\n%s", a.exited(), a.err, a.out)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return a
}

// requests returns the access log's records for path, in order.
func (a *tasksApp) requests(path string) []map[string]any {
	var out []map[string]any
	for _, rec := range a.out.records() {
		if rec["msg"] == "request" && (path == "" || rec["path"] == path) {
			out = append(out, rec)
		}
	}
	return out
}

// nginx is the real nginx, run in the foreground from a temporary prefix.
type nginx struct {
	*proc
	prefix string
	addr   string // host:port it listens on
}

// startNginx derives a configuration from deploy/nginx/tasks.conf that
// proxies to upstream, and runs nginx with it on a free loopback port.
func startNginx(t *testing.T, upstream string) *nginx {
	t.Helper()
	site, err := os.ReadFile(filepath.Join(repoRoot(t), "deploy", "nginx", "tasks.conf"))
	if err != nil {
		t.Fatal(err)
	}
	usr, err := RootUser()
	if err != nil {
		t.Fatal(err)
	}
	var lastErr string
	for attempt := 0; attempt < 5; attempt++ {
		prefix := t.TempDir()
		addr := freePort(t)
		conf, err := Derive(string(site), Options{Listen: addr, Upstream: upstream, Prefix: prefix, User: usr})
		if err != nil {
			t.Fatal(err)
		}
		confPath := filepath.Join(prefix, "nginx.conf")
		if err := os.WriteFile(confPath, []byte(conf), 0o644); err != nil {
			t.Fatal(err)
		}
		n := &nginx{prefix: prefix, addr: addr}
		n.proc = start(t, exec.Command(nginxBin, "-p", prefix, "-c", confPath, "-e", filepath.Join(prefix, "error.log")), syscall.SIGQUIT)
		if n.waitListening(10 * time.Second) {
			return n
		}
		errLog, _ := os.ReadFile(filepath.Join(prefix, "error.log"))
		lastErr = fmt.Sprintf("%s%s\nconfiguration:\n%s", n.out, errLog, conf)
		if !strings.Contains(string(errLog), "Address already in use") {
			break
		}
	}
	t.Fatalf("nginx did not start:\n%s", lastErr)
	return nil
}

func (n *nginx) waitListening(d time.Duration) bool {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) && !n.exited() {
		c, err := net.DialTimeout("tcp", n.addr, time.Second)
		if err == nil {
			c.Close()
			return true
		}
		time.Sleep(20 * time.Millisecond)
	}
	return false
}

// freePort returns a loopback address that was free a moment ago.
func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// dialFrom returns a DialContext that connects from the local address ip,
// so that a proxy sees a client address of its own (any 127.0.0.0/8
// address is the loopback interface's on Linux).
func dialFrom(ip string) func(ctx context.Context, network, addr string) (net.Conn, error) {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 5 * time.Second}
	return d.DialContext
}

// isRefused reports whether err is a refused connection: nothing listened.
func isRefused(err error) bool { return errors.Is(err, syscall.ECONNREFUSED) }
