// Package chaos holds the fault-injection suite: each test runs a real
// server (net/http, the Issuer, its endpoints and a Guard) on a real store
// under a steady load of sign-ins, reads, refreshes and logouts, injects
// one fault — a Redis killed and restarted empty, a PostgreSQL that hangs
// or goes away, a key server that hangs, fails or sends garbage — and
// checks the timeline: no 200 for a revoked token, no 500, every answer
// within a bound, nothing lost, and service back soon after the fault.
//
// The tests need the services the other modules' tests use
// (JWTGUARD_POSTGRES_DSN, and redis-server on the PATH); without them they
// are skipped, and with CI=true they fail instead. Run them with
//
//	source scripts/ci/redis.sh; source scripts/ci/postgres.sh
//	cd chaos && go test -race ./...
package chaos
