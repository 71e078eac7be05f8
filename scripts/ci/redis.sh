# shellcheck shell=bash
# Redis for the stores/redis tests. .ci/run sources this file under
# `set -euo pipefail`: it installs redis-server when it is missing, starts a
# throwaway server on 127.0.0.1:6390 (no persistence, its own directory
# under /tmp) unless one already answers PING there, and exports
# JWTGUARD_REDIS_ADDR. Running it again is harmless. It prints nothing
# unless something fails, and then it returns non-zero instead of exiting.

jwtguard_redis_port=6390
jwtguard_redis_dir=/tmp/jwtguard-redis-$jwtguard_redis_port
jwtguard_redis_sudo=
if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null; then
	jwtguard_redis_sudo=sudo
fi

if [ ! -x /usr/bin/redis-server ]; then
	mkdir -p "$jwtguard_redis_dir"
	# Try the package lists at hand first; refresh them only if that fails.
	if ! $jwtguard_redis_sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q redis-server \
		>"$jwtguard_redis_dir/apt.log" 2>&1; then
		if ! { $jwtguard_redis_sudo apt-get update -q &&
			$jwtguard_redis_sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q redis-server; } \
			>>"$jwtguard_redis_dir/apt.log" 2>&1; then
			echo "scripts/ci/redis.sh: installing redis-server failed:" >&2
			cat "$jwtguard_redis_dir/apt.log" >&2
			return 1
		fi
	fi
fi

if [ "$(redis-cli -h 127.0.0.1 -p "$jwtguard_redis_port" ping 2>/dev/null)" != PONG ]; then
	mkdir -p "$jwtguard_redis_dir"
	if ! /usr/bin/redis-server --bind 127.0.0.1 --port "$jwtguard_redis_port" \
		--daemonize yes --dir "$jwtguard_redis_dir" \
		--pidfile "$jwtguard_redis_dir/redis.pid" --logfile "$jwtguard_redis_dir/redis.log" \
		--save '' --appendonly no >/dev/null; then
		echo "scripts/ci/redis.sh: redis-server did not start" >&2
		return 1
	fi
	jwtguard_redis_tries=50
	until [ "$(redis-cli -h 127.0.0.1 -p "$jwtguard_redis_port" ping 2>/dev/null)" = PONG ]; do
		jwtguard_redis_tries=$((jwtguard_redis_tries - 1))
		if [ "$jwtguard_redis_tries" -le 0 ]; then
			echo "scripts/ci/redis.sh: no PONG from 127.0.0.1:$jwtguard_redis_port; the server's log:" >&2
			cat "$jwtguard_redis_dir/redis.log" >&2 || true
			return 1
		fi
		sleep 0.1
	done
	unset jwtguard_redis_tries
fi

export JWTGUARD_REDIS_ADDR="127.0.0.1:$jwtguard_redis_port"
unset jwtguard_redis_port jwtguard_redis_dir jwtguard_redis_sudo
