// Package django runs the Django REST framework + simplejwt project of
// interop/testdata/django for a test, and talks to it over HTTP.
//
// [Start] migrates a fresh SQLite database in the test's temporary directory,
// creates the users below, serves the project with Django's development
// server on a free port of 127.0.0.1 and stops it when the test ends. The
// project's settings are those of the recorded contract
// (shared/reference/DRF-CONTRACT.md): HS256 with the secret given to Start,
// access tokens for 5 minutes, refresh tokens for a day, rotation with
// blacklisting, user_id as the user claim, "Bearer" as the only scheme.
//
// It needs /usr/bin/python3 with the Debian packages of Django, Django REST
// framework and simplejwt (python3-djangorestframework-simplejwt and its
// dependencies; scripts/ci/django.sh installs them). Without them a test that
// calls Start is skipped, or fails when the environment variable CI is true.
//
// The methods of [Server] that take a testing.TB stop the test with Fatal on
// a transport error, so call them from the test's own goroutine. Everything
// else about a response, its status included, is the caller's to check.
package django

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Python is the interpreter that runs Django: the system one, which sees the
// Debian packages (a python3 earlier on PATH may not).
const Python = "/usr/bin/python3"

// The users every database is seeded with.
const (
	// Username and Password log in the active user, whose id is UserID.
	Username = "vitor"
	Password = "123"
	UserID   = "1"

	// InactiveUsername and InactivePassword are those of a user whose
	// is_active is false, and whose id is InactiveUserID. Django issues no
	// tokens for it and refuses its tokens with "User is inactive".
	InactiveUsername = "inactive"
	InactivePassword = "123"
	InactiveUserID   = "2"
)

const (
	// startTimeout bounds the wait for the server to answer.
	startTimeout = 30 * time.Second
	// commandTimeout bounds setupdb and the import check.
	commandTimeout = 2 * time.Minute
	// requestTimeout bounds one request to the server.
	requestTimeout = 15 * time.Second
	// stopTimeout is how long the server gets to exit after SIGTERM.
	stopTimeout = 5 * time.Second
)

// Server is a running Django project. Its methods are safe for concurrent
// use, but see the package documentation about testing.TB.
type Server struct {
	// URL is the server's base URL, "http://127.0.0.1:<port>", without a
	// trailing slash.
	URL string
	// Secret is the HS256 signing key Django signs and verifies tokens with.
	Secret string

	// Database is the project's database as jwtguarddjango.Open takes
	// it: "sqlite:///…/db.sqlite3", or a postgres:// URL whose
	// search_path is the project's own schema.
	Database string

	client *http.Client
	logs   *logBuffer
	dir    string
	env    []string
}

// Options are the choices of [StartWith].
type Options struct {
	// PostgresDSN, when set, is a PostgreSQL server (a postgres:// URL) on
	// which the project keeps its tables, in a schema of its own, dropped
	// when the test ends. Empty: a SQLite file.
	PostgresDSN string
	// OneWinnerRefresh makes the refresh endpoint rotate a token only when
	// its own blacklisting created the row (hello/serializers.py), so that
	// of two services sharing the blacklist only one rotates a token.
	OneWinnerRefresh bool
}

// Response is an HTTP response of the server, its body read in full.
type Response struct {
	Status int
	Header http.Header
	Body   string
}

// Start serves a fresh copy of the Django project, signing with secret, for
// the duration of t. It skips t when Python or the packages are missing
// (fails it instead when CI is true), and fails t when Django cannot be set
// up or does not answer within 30 seconds. Django's output is logged when t
// has failed by the time it ends.
func Start(t testing.TB, secret string) *Server {
	t.Helper()
	return StartWith(t, secret, Options{})
}

// StartWith is [Start] with options.
func StartWith(t testing.TB, secret string, o Options) *Server {
	t.Helper()
	if secret == "" {
		t.Fatal("django.Start: empty secret")
	}
	if err := available(); err != nil {
		msg := fmt.Sprintf("django: %v; install python3-djangorestframework-simplejwt (scripts/ci/django.sh does)", err)
		if inCI() {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	dir, err := projectDir()
	if err != nil {
		t.Fatalf("django: %v", err)
	}
	dbPath := filepath.Join(t.TempDir(), "db.sqlite3")
	env := environ(secret, dbPath)
	database := "sqlite://" + dbPath
	if o.PostgresDSN != "" {
		schema, url := postgresSchema(t, o.PostgresDSN)
		env = append(env, "INTEROP_POSTGRES_DSN="+o.PostgresDSN, "INTEROP_POSTGRES_SCHEMA="+schema)
		database = url
	}
	if o.OneWinnerRefresh {
		env = append(env, "INTEROP_ONE_WINNER_REFRESH=1")
	}

	manage(t, dir, env, "setupdb") // migrate, then create the users

	s := &Server{
		Database: database,
		dir:      dir,
		env:      env,
		Secret:   secret,
		client: &http.Client{
			Timeout:   requestTimeout,
			Transport: &http.Transport{Proxy: nil, MaxIdleConnsPerHost: 8},
			// Show redirects (APPEND_SLASH answers 301) as they are.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
	}
	t.Cleanup(s.client.CloseIdleConnections)

	// The free port may be taken between choosing it and Django binding
	// it: try again with another one.
	const attempts = 3
	for i := 1; ; i++ {
		err := s.serve(t, dir, env)
		if err == nil {
			return s
		}
		if errors.Is(err, errPortInUse) && i < attempts {
			t.Logf("django: %v; trying another port", err)
			continue
		}
		t.Fatalf("django: %v\nDjango's output:\n%s", err, s.Logs())
	}
}

var errPortInUse = errors.New("port already in use")

// serve starts runserver on a free port and waits until it answers. On
// success, s.URL and s.logs belong to the new process, which a cleanup of t
// stops. On failure the process is gone.
func (s *Server) serve(t testing.TB, dir string, env []string) error {
	port, err := freePort()
	if err != nil {
		return err
	}
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	logs := &logBuffer{}
	cmd := exec.Command(Python, "manage.py", "runserver", addr, "--noreload")
	cmd.Dir, cmd.Env = dir, env
	cmd.Stdout, cmd.Stderr = logs, logs
	cmd.WaitDelay = stopTimeout
	setProcessGroup(cmd)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start runserver: %w", err)
	}
	exited := make(chan struct{})
	var waitErr error
	go func() {
		waitErr = cmd.Wait()
		close(exited)
	}()
	stop := func() {
		_ = terminate(cmd)
		select {
		case <-exited:
		case <-time.After(stopTimeout):
			_ = kill(cmd)
			<-exited
		}
	}
	s.URL, s.logs = "http://"+addr, logs

	deadline := time.Now().Add(startTimeout)
	for {
		select {
		case <-exited:
			if strings.Contains(logs.String(), "already in use") {
				return fmt.Errorf("%s: %w", addr, errPortInUse)
			}
			return fmt.Errorf("runserver exited before answering: %v", waitErr)
		default:
		}
		if s.ready() {
			break
		}
		if time.Now().After(deadline) {
			stop()
			return fmt.Errorf("runserver did not answer on %s within %v", addr, startTimeout)
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Cleanup(func() {
		stop()
		if t.Failed() {
			t.Logf("Django's output (%s):\n%s", s.URL, logs.String())
		}
	})
	return nil
}

// ready reports whether the server answers an anonymous GET /hello/ as
// this project does, and so is not some other server on the port.
func (s *Server) ready() bool {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.URL+"/hello/", nil)
	if err != nil {
		return false
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode == http.StatusUnauthorized &&
		bytes.Contains(body, []byte("Authentication credentials were not provided."))
}

// Logs returns what Django has written so far: startup messages and a line
// per request.
func (s *Server) Logs() string {
	if s.logs == nil {
		return ""
	}
	return s.logs.String()
}

// Do sends req, whose URL is absolute, and reads the whole response.
func (s *Server) Do(t testing.TB, req *http.Request) Response {
	t.Helper()
	resp, err := s.client.Do(req)
	if err != nil {
		t.Fatalf("django: %s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("django: %s %s: reading the body: %v", req.Method, req.URL.Path, err)
	}
	return Response{Status: resp.StatusCode, Header: resp.Header, Body: string(body)}
}

// Get sends GET path ("/hello/"), with "Authorization: Bearer <bearer>" unless
// bearer is empty.
func (s *Server) Get(t testing.TB, path, bearer string) Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, s.URL+path, nil)
	if err != nil {
		t.Fatalf("django: GET %s: %v", path, err)
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	return s.Do(t, req)
}

// PostJSON sends POST path with body encoded as JSON
// (Content-Type: application/json). A json.RawMessage is sent as it is, once
// encoding/json has checked it.
func (s *Server) PostJSON(t testing.TB, path string, body any) Response {
	t.Helper()
	data, err := json.Marshal(body)
	if err != nil {
		t.Fatalf("django: POST %s: encoding the body: %v", path, err)
	}
	req, err := http.NewRequest(http.MethodPost, s.URL+path, bytes.NewReader(data))
	if err != nil {
		t.Fatalf("django: POST %s: %v", path, err)
	}
	req.Header.Set("Content-Type", "application/json")
	return s.Do(t, req)
}

// Login posts the credentials to /api/token/ and returns the response,
// whatever it is: 200 {"refresh":…,"access":…} or a refusal.
func (s *Server) Login(t testing.TB, username, password string) Response {
	t.Helper()
	return s.PostJSON(t, "/api/token/", map[string]string{"username": username, "password": password})
}

// Obtain logs in through /api/token/ and returns the token pair. It fails t
// unless Django answers 200 with both tokens.
func (s *Server) Obtain(t testing.TB, username, password string) (access, refresh string) {
	t.Helper()
	return s.pair(t, "/api/token/", s.Login(t, username, password))
}

// Hello sends GET /hello/ with the access token as a Bearer token ("" for
// none). Django answers 200 {"message":"Hello, <username>"} when it accepts
// the token.
func (s *Server) Hello(t testing.TB, access string) (status int, body string) {
	t.Helper()
	r := s.Get(t, "/hello/", access)
	return r.Status, r.Body
}

// Refresh posts the refresh token to /api/token/refresh/. Django answers 200
// {"access":…,"refresh":…} (rotating, and blacklisting the token given) or
// a refusal.
func (s *Server) Refresh(t testing.TB, refresh string) (status int, body string) {
	t.Helper()
	r := s.PostJSON(t, "/api/token/refresh/", map[string]string{"refresh": refresh})
	return r.Status, r.Body
}

// RefreshPair refreshes through /api/token/refresh/ and returns the new
// access token and the rotated refresh token. It fails t unless Django
// answers 200 with both.
func (s *Server) RefreshPair(t testing.TB, refresh string) (newAccess, newRefresh string) {
	t.Helper()
	r := s.PostJSON(t, "/api/token/refresh/", map[string]string{"refresh": refresh})
	return s.pair(t, "/api/token/refresh/", r)
}

// Verify posts the token, access or refresh, to /api/token/verify/. Django
// answers 200 {} for a token it accepts; 400 for a blacklisted refresh
// token; 401 for a token that is invalid or expired.
func (s *Server) Verify(t testing.TB, token string) (status int, body string) {
	t.Helper()
	r := s.PostJSON(t, "/api/token/verify/", map[string]string{"token": token})
	return r.Status, r.Body
}

// Blacklist posts the refresh token to /api/token/blacklist/. Django answers
// 200 {} and refuses the token from then on.
func (s *Server) Blacklist(t testing.TB, refresh string) (status int, body string) {
	t.Helper()
	r := s.PostJSON(t, "/api/token/blacklist/", map[string]string{"refresh": refresh})
	return r.Status, r.Body
}

func (s *Server) pair(t testing.TB, path string, r Response) (access, refresh string) {
	t.Helper()
	var p struct {
		Access  string `json:"access"`
		Refresh string `json:"refresh"`
	}
	if r.Status != http.StatusOK {
		t.Fatalf("django: POST %s: status %d, want 200; body %s", path, r.Status, r.Body)
	}
	if err := json.Unmarshal([]byte(r.Body), &p); err != nil || p.Access == "" || p.Refresh == "" {
		t.Fatalf("django: POST %s: want access and refresh tokens, got %s (%v)", path, r.Body, err)
	}
	return p.Access, p.Refresh
}

// Manage runs manage.py with args against the project's database, as an
// operator would, and returns its output. It fails t if the command
// fails.
func (s *Server) Manage(t testing.TB, args ...string) string {
	t.Helper()
	return manage(t, s.dir, s.env, args...)
}

// manage runs a management command to completion, failing t with its output
// if it fails.
func manage(t testing.TB, dir string, env []string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, Python, append([]string{"manage.py"}, args...)...)
	cmd.Dir, cmd.Env = dir, env
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("django: manage.py %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// available reports why Django cannot run here, once per process.
var available = sync.OnceValue(func() error {
	if _, err := os.Stat(Python); err != nil {
		return fmt.Errorf("%s not found", Python)
	}
	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, Python, "-c",
		"import django, rest_framework, rest_framework_simplejwt.token_blacklist")
	cmd.Env = environ("", "")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%s cannot import Django, DRF and simplejwt: %v: %s",
			Python, err, strings.TrimSpace(string(out)))
	}
	return nil
})

func inCI() bool {
	ci, _ := strconv.ParseBool(os.Getenv("CI"))
	return ci
}

// projectDir finds testdata/django of the interop module, next to this
// package's source.
func projectDir() (string, error) {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return "", errors.New("cannot locate the harness source")
	}
	dir := filepath.Join(filepath.Dir(file), "..", "..", "testdata", "django")
	if _, err := os.Stat(filepath.Join(dir, "manage.py")); err != nil {
		return "", fmt.Errorf("the Django project is missing: %w", err)
	}
	// Stat every file of the project: go test then caches a result only
	// for as long as the project is unchanged.
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			_, err = os.Stat(path)
		}
		return err
	})
	if err != nil {
		return "", fmt.Errorf("reading the Django project: %w", err)
	}
	return dir, nil
}

// environ is the environment of the Python processes: this one's, without
// anything that would point Python or Django elsewhere, plus the project's
// settings. Python writes no bytecode into the source tree.
func environ(secret, db string) []string {
	drop := []string{"PYTHONPATH=", "PYTHONHOME=", "PYTHONSTARTUP=", "DJANGO_SETTINGS_MODULE=",
		"JWT_SIGNING_KEY=", "INTEROP_SQLITE_PATH=", "INTEROP_POSTGRES_DSN=", "INTEROP_POSTGRES_SCHEMA=",
		"INTEROP_ONE_WINNER_REFRESH="}
	var env []string
outer:
	for _, kv := range os.Environ() {
		for _, p := range drop {
			if strings.HasPrefix(kv, p) {
				continue outer
			}
		}
		env = append(env, kv)
	}
	env = append(env, "PYTHONDONTWRITEBYTECODE=1", "PYTHONUNBUFFERED=1")
	if secret != "" {
		env = append(env, "JWT_SIGNING_KEY="+secret, "INTEROP_SQLITE_PATH="+db)
	}
	return env
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("finding a free port: %w", err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	return port, l.Close()
}

// logBuffer collects a process's output while tests read it.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// maxLogSize caps the output kept; the rest is dropped.
const maxLogSize = 1 << 20

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if room := maxLogSize - b.buf.Len(); room > 0 {
		b.buf.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
