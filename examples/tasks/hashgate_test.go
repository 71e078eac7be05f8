package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// gatedServer serves the app with gate as its hashing bound, behind a
// trusted proxy at 127.0.0.1 whose X-Forwarded-For names the client.
func gatedServer(t *testing.T, gate *hashGate) *httptest.Server {
	t.Helper()
	c, err := parseFlags([]string{"-data", t.TempDir(), "-create-user", "vitor:123", "-trusted-proxy", "127.0.0.1/32"},
		func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	c.gate = gate
	h, closeApp, err := newApp(context.Background(), c, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(closeApp)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

func postFrom(t *testing.T, url, client, body string) (int, http.Header) {
	t.Helper()
	req, _ := http.NewRequest("POST", url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Forwarded-For", client)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Error(err)
		return 0, nil
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode, res.Header
}

// A burst of registrations and sign-ins from many clients never runs more
// hashes at once than the gate allows; a request that waited too long for
// a slot gets 503 with Retry-After, never a queue of memory or a 500.
func TestHashingBounded(t *testing.T) {
	gate := newHashGate(2, 200*time.Millisecond)
	srv := gatedServer(t, gate)
	var wg sync.WaitGroup
	var mu sync.Mutex
	statuses := map[int]int{}
	for i := range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			client := "198.51.100." + strconv.Itoa(i+1)
			url, body := srv.URL+"/api-register/", `{"username":"u`+strconv.Itoa(i)+`","password":"a long enough pass"}`
			if i%4 == 0 {
				url, body = srv.URL+"/api/token/", `{"username":"vitor","password":"123"}`
			}
			status, h := postFrom(t, url, client, body)
			if status == http.StatusServiceUnavailable && h.Get("Retry-After") != "1" {
				t.Errorf("503 with Retry-After %q", h.Get("Retry-After"))
			}
			mu.Lock()
			statuses[status]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	if p := gate.peak.Load(); p > 2 {
		t.Errorf("%d hashes ran at once; the gate allows 2", p)
	}
	for status := range statuses {
		if status != 200 && status != 201 && status != 503 {
			t.Errorf("statuses %v: want only 200, 201 and 503", statuses)
		}
	}
	t.Logf("statuses %v, peak %d hashes at once", statuses, gate.peak.Load())
}

// Registrations are throttled per client address: past the budget, 429
// with Retry-After, as the sign-in throttle answers.
func TestRegisterThrottled(t *testing.T) {
	srv := gatedServer(t, newHashGate(4, time.Minute))
	for i := range registerRate {
		status, _ := postFrom(t, srv.URL+"/api-register/", "203.0.113.5", `{"username":"r`+strconv.Itoa(i)+`","password":"a long enough pass"}`)
		if status != http.StatusCreated {
			t.Fatalf("registration %d: %d", i+1, status)
		}
	}
	status, h := postFrom(t, srv.URL+"/api-register/", "203.0.113.5", `{"username":"one-more","password":"a long enough pass"}`)
	if status != http.StatusTooManyRequests || h.Get("Retry-After") == "" {
		t.Fatalf("registration past the budget: %d, Retry-After %q", status, h.Get("Retry-After"))
	}
	status, _ = postFrom(t, srv.URL+"/api-register/", "203.0.113.6", `{"username":"elsewhere","password":"a long enough pass"}`)
	if status != http.StatusCreated {
		t.Fatalf("another client's registration: %d", status)
	}
}

// A flood of registrations holds at most half of the hashing slots: a
// user signing in meanwhile is served, not answered 503.
func TestRegistrationsLeaveSignInSlots(t *testing.T) {
	srv := gatedServer(t, newHashGate(2, time.Millisecond)) // a sign-in hardly waits for a slot
	done := make(chan struct{})
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			postFrom(t, srv.URL+"/api-register/", "198.51.100."+strconv.Itoa(i+1), `{"username":"f`+strconv.Itoa(i)+`","password":"a long enough pass"}`)
		}()
	}
	go func() { wg.Wait(); close(done) }()
	for signIns := 0; ; signIns++ {
		select {
		case <-done:
			if signIns == 0 {
				t.Fatal("the flood ended before any sign-in was tried")
			}
			return
		default:
		}
		if status, _ := postFrom(t, srv.URL+"/api/token/", "203.0.113."+strconv.Itoa(signIns%250+1), `{"username":"vitor","password":"123"}`); status != http.StatusOK {
			t.Fatalf("sign-in %d during a registration flood: %d", signIns+1, status)
		}
	}
}
