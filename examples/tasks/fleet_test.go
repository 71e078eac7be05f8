package main

import (
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard/examples/internal/pgschema"
	"github.com/jwtguard/jwtguard/examples/internal/redisproc"
)

// fleetDSN returns a URL of the tests' PostgreSQL whose connections work
// in a schema of their own, dropped when the test ends. Without
// JWTGUARD_POSTGRES_DSN the test is skipped, or fails when CI=true.
func fleetDSN(t *testing.T) string {
	t.Helper()
	return pgschema.DSN(t, "tasks_fleet_", "the fleet test")
}

// Three instances on one PostgreSQL database: a logout on the first
// reaches the access token the other two had already checked (and cached
// for 5 s) through the store's change feed, well before their cache time.
// The rounds' revocation-to-refusal times are logged.
func TestFleetLogoutReachesEveryInstance(t *testing.T) {
	dsn := fleetDSN(t)
	fleetLogout(t, func(int) []string { return []string{"-database-url", dsn} })
}

// The same with -redis-url: three instances, each with its users in a
// SQLite database of its own, and revocations, throttles and their push in
// one Redis.
func TestFleetRedisLogoutReachesEveryInstance(t *testing.T) {
	addr := durableRedis(t)
	fleetLogout(t, func(int) []string { return []string{"-redis-url", "redis://" + addr + "/0"} })
}

// durableRedis starts a redis-server of the test's own with an
// append-only file, as -redis-url requires, and returns its address.
// Without redis-server the test is skipped, or fails when CI=true.
func durableRedis(t *testing.T) string {
	t.Helper()
	return redisproc.Durable(t, "the Redis fleet test")
}

// fleetLogout runs three instances with the flags args(i) and checks
// that a logout on the first is refused on the two others before their
// cache time could have done it.
func fleetLogout(t *testing.T, args func(i int) []string) {
	t.Helper()
	var fleet []*httptest.Server
	for i := range 3 {
		srv := httptest.NewServer(newTestApp(t, args(i)...))
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
