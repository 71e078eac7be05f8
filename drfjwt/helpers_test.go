package drfjwt_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"hash"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard"
	"github.com/jwtguard/jwtguard/drfjwt"
)

// secret is the shared secret of the recorded contract's app
// (DRFJWT-CONTRACT.md, JWT_SECRET_KEY).
const secret = "drf-anchor-shared-test-secret"

// day0 is 2026-12-04T00:00:00Z, the day of the recording: a transcript's
// Date header is day0 plus its time of day.
const day0 = 1796342400

// at returns the Unix time of hh:mm:ss on the recording's day.
func at(hh, mm, ss int64) int64 { return day0 + hh*3600 + mm*60 + ss }

// clock is a settable test clock, in whole seconds.
type clock struct{ secs atomic.Int64 }

func (c *clock) now() time.Time { return time.Unix(c.secs.Load(), 0) }
func (c *clock) set(secs int64) { c.secs.Store(secs) }

// accounts is the contract app's user table: vitor / 123 (id 1), and
// newuser, registered and not yet activated.
type accounts struct {
	mu    sync.Mutex
	users map[string]drfjwt.User
	pass  map[string]string
	calls atomic.Int64
	fail  atomic.Bool // every call fails: the database is down
}

func newAccounts() *accounts {
	return &accounts{
		users: map[string]drfjwt.User{
			"vitor":   {ID: "1", Username: "vitor", Email: "vitor@example.com", Active: true},
			"newuser": {ID: "45", Username: "newuser", Email: "newuser@example.com"},
		},
		pass: map[string]string{"vitor": "123", "newuser": "s3cret-pass"},
	}
}

var errDown = errAccounts("database is down")

type errAccounts string

func (e errAccounts) Error() string { return string(e) }

func (a *accounts) Authenticate(_ context.Context, username, password string) (drfjwt.User, error) {
	a.calls.Add(1)
	if a.fail.Load() {
		return drfjwt.User{}, errDown
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	u, ok := a.users[username]
	if !ok || a.pass[username] != password {
		return drfjwt.User{}, jwtguard.ErrInvalidCredentials
	}
	return u, nil
}

func (a *accounts) Lookup(_ context.Context, username string) (drfjwt.User, error) {
	a.calls.Add(1)
	if a.fail.Load() {
		return drfjwt.User{}, errDown
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	u, ok := a.users[username]
	if !ok {
		return drfjwt.User{}, jwtguard.ErrUserNotFound
	}
	return u, nil
}

func (a *accounts) setActive(username string, active bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	u := a.users[username]
	u.Active = active
	a.users[username] = u
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// newProfile returns the contract app's profile: HS256 over the shared
// secret, one-hour tokens, the seven-day window, on clk.
func newProfile(t testing.TB, users drfjwt.Accounts, clk *clock, opts ...drfjwt.Option) *drfjwt.Profile {
	t.Helper()
	key, err := jwtguard.NewSigningKey("", []byte(secret), jwtguard.HS256)
	must(t, err)
	p, err := drfjwt.New(key, users, append([]drfjwt.Option{drfjwt.WithExpiration(time.Hour),
		drfjwt.WithRefreshWindow(7 * 24 * time.Hour), drfjwt.WithClock(clk.now)}, opts...)...)
	must(t, err)
	return p
}

// contractServer serves the contract app's token views (the tutorial's
// paths without "$", and the library's aliases), /hello/ (IsAuthenticated)
// and /tasks/ (IsAuthenticatedOrReadOnly), through p.
func contractServer(t testing.TB, p *drfjwt.Profile) *httptest.Server {
	t.Helper()
	guard, err := p.Guard()
	must(t, err)
	return contractServerWith(t, p, guard)
}

// contractServerWith is contractServer with the Guard given.
func contractServerWith(t testing.TB, p *drfjwt.Profile, guard *jwtguard.Guard) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	for _, path := range []string{"/auth/obtain_token/", "/api-token-auth/", "/api-auth/"} {
		mux.Handle(path, p.Obtain())
	}
	for _, path := range []string{"/auth/refresh_token/", "/api-token-refresh/"} {
		mux.Handle(path, p.Refresh())
	}
	for _, path := range []string{"/auth/verify_token/", "/api-token-verify/"} {
		mux.Handle(path, p.Verify())
	}
	mux.Handle("/hello/{$}", guard.Require(jwtguard.IsAuthenticated())(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, ok := jwtguard.UserFromRequest[drfjwt.User](r)
		if !ok {
			http.Error(w, "no user", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"message":"Hello, `+u.Username+`"}`)
	})))
	mux.Handle("/tasks/{$}", guard.Require(jwtguard.IsAuthenticatedOrReadOnly())(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.Method == http.MethodPost {
			w.WriteHeader(http.StatusCreated)
			io.WriteString(w, `{"id":1}`)
			return
		}
		io.WriteString(w, `[]`)
	})))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// sign signs a header and payload, both JSON written as given, with HMAC
// (alg HS256, HS384 or HS512) or nothing ("none"): test tokens of every
// shape, made apart from the code under test.
func sign(headerJSON, payloadJSON, key string) string {
	b64 := base64.RawURLEncoding
	input := b64.EncodeToString([]byte(headerJSON)) + "." + b64.EncodeToString([]byte(payloadJSON))
	var h func() hash.Hash
	switch {
	case strings.Contains(headerJSON, `"HS256"`):
		h = sha256.New
	case strings.Contains(headerJSON, `"HS384"`):
		h = sha512.New384
	case strings.Contains(headerJSON, `"HS512"`):
		h = sha512.New
	default:
		return input + "."
	}
	m := hmac.New(h, []byte(key))
	m.Write([]byte(input))
	return input + "." + b64.EncodeToString(m.Sum(nil))
}

const oldHeader = `{"typ":"JWT","alg":"HS256"}`

type reply struct {
	status int
	header http.Header
	body   string
}

func do(t testing.TB, method, url, contentType, body string, header ...string) reply {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	must(t, err)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Add(header[i], header[i+1])
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	must(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	must(t, err)
	return reply{resp.StatusCode, resp.Header, string(b)}
}

type drfjwtOption = drfjwt.Option

func withPrefix(p string) drfjwt.Option { return drfjwt.WithPrefix(p) }

// multipartBody writes the fields of a form-encoded string as a
// multipart body, as curl -F does.
func multipartBody(t testing.TB, form string) (string, string) {
	t.Helper()
	var b strings.Builder
	w := multipart.NewWriter(&b)
	q, err := url.ParseQuery(form)
	must(t, err)
	for k, v := range q {
		must(t, w.WriteField(k, v[0]))
	}
	must(t, w.Close())
	return b.String(), w.FormDataContentType()
}

func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

// payloadOf returns a token's decoded claims set.
func payloadOf(tok string) string {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return ""
	}
	b, _ := base64.RawURLEncoding.DecodeString(parts[1])
	return string(b)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func stringsReader(s string) io.Reader { return strings.NewReader(s) }

func withLogger(l *slog.Logger) drfjwt.Option { return drfjwt.WithLogger(l) }

func withThrottle(th *jwtguard.LoginThrottle) drfjwt.Option { return drfjwt.WithLoginThrottle(th) }

func newPost(body string) *http.Request {
	req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
	req.Header.Set("Content-Type", ctJSON)
	return req
}

// serve runs h on req in process.
func serve(h http.Handler, req *http.Request) reply {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return reply{w.Code, w.Header(), w.Body.String()}
}
