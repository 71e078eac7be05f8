#!/usr/bin/env bash
# Rolling restart of a three-instance examples/tasks fleet behind nginx,
# under wrk, on the loopback interface only: runs TestRollingRestart and
# TestRollingRestartRedis (examples/internal/deploytest) and prints their
# measurements.
#
# The test builds the binary, starts three instances on one PostgreSQL
# database (a schema of its own, dropped at the end), starts the real nginx
# configured from deploy/nginx/tasks.conf with the three as its upstream,
# runs wrk (authenticated GET, POST and PATCH, refresh-token rotations) for
# 8 s in steady state, then for 25 s while it restarts the instances one
# at a time (SIGTERM, wait for the exit, start on the same port, wait for
# /readyz); then again with -redis-url (revocations, throttles and their
# push in a Redis of the test's own, users and tasks in PostgreSQL:
# TestRollingRestartRedis). It fails on any non-2xx answer or socket
# error. It prints
# requests/s and latency p50/p99 of both phases, each instance's
# SIGTERM-to-exit and start-to-ready times, and nginx's retries.
#
#   scripts/rolling-restart.sh
#
# Needs go, /usr/sbin/nginx, wrk, PostgreSQL and redis-server: it sources
# scripts/ci/nginx.sh, scripts/ci/postgres.sh and scripts/ci/redis.sh
# (which install and start what is missing, with apt-get) unless
# JWTGUARD_POSTGRES_DSN is set and nginx, wrk and redis-server are
# installed.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x /usr/sbin/nginx ] || ! command -v wrk >/dev/null; then
	# shellcheck source=scripts/ci/nginx.sh
	source scripts/ci/nginx.sh
fi
if [ -z "${JWTGUARD_POSTGRES_DSN:-}" ]; then
	# shellcheck source=scripts/ci/postgres.sh
	source scripts/ci/postgres.sh
fi
if ! command -v redis-server >/dev/null; then
	# shellcheck source=scripts/ci/redis.sh
	source scripts/ci/redis.sh
fi
cd examples
# CI=true: a missing service fails the run instead of skipping the test.
CI=true go test -count=1 -run '^TestRollingRestart(Redis)?$' -v ./internal/deploytest
