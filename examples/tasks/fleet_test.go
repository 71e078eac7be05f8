package main

import (
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"testing"
	"time"
)

// fleetDSN returns a URL of the tests' PostgreSQL whose connections work
// in a schema of their own, dropped when the test ends. Without
// JWTGUARD_POSTGRES_DSN the test is skipped, or fails when CI=true.
func fleetDSN(t *testing.T) string {
	t.Helper()
	dsn := os.Getenv("JWTGUARD_POSTGRES_DSN")
	if dsn == "" {
		msg := "JWTGUARD_POSTGRES_DSN is empty, so the fleet test does not run (source scripts/ci/postgres.sh)"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg + " (CI=true: failing instead of skipping)")
		}
		t.Skip(msg)
	}
	b := make([]byte, 6)
	rand.Read(b)
	schema := "tasks_fleet_" + hex.EncodeToString(b)
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Exec("DROP SCHEMA " + schema + " CASCADE") })
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Three instances on one PostgreSQL database: a logout on the first
// reaches the access token the other two had already checked (and cached
// for 5 s) through the store's change feed, well before their cache time.
// The rounds' revocation-to-refusal times are logged.
func TestFleetLogoutReachesEveryInstance(t *testing.T) {
	dsn := fleetDSN(t)
	var fleet []*httptest.Server
	for range 3 {
		srv := httptest.NewServer(newTestApp(t, "-database-url", dsn))
		t.Cleanup(srv.Close)
		fleet = append(fleet, srv)
	}
	const rounds = 10
	var took []time.Duration
	for range rounds {
		access, refresh := login(t, fleet[0], "vitor", "123")
		for _, srv := range fleet[1:] {
			if r := call(t, srv, "GET", "/hello/", access, ""); r.status != 200 {
				t.Fatalf("before the logout: %d %s", r.status, r.body)
			}
		}
		start := time.Now()
		if r := call(t, fleet[0], "POST", "/api/token/blacklist/", "", `{"refresh":"`+refresh+`"}`); r.status != 200 {
			t.Fatalf("logout: %d %s", r.status, r.body)
		}
		for _, srv := range fleet[1:] {
			for call(t, srv, "GET", "/hello/", access, "").status == 200 {
				if time.Since(start) > 2500*time.Millisecond {
					t.Fatal("the logged-out access token still passes on another instance after 2.5 s: the change did not reach it (its cache time is 5 s)")
				}
				time.Sleep(time.Millisecond)
			}
		}
		took = append(took, time.Since(start))
	}
	slices.Sort(took)
	t.Logf("logout on one instance to refusal on both others, %d rounds: median %v, max %v", rounds, took[rounds/2], took[rounds-1])
}
