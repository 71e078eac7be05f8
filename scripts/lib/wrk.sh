# shellcheck shell=bash
# Shared pieces of the wrk load tests (scripts/bench-wrk.sh,
# scripts/bench-basic.sh). Source it after setting `name` (the script's name
# for messages) and `work` (its temporary directory), and defining fail.
# Every target is on the loopback interface.
# shellcheck disable=SC2154 # name and work are the sourcing script's

# wrk_settings reads BENCH_SECONDS (10), BENCH_CONNECTIONS (50) and
# BENCH_THREADS (2) into seconds, connections and threads, and exits on
# values that are not numbers or seconds outside 1 to 300.
wrk_settings() {
	seconds=${BENCH_SECONDS:-10}
	connections=${BENCH_CONNECTIONS:-50}
	threads=${BENCH_THREADS:-2}
	case "$seconds$connections$threads" in
	*[!0-9]*) echo "$name: BENCH_SECONDS, BENCH_CONNECTIONS and BENCH_THREADS must be numbers" >&2; exit 2 ;;
	esac
	if [ "$seconds" -lt 1 ] || [ "$seconds" -gt 300 ]; then
		echo "$name: BENCH_SECONDS must be 1 to 300" >&2
		exit 2
	fi
}

# wrk_rounds DEFAULT reads BENCH_ROUNDS (DEFAULT when unset) into rounds,
# and exits on a value that is not a number from 1 to 10.
wrk_rounds() {
	rounds=${BENCH_ROUNDS:-$1}
	case "$rounds" in
	'' | *[!0-9]*) echo "$name: BENCH_ROUNDS must be a number" >&2; exit 2 ;;
	esac
	if [ "$rounds" -lt 1 ] || [ "$rounds" -gt 10 ]; then
		echo "$name: BENCH_ROUNDS must be 1 to 10" >&2
		exit 2
	fi
}

# need_tools [nginx] makes sure wrk (and /usr/sbin/nginx when asked) is
# installed, sourcing scripts/ci/nginx.sh when not, and that go and curl
# are there; it exits when something is still missing.
need_tools() {
	if ! command -v wrk >/dev/null || { [ "${1:-}" = nginx ] && [ ! -x /usr/sbin/nginx ]; }; then
		# shellcheck source=scripts/ci/nginx.sh
		source scripts/ci/nginx.sh
	fi
	local tool
	for tool in go curl wrk; do
		command -v "$tool" >/dev/null || { echo "$name: $tool is missing" >&2; exit 1; }
	done
}

# free_port FIRST LAST prints a port of 127.0.0.1 in FIRST..LAST that
# nothing listens on, or fails.
free_port() {
	local p
	for p in $(seq "$1" "$2"); do
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return 0
		fi
	done
	fail "no free port in $1-$2"
}

# wait_http URL PID waits up to 10 s for URL to answer 2xx while PID lives.
wait_http() {
	local i
	for i in $(seq 1 100); do
		curl -fsS -o /dev/null "$1" 2>/dev/null && return 0
		kill -0 "$2" 2>/dev/null || fail "the server for $1 exited"
		[ "$i" -lt 100 ] || fail "nothing answers $1"
		sleep 0.1
	done
}

# wrk_run URL [HEADER VALUE] runs wrk --latency against URL, sending
# "HEADER: VALUE" with every request when given, into $work/wrk.txt, and
# fails on an error or on any response that is not 2xx.
wrk_run() {
	local url=$1 header=${2:-} value=${3:-} bad
	local -a script=()
	if [ -n "$header" ]; then
		[ -f "$work/header.lua" ] || cat >"$work/header.lua" <<'LUA'
-- Sends the header BENCH_HEADER: BENCH_VALUE with every request.
wrk.headers[assert(os.getenv("BENCH_HEADER"))] = assert(os.getenv("BENCH_VALUE"))
LUA
		script=(-s "$work/header.lua")
	fi
	BENCH_HEADER=$header BENCH_VALUE=$value timeout $((seconds + 30)) \
		wrk -t"$threads" -c"$connections" -d"${seconds}s" --timeout 5s --latency "${script[@]}" "$url" >"$work/wrk.txt" ||
		fail "wrk failed"
	bad=$(awk -F': *' '/Non-2xx or 3xx responses/ {print $2}' "$work/wrk.txt")
	[ -z "$bad" ] || fail "$url: $bad responses were not 2xx"
}

# wrk_result prints "requests/s p99" of the last wrk_run.
wrk_result() {
	echo "$(awk '/^Requests\/sec:/ {print $2}' "$work/wrk.txt") $(awk '$1 == "99%" {print $2}' "$work/wrk.txt")"
}

# wrk_requests prints how many requests the last wrk_run completed.
wrk_requests() {
	awk '/ requests in / {print $1}' "$work/wrk.txt"
}

# cpu_ticks PID prints the CPU time PID has used, user and system, in
# clock ticks (getconf CLK_TCK a second).
cpu_ticks() {
	# The fields after the command name, which is in parentheses.
	sed 's/.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'
}
