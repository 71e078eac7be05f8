package chaos

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard"
)

// skipOrFail skips a test for want of a service, or fails it under
// CI=true, where skipping would hide that nothing was tested.
func skipOrFail(tb testing.TB, msg string) {
	tb.Helper()
	if os.Getenv("CI") == "true" {
		tb.Fatal(msg + " (CI=true: failing instead of skipping)")
	}
	tb.Skip(msg)
}

// storeTimeout is the store deadline of the servers under test: short, so
// that a hung store's cost shows within a short run.
const storeTimeout = 500 * time.Millisecond

// users signs in anyone named u<N> with the password "pw", as user N.
var users = jwtguard.AuthenticatorFunc(func(_ context.Context, username, password string) (string, bool, error) {
	id, ok := strings.CutPrefix(username, "u")
	if _, err := strconv.Atoi(id); !ok || err != nil || password != "pw" {
		return "", false, jwtguard.ErrInvalidCredentials
	}
	return id, true, nil
})

// newTokenServer serves the token endpoints on store under /api/token/ and
// /hello/ behind a Guard that checks every access token against the store
// (no revocation cache, so that a revoked token that passes is the store's
// doing).
func newTokenServer(t *testing.T, store jwtguard.Store) *httptest.Server {
	t.Helper()
	key, err := jwtguard.NewSigningKey("", []byte("chaos-suite-secret-of-32-bytes!!"), jwtguard.HS256)
	if err != nil {
		t.Fatal(err)
	}
	iss, err := jwtguard.NewIssuer(key, store, jwtguard.WithAccessRevocation(0), jwtguard.WithStoreTimeout(storeTimeout))
	if err != nil {
		t.Fatal(err)
	}
	e, err := jwtguard.NewEndpoints(iss, users)
	if err != nil {
		t.Fatal(err)
	}
	v, err := iss.Verifier()
	if err != nil {
		t.Fatal(err)
	}
	return serveGuarded(t, v, func(mux *http.ServeMux) { e.Register(mux, "/api/token/") })
}

// serveGuarded serves /hello/ behind a Guard with v, and whatever more
// mount adds.
func serveGuarded(t *testing.T, v *jwtguard.Verifier, mount func(*http.ServeMux)) *httptest.Server {
	t.Helper()
	g, err := jwtguard.NewGuard(v)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mount(mux)
	mux.Handle("GET /hello/", g.Require(jwtguard.IsAuthenticated())(http.HandlerFunc(
		func(w http.ResponseWriter, r *http.Request) {
			tok, _ := jwtguard.FromRequest(r)
			io.WriteString(w, "hello "+tok.Subject())
		})))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// event is one request of the load: what it was, when it started, what
// came back and how long it took. Status 0: no answer.
type event struct {
	kind       string
	at         time.Time
	status     int
	retryAfter bool
	took       time.Duration
}

// Kinds of request. A probe presents a token that was revoked: a logged
// out session's access token, or one of its spent refresh tokens.
const (
	kindSignIn       = "sign-in"
	kindRead         = "read"
	kindRefresh      = "refresh"
	kindLogout       = "logout"
	kindProbeAccess  = "probe: revoked access token"
	kindProbeRefresh = "probe: spent refresh token of a logged-out session"
	kindRetryRefresh = "refresh retried after a 503"
)

// load drives a token server as clients do: each worker signs in, reads,
// refreshes (retrying once after a 503, with the same token, as a client
// that never saw the answer does) and logs out, and presents tokens of
// sessions it logged out, which must never pass again.
type load struct {
	url    string
	client *http.Client
	start  time.Time
	done   chan struct{} // closed when every worker has stopped

	mu      sync.Mutex
	events  []event
	revoked []string // access tokens of logged-out sessions
	spent   []string // refresh tokens of logged-out sessions
}

// session is a worker's signed-in state.
type session struct {
	access, refresh string
	spent           []string // its refresh tokens spent by rotation
}

// runLoad runs workers against url until stop is closed, each pausing
// pause between requests.
func runLoad(url string, workers int, pause time.Duration, stop <-chan struct{}) *load {
	l := &load{url: url, client: &http.Client{Timeout: 20 * time.Second}, start: time.Now(), done: make(chan struct{})}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			l.worker(w, pause, stop)
		}()
	}
	go func() { wg.Wait(); close(l.done) }()
	return l
}

func (l *load) worker(w int, pause time.Duration, stop <-chan struct{}) {
	var s *session
	user := "u" + strconv.Itoa(w+1)
	for i := 0; ; i++ {
		select {
		case <-stop:
			return
		case <-time.After(pause):
		}
		switch {
		case s == nil:
			s = l.signIn(user)
		case i%5 == 0:
			s = l.refresh(s)
		case i%13 == 0:
			l.logout(s)
			s = nil
		default:
			if l.read(kindRead, s.access) == http.StatusUnauthorized {
				s = nil // signed out by the server: sign in again
			}
		}
		if i%3 == 0 {
			l.probe()
		}
	}
}

func (l *load) signIn(user string) *session {
	st, pair := l.post(kindSignIn, "/api/token/", map[string]string{"username": user, "password": "pw"})
	if st != http.StatusOK {
		return nil
	}
	return &session{access: pair["access"], refresh: pair["refresh"]}
}

// refresh rotates s; after a 503 it tries once more with the same token.
func (l *load) refresh(s *session) *session {
	st, pair := l.post(kindRefresh, "/api/token/refresh/", map[string]string{"refresh": s.refresh})
	if st == http.StatusServiceUnavailable {
		st, pair = l.post(kindRetryRefresh, "/api/token/refresh/", map[string]string{"refresh": s.refresh})
	}
	switch st {
	case http.StatusOK:
		return &session{access: pair["access"], refresh: pair["refresh"], spent: append(s.spent, s.refresh)}
	case http.StatusUnauthorized:
		return nil
	}
	return s
}

func (l *load) logout(s *session) {
	st, _ := l.post(kindLogout, "/api/token/blacklist/", map[string]string{"refresh": s.refresh})
	if st != http.StatusOK {
		return
	}
	l.mu.Lock()
	l.revoked = append(l.revoked, s.access)
	l.spent = append(l.spent, s.spent...)
	l.spent = append(l.spent, s.refresh)
	l.mu.Unlock()
}

// probe presents a revoked access token and a spent refresh token of a
// logged-out session, when there are some.
func (l *load) probe() {
	l.mu.Lock()
	var access, refresh string
	if len(l.revoked) > 0 {
		access = l.revoked[rand.IntN(len(l.revoked))]
	}
	if len(l.spent) > 0 {
		refresh = l.spent[rand.IntN(len(l.spent))]
	}
	l.mu.Unlock()
	if access != "" {
		l.read(kindProbeAccess, access)
	}
	if refresh != "" {
		l.post(kindProbeRefresh, "/api/token/refresh/", map[string]string{"refresh": refresh})
	}
}

func (l *load) read(kind, access string) int {
	req, _ := http.NewRequest(http.MethodGet, l.url+"/hello/", nil)
	req.Header.Set("Authorization", "Bearer "+access)
	st, _ := l.do(kind, req)
	return st
}

func (l *load) post(kind, path string, body map[string]string) (int, map[string]string) {
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(http.MethodPost, l.url+path, strings.NewReader(string(b)))
	req.Header.Set("Content-Type", "application/json")
	st, resp := l.do(kind, req)
	var out map[string]string
	json.Unmarshal(resp, &out)
	return st, out
}

func (l *load) do(kind string, req *http.Request) (int, []byte) {
	start := time.Now()
	resp, err := l.client.Do(req)
	e := event{kind: kind, at: start}
	var body []byte
	if err == nil {
		body, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
		e.status, e.retryAfter = resp.StatusCode, resp.Header.Get("Retry-After") != ""
	}
	e.took = time.Since(start)
	l.mu.Lock()
	l.events = append(l.events, e)
	l.mu.Unlock()
	return e.status, body
}

// timeline is the record of a run with a fault between two instants.
type timeline struct {
	events              []event
	start, fault, ended time.Time // load start, fault injected, fault ended
}

func (l *load) timeline(fault, ended time.Time) timeline {
	l.mu.Lock()
	defer l.mu.Unlock()
	return timeline{events: append([]event(nil), l.events...), start: l.start, fault: fault, ended: ended}
}

// check asserts what must hold through any fault: a revoked token never
// passes, no 5xx but 503, every 503 with Retry-After, every request
// answered within maxLatency; and that reads succeed again within
// recovery of the fault's end.
func (tl timeline) check(t *testing.T, maxLatency, recovery time.Duration) {
	t.Helper()
	var slowest time.Duration
	recovered := time.Time{}
	for _, e := range tl.events {
		slowest = max(slowest, e.took)
		switch {
		case e.status == 0:
			t.Errorf("%s at %v: no answer after %v", e.kind, tl.rel(e.at), e.took)
		case e.status == http.StatusOK && (e.kind == kindProbeAccess || e.kind == kindProbeRefresh):
			t.Errorf("%s at %v: 200, a revoked token passed", e.kind, tl.rel(e.at))
		case e.status >= 500 && e.status != http.StatusServiceUnavailable:
			t.Errorf("%s at %v: %d", e.kind, tl.rel(e.at), e.status)
		case e.status == http.StatusServiceUnavailable && !e.retryAfter:
			t.Errorf("%s at %v: 503 without Retry-After", e.kind, tl.rel(e.at))
		}
		if e.took > maxLatency {
			t.Errorf("%s at %v took %v, more than %v", e.kind, tl.rel(e.at), e.took, maxLatency)
		}
		if e.kind == kindRead && e.status == http.StatusOK && e.at.After(tl.ended) && recovered.IsZero() {
			recovered = e.at
		}
	}
	switch {
	case recovered.IsZero():
		t.Errorf("no read succeeded after the fault ended")
	case recovered.Sub(tl.ended) > recovery:
		t.Errorf("first successful read %v after the fault ended, want within %v", recovered.Sub(tl.ended), recovery)
	default:
		t.Logf("first successful read %v after the fault ended; slowest answer %v", recovered.Sub(tl.ended), slowest)
	}
	t.Log("timeline (each row half a second; the fault between the marks):\n" + tl.table())
}

// rel is an instant relative to the load's start.
func (tl timeline) rel(at time.Time) string {
	return fmt.Sprintf("t+%.2fs", at.Sub(tl.start).Seconds())
}

// table counts the answers per half second, by kind and status.
func (tl timeline) table() string {
	const step = 500 * time.Millisecond
	rows := map[int]map[string]int{}
	last := 0
	for _, e := range tl.events {
		i := int(e.at.Sub(tl.start) / step)
		if rows[i] == nil {
			rows[i] = map[string]int{}
		}
		rows[i][e.kind+" "+strconv.Itoa(e.status)]++
		last = max(last, i)
	}
	var b strings.Builder
	for i := 0; i <= last; i++ {
		at := tl.start.Add(time.Duration(i) * step)
		mark := " "
		if at.Before(tl.ended) && at.Add(step).After(tl.fault) {
			mark = "!"
		}
		var cells []string
		for k, n := range rows[i] {
			cells = append(cells, k+":"+strconv.Itoa(n))
		}
		slices.Sort(cells)
		fmt.Fprintf(&b, "%s t+%4.1fs %s\n", mark, float64(i)*step.Seconds(), strings.Join(cells, "  "))
	}
	return b.String()
}

// count returns how many events of kind got status.
func (tl timeline) count(kind string, status int) int {
	n := 0
	for _, e := range tl.events {
		if e.kind == kind && e.status == status {
			n++
		}
	}
	return n
}

// underFault runs the load against url: warm before inject, hold with the
// fault, then after once end has ended it. It returns the timeline.
func underFault(t *testing.T, url string, warm, hold, after time.Duration, inject, end func()) timeline {
	t.Helper()
	stop := make(chan struct{})
	l := runLoad(url, 4, 10*time.Millisecond, stop)
	time.Sleep(warm)
	fault := time.Now()
	inject()
	time.Sleep(hold)
	end()
	ended := time.Now()
	time.Sleep(after)
	close(stop)
	<-l.done
	return l.timeline(fault, ended)
}
