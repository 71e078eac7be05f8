package jwtguard_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard"
)

// listingStore is a memory store that lists the refresh tokens it is told
// of, or fails to when fail is set.
type listingStore struct {
	jwtguard.Store
	mu     sync.Mutex
	issued map[string]string // jti -> token
	recs   map[string]jwtguard.Record
	fail   bool
}

func (s *listingStore) RecordIssued(_ context.Context, r jwtguard.Record, raw string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail {
		return errors.New("database is down")
	}
	s.issued[r.ID], s.recs[r.ID] = raw, r
	return nil
}

func listingServer(t *testing.T) (*httptest.Server, *listingStore) {
	t.Helper()
	key, err := jwtguard.NewSigningKey("", keysForTest.secret, jwtguard.HS256)
	must(t, err)
	store := &listingStore{Store: jwtguard.NewMemoryStore(), issued: map[string]string{}, recs: map[string]jwtguard.Record{}}
	iss, err := jwtguard.NewIssuer(key, store)
	must(t, err)
	e, err := jwtguard.NewEndpoints(iss, testUsers)
	must(t, err)
	mux := http.NewServeMux()
	e.Register(mux, "/api/token/")
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv, store
}

// Every refresh token the endpoints hand out, at sign-in and at rotation,
// is recorded by a store that lists them, with its jti, session and user.
func TestIssuedRefreshTokensRecorded(t *testing.T) {
	srv, store := listingServer(t)
	_, refresh := pairOf(t, postJSON(t, srv.URL+"/api/token/", map[string]string{"username": "vitor", "password": "123"}))
	_, rotated := pairOf(t, postJSON(t, srv.URL+"/api/token/refresh/", map[string]string{"refresh": refresh}))

	store.mu.Lock()
	defer store.mu.Unlock()
	if len(store.issued) != 2 {
		t.Fatalf("recorded %d refresh tokens, want 2", len(store.issued))
	}
	var sessions []string
	for _, raw := range []string{refresh, rotated} {
		c := payloadOf(t, raw)
		jti, _ := c["jti"].(string)
		if store.issued[jti] != raw {
			t.Fatalf("token with jti %s not recorded as issued", jti)
		}
		r := store.recs[jti]
		if r.Subject != "1" || r.Family != c["sid"] {
			t.Fatalf("record %+v: want subject 1 and the token's sid", r)
		}
		expSec, _ := c["exp"].(float64)
		exp := time.Unix(int64(expSec), 0)
		if r.ExpiresAt.Before(exp) {
			t.Fatalf("record expires %v, before the token (%v)", r.ExpiresAt, exp)
		}
		sessions = append(sessions, r.Family)
	}
	if sessions[0] != sessions[1] {
		t.Fatalf("rotation recorded another session: %v", sessions)
	}
}

// A store that cannot record the token fails the sign-in closed: 503 with
// Retry-After, no token, no internal error in the body.
func TestIssuedRecorderFailureIs503(t *testing.T) {
	srv, store := listingServer(t)
	store.fail = true
	r := postJSON(t, srv.URL+"/api/token/", map[string]string{"username": "vitor", "password": "123"})
	if r.status != http.StatusServiceUnavailable || r.header.Get("Retry-After") == "" {
		t.Fatalf("got %d %v %s, want 503 with Retry-After", r.status, r.header, r.body)
	}
	if strings.Contains(r.body, "database") || strings.Contains(r.body, "refresh") {
		t.Fatalf("body leaks: %s", r.body)
	}
}

// payloadOf returns a token's claims.
func payloadOf(t *testing.T, raw string) map[string]any {
	t.Helper()
	var c map[string]any
	must(t, json.Unmarshal([]byte(decodePart(t, raw, 1)), &c))
	return c
}
