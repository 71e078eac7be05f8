package chaos

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard"
)

// keyServerIssuer is an issuer of ES256 tokens under kid, on a key of its
// own; retired keys are published beside its own.
func keyServerIssuer(t *testing.T, kid string, retired ...*jwtguard.Key) (*jwtguard.Issuer, *jwtguard.SigningKey) {
	t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	sk, err := jwtguard.NewSigningKey(kid, priv, jwtguard.ES256)
	if err != nil {
		t.Fatal(err)
	}
	iss, err := jwtguard.NewIssuer(sk, jwtguard.NewMemoryStore(), jwtguard.WithRetiredKeys(retired...))
	if err != nil {
		t.Fatal(err)
	}
	return iss, sk
}

// jwksOf returns the JWK Set an issuer publishes.
func jwksOf(iss *jwtguard.Issuer) []byte {
	w := httptest.NewRecorder()
	iss.JWKS(time.Minute).ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/", nil))
	return w.Body.Bytes()
}

func accessToken(t *testing.T, iss *jwtguard.Issuer) string {
	t.Helper()
	p, err := iss.Issue(context.Background(), "1")
	if err != nil {
		t.Fatal(err)
	}
	return p.Access
}

// TestKeyServerFaults: the key server is, in turn, down, failing (500),
// sending garbage and hanging, while a key is rotated in. Tokens of known
// keys pass throughout, promptly; tokens of unknown kids are refused
// within the fetch wait; fetches stay one at a time; and the rotated-in
// key passes soon after the key server is back.
func TestKeyServerFaults(t *testing.T) {
	a, aKey := keyServerIssuer(t, "a")
	b, _ := keyServerIssuer(t, "b", aKey.VerificationKey())
	stranger, _ := keyServerIssuer(t, "x")
	setA, setAB := jwksOf(a), jwksOf(b)

	const (
		okMode = iota
		failing
		garbage
	)
	var mode atomic.Int32
	var body atomic.Pointer[[]byte]
	body.Store(&setA)
	var inFlight, peak atomic.Int32
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
		}
		switch mode.Load() {
		case failing:
			http.Error(w, "upstream failed", http.StatusInternalServerError)
		case garbage:
			w.Write([]byte(`{"keys":[{"kty":"EC","crv":"P-256","x":"not base64!"}]`))
		default:
			w.Write(*body.Load())
		}
	}))
	t.Cleanup(origin.Close)
	proxy := newFaultProxy(t, origin.Listener.Addr().String())

	const fetchWait = 200 * time.Millisecond
	keys, err := jwtguard.NewRemoteKeySet("http://"+proxy.addr()+"/jwks.json",
		jwtguard.WithFetchTimeout(2*time.Second), jwtguard.WithMinRefetchGap(500*time.Millisecond),
		jwtguard.WithFetchWait(fetchWait), jwtguard.WithRefreshInterval(time.Minute, 300*time.Millisecond, time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { keys.Close() })
	v, err := jwtguard.NewVerifier(keys)
	if err != nil {
		t.Fatal(err)
	}
	srv := serveGuarded(t, v, func(*http.ServeMux) {})

	known, unknown, rotated := accessToken(t, a), accessToken(t, stranger), accessToken(t, b)
	l := &load{url: srv.URL, client: &http.Client{Timeout: 20 * time.Second}, start: time.Now(), done: make(chan struct{})}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				case <-time.After(10 * time.Millisecond):
				}
				if w == 0 {
					l.read("unknown kid", unknown)
				} else {
					l.read("known key", known)
				}
			}
		}()
	}

	phase := func(d time.Duration, set func()) { set(); time.Sleep(d) }
	fault := time.Now()
	phase(500*time.Millisecond, proxy.cut) // down
	phase(time.Second, func() { proxy.restore(); mode.Store(failing) })
	phase(time.Second, func() { mode.Store(garbage) })
	phase(2*time.Second, func() { mode.Store(okMode); body.Store(&setAB); proxy.freeze() }) // hanging, b published behind it
	proxy.unfreeze()
	ended := time.Now()
	var acceptedAfter time.Duration
	for deadline := ended.Add(5 * time.Second); ; {
		if l.read("rotated-in key", rotated) == http.StatusOK {
			acceptedAfter = time.Since(ended)
			break
		}
		if time.Now().After(deadline) {
			t.Errorf("the key rotated in during the faults is still refused 5 s after the key server came back")
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	close(stop)
	wg.Wait()

	tl := l.timeline(fault, ended)
	var slowKnown, slowUnknown time.Duration
	for _, e := range tl.events {
		switch e.kind {
		case "known key":
			slowKnown = max(slowKnown, e.took)
			if e.status != http.StatusOK {
				t.Errorf("a token of a known key at %v: %d", tl.rel(e.at), e.status)
			}
		case "unknown kid":
			slowUnknown = max(slowUnknown, e.took)
			if e.status != http.StatusUnauthorized {
				t.Errorf("a token of an unknown kid at %v: %d", tl.rel(e.at), e.status)
			}
		}
	}
	if slowKnown > time.Second {
		t.Errorf("a token of a known key took %v", slowKnown)
	}
	if slowUnknown > fetchWait+time.Second {
		t.Errorf("a token of an unknown kid took %v, the fetch wait is %v", slowUnknown, fetchWait)
	}
	if p := peak.Load(); p > 1 {
		t.Errorf("%d fetches in flight at once", p)
	}
	t.Logf("slowest known-key answer %v, slowest unknown-kid answer %v, rotated-in key accepted %v after the key server came back",
		slowKnown, slowUnknown, acceptedAfter)
	t.Log("timeline:\n" + tl.table())
}
