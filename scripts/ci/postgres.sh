# shellcheck shell=bash
# PostgreSQL for the tests of stores/sql. .ci/run sources this file under
# `set -euo pipefail`; it runs as root on Debian. It installs the server when
# its binaries are missing, starts the newest installed cluster "main"
# listening on 127.0.0.1 only, creates the role and database the tests use,
# and exports JWTGUARD_POSTGRES_DSN. It is quiet on success, prints the
# output of whatever failed otherwise, and may be sourced any number of
# times.
#
# A JWTGUARD_POSTGRES_DSN already set is kept as it is and nothing is
# installed or started: set it to test against another server.
#
# The role's password is fixed and known: the server listens on the
# loopback interface only and holds nothing but test data.

# _jwtguard_pg_quiet runs a command, showing its output only when it fails.
_jwtguard_pg_quiet() {
	local out status=0
	out=$("$@" 2>&1) || status=$?
	if [ "$status" -ne 0 ]; then
		printf 'scripts/ci/postgres.sh: "%s" failed with status %d:\n%s\n' "$*" "$status" "$out" >&2
	fi
	return "$status"
}

# _jwtguard_pg_version prints the newest installed server version, or
# fails when no server binaries are installed.
_jwtguard_pg_version() {
	local bin found=""
	for bin in /usr/lib/postgresql/*/bin/postgres; do
		[ -x "$bin" ] || continue
		bin=${bin#/usr/lib/postgresql/}
		found="$found${bin%%/*}"$'\n'
	done
	[ -n "$found" ] || return 1
	printf '%s' "$found" | sort -V | tail -n 1
}

# _jwtguard_pg_psql runs psql as the postgres superuser over the local socket.
_jwtguard_pg_psql() {
	local port=$1
	shift
	if command -v runuser >/dev/null 2>&1; then
		(cd / && runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -p "$port" -d postgres "$@")
	else
		(cd / && su postgres -s /bin/sh -c 'exec psql -X -q -v ON_ERROR_STOP=1 -p "$0" -d postgres "$@"' "$port" "$@")
	fi
}

_jwtguard_pg_setup() {
	local role=jwtguard password=jwtguard database=jwtguard_test
	local version conf want port status changed=0 i exists

	if [ "$(id -u)" -ne 0 ]; then
		echo "scripts/ci/postgres.sh: must run as root to install and start PostgreSQL (or set JWTGUARD_POSTGRES_DSN)" >&2
		return 1
	fi

	if ! command -v pg_ctlcluster >/dev/null 2>&1 || ! _jwtguard_pg_version >/dev/null; then
		if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >/dev/null 2>&1; then
			_jwtguard_pg_quiet apt-get update -q || return 1
			_jwtguard_pg_quiet env DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql || return 1
		fi
	fi
	version=$(_jwtguard_pg_version) || {
		echo "scripts/ci/postgres.sh: no PostgreSQL server under /usr/lib/postgresql after installing" >&2
		return 1
	}

	if [ ! -d "/etc/postgresql/$version/main" ]; then
		_jwtguard_pg_quiet pg_createcluster "$version" main || return 1
	fi

	# Listen on the loopback interface only. listen_addresses needs a
	# restart, so a server already running restarts when this changes.
	conf="/etc/postgresql/$version/main/conf.d/jwtguard.conf"
	want="listen_addresses = '127.0.0.1'"
	if [ ! -f "$conf" ] || [ "$(cat "$conf")" != "$want" ]; then
		mkdir -p "$(dirname "$conf")"
		printf '%s\n' "$want" >"$conf"
		changed=1
	fi

	read -r _ _ port status _ < <(pg_lsclusters -h "$version" main) || true
	if [ -z "${port:-}" ]; then
		echo "scripts/ci/postgres.sh: pg_lsclusters does not list cluster $version/main" >&2
		return 1
	fi
	if [ "${status:-}" != online ]; then
		_jwtguard_pg_quiet pg_ctlcluster "$version" main start || return 1
	elif [ "$changed" -eq 1 ]; then
		_jwtguard_pg_quiet pg_ctlcluster "$version" main restart || return 1
	fi
	for i in $(seq 1 30); do
		pg_isready -q -h 127.0.0.1 -p "$port" && break
		if [ "$i" -eq 30 ]; then
			echo "scripts/ci/postgres.sh: PostgreSQL $version/main is not accepting connections on 127.0.0.1:$port" >&2
			return 1
		fi
		sleep 1
	done

	exists=$(_jwtguard_pg_psql "$port" -tA -c "SELECT 1 FROM pg_roles WHERE rolname = '$role'") || return 1
	if [ "$exists" = 1 ]; then
		_jwtguard_pg_quiet _jwtguard_pg_psql "$port" -c "ALTER ROLE $role WITH LOGIN PASSWORD '$password'" || return 1
	else
		_jwtguard_pg_quiet _jwtguard_pg_psql "$port" -c "CREATE ROLE $role WITH LOGIN PASSWORD '$password'" || return 1
	fi
	exists=$(_jwtguard_pg_psql "$port" -tA -c "SELECT 1 FROM pg_database WHERE datname = '$database'") || return 1
	if [ "$exists" != 1 ]; then
		_jwtguard_pg_quiet _jwtguard_pg_psql "$port" -c "CREATE DATABASE $database OWNER $role" || return 1
	fi

	export JWTGUARD_POSTGRES_DSN="postgres://$role:$password@127.0.0.1:$port/$database?sslmode=disable"
}

if [ -z "${JWTGUARD_POSTGRES_DSN:-}" ]; then
	_jwtguard_pg_setup
fi
unset -f _jwtguard_pg_quiet _jwtguard_pg_version _jwtguard_pg_psql _jwtguard_pg_setup
