#!/usr/bin/env bash
# Runs the tests of every module in the repository with the race detector.
# Extra arguments go to `go test` (for example -count=1 or -run TestSpec).
#
# Some tests need services: Redis (JWTGUARD_REDIS_ADDR, stores/redis) and
# PostgreSQL (JWTGUARD_POSTGRES_DSN, stores/sql); others run programs they
# find installed (nginx, Chromium, Node.js, Python with Django and PyJWT).
# Without them those tests skip, saying why; with CI=true they fail.
#
#   ./scripts/test.sh              uses the services the variables name; when
#                                  one is unset, starts it as CI does if it is
#                                  installed (Redis; PostgreSQL as root)
#   ./scripts/test.sh --services   installs and starts everything first, as CI
#                                  does (scripts/ci/*.sh: apt-get, npm), and
#                                  sets CI=true so that nothing skips
#   ./scripts/test.sh --env        prints the services' variables and exits
set -euo pipefail
cd "$(dirname "$0")/.."

mode=test
case "${1:-}" in
--services) mode=services; shift ;;
--env) mode=env; shift ;;
esac

if [ "$mode" = services ]; then
	for script in scripts/ci/*.sh; do
		# shellcheck source=/dev/null
		source "$script"
	done
	export CI=true
else
	# The cheap part of CI's set-up: start what is installed, install nothing.
	if [ -z "${JWTGUARD_REDIS_ADDR:-}" ] && [ -x /usr/bin/redis-server ] && command -v redis-cli >/dev/null; then
		# shellcheck source=scripts/ci/redis.sh
		source scripts/ci/redis.sh || true
	fi
	if [ -z "${JWTGUARD_POSTGRES_DSN:-}" ] && [ "$(id -u)" -eq 0 ] && command -v pg_ctlcluster >/dev/null &&
		compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null; then
		# shellcheck source=scripts/ci/postgres.sh
		source scripts/ci/postgres.sh || true
	fi
fi

services() {
	local v
	for v in JWTGUARD_REDIS_ADDR JWTGUARD_POSTGRES_DSN; do
		if [ -n "${!v:-}" ]; then
			echo "$v=${!v}"
		else
			echo "$v is not set: its tests skip (./scripts/test.sh --services starts it as CI does)"
		fi
	done
}

if [ "$mode" = env ]; then
	services
	exit 0
fi
echo "== services"
services
status=0
for mod in $(git ls-files 'go.mod' '*/go.mod'); do
	dir=$(dirname "$mod")
	echo "== go test -race $dir"
	(cd "$dir" && go test -race "$@" ./...) || status=1
done
exit $status
