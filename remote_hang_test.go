package jwtguard

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"
)

// hangingJWKS answers its first request with a key set, then accepts every
// later one and never answers, until the client gives up. It records when
// each hung fetch began, and the most fetches in flight at once.
type hangingJWKS struct {
	*httptest.Server
	mu             sync.Mutex
	served         bool
	began, ended   []time.Time
	inFlight, peak int
}

func newHangingJWKS(t *testing.T, keys ...*signer) *hangingJWKS {
	var pub []*Key
	for _, k := range keys {
		pub = append(pub, k.sk.VerificationKey())
	}
	body := encodeJWKSet(pub)
	h := &hangingJWKS{}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.mu.Lock()
		if !h.served {
			h.served = true
			h.mu.Unlock()
			w.Write(body)
			return
		}
		h.began = append(h.began, time.Now())
		h.inFlight++
		h.peak = max(h.peak, h.inFlight)
		h.mu.Unlock()
		<-r.Context().Done()
		h.mu.Lock()
		h.inFlight--
		h.mu.Unlock()
	}))
	t.Cleanup(h.Close)
	return h
}

// TestRemoteHangingEndpoint: with a key server that accepts connections and
// never answers, a token with an unknown kid is refused after the fetch
// wait, not the fetch timeout; one fetch at most is in flight however many
// requests come; after a fetch failed, requests cause no other for a gap
// measured from its end; and tokens of known keys keep passing.
func TestRemoteHangingEndpoint(t *testing.T) {
	ctx := context.Background()
	a := newSigner(t, "a", ES256)
	srv := newHangingJWKS(t, a)
	const (
		fetchTimeout = 600 * time.Millisecond
		gap          = 500 * time.Millisecond
	)
	_, v := newRemote(t, srv.URL, WithFetchTimeout(fetchTimeout), WithMinRefetchGap(gap),
		WithFetchWait(50*time.Millisecond))

	// A long fetch timeout, to show that the request waits for the bound.
	hung := newHangingJWKS(t)
	hung.served = true // it hangs from the first request
	slow, err := NewRemoteKeySet(hung.URL, WithStartEmpty(), WithFetchTimeout(hangLimitRemote),
		WithFetchWait(50*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { slow.Close() })
	start := time.Now()
	_, err = slow.Keys(ctx, KeyQuery{Alg: ES256, KeyID: "unknown"})
	if took := time.Since(start); !errors.Is(err, ErrUnknownKey) || took >= hangLimitRemote/2 {
		t.Errorf("unknown kid with the key server hung: %v after %v, want ErrUnknownKey well before the fetch timeout %v",
			err, took, hangLimitRemote)
	}

	good := a.token(t, "")
	stop := time.Now().Add(3 * gap)
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; time.Now().Before(stop); i++ {
				if _, err := v.Verify(ctx, a.token(t, "forged-"+strconv.Itoa(w)+"-"+strconv.Itoa(i))); err == nil {
					t.Error("a token of an unknown kid passed")
				}
				if _, err := v.Verify(ctx, good); err != nil {
					t.Errorf("a token of a known key failed while the key server hung: %v", err)
				}
			}
		}()
	}
	wg.Wait()
	time.Sleep(fetchTimeout) // let the last hung fetch end

	srv.mu.Lock()
	defer srv.mu.Unlock()
	if srv.peak > 1 {
		t.Errorf("%d fetches in flight at once, want one at most", srv.peak)
	}
	if len(srv.began) < 2 {
		t.Fatalf("%d hung fetches, want at least two to measure the gap between them", len(srv.began))
	}
	// Measured from the starts the server saw: when it notices a client
	// gone is later, and by how much depends on the machine's load.
	for i := 1; i < len(srv.began); i++ {
		if apart := srv.began[i].Sub(srv.began[i-1]); apart < fetchTimeout+gap-100*time.Millisecond {
			t.Errorf("fetch %d began %v after the one before, which timed out after %v: want the gap %v after that",
				i, apart, fetchTimeout, gap)
		}
	}
}

// hangLimitRemote is a fetch timeout far longer than any wait under test.
const hangLimitRemote = 20 * time.Second
