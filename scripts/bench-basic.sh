#!/usr/bin/env bash
# Load test of examples/basic with wrk, on the loopback interface only: for
# each algorithm (HS256, RS256, ES256, EdDSA), GET /hello with one valid
# token repeated (authenticated), then GET /public without a token (the
# same server, the same kind of handler, no authentication), and the ratio
# of the two. With the verified-token cache, the token's signature is
# checked once; BENCH_CACHE=off runs the server with -no-cache to measure
# every request's signature check.
#
#   scripts/bench-basic.sh
#   BENCH_SECONDS=30 BENCH_CONNECTIONS=100 scripts/bench-basic.sh
#
# Needs go and wrk (scripts/ci/nginx.sh installs wrk, and is sourced when
# it is missing). Everything it starts is stopped, and its temporary
# directory removed, when it ends.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${BENCH_SECONDS:-10}
connections=${BENCH_CONNECTIONS:-50}
threads=${BENCH_THREADS:-2}
cache=${BENCH_CACHE:-on}
case "$seconds$connections$threads" in
*[!0-9]*) echo "bench-basic.sh: BENCH_SECONDS, BENCH_CONNECTIONS and BENCH_THREADS must be numbers" >&2; exit 2 ;;
esac
if [ "$seconds" -lt 1 ] || [ "$seconds" -gt 300 ]; then
	echo "bench-basic.sh: BENCH_SECONDS must be 1 to 300" >&2
	exit 2
fi
case "$cache" in
on) cache_flag=() ;;
off) cache_flag=(-no-cache) ;;
*) echo "bench-basic.sh: BENCH_CACHE must be on or off" >&2; exit 2 ;;
esac

if ! command -v wrk >/dev/null; then
	# shellcheck source=scripts/ci/nginx.sh
	source scripts/ci/nginx.sh
fi
for tool in go curl wrk; do
	command -v "$tool" >/dev/null || { echo "bench-basic.sh: $tool is missing" >&2; exit 1; }
done

work=$(mktemp -d)
pid=""
stop() {
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		kill -TERM "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	fi
	pid=""
}
cleanup() {
	stop
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail() {
	echo "bench-basic.sh: $1" >&2
	[ -s "$work/basic.log" ] && tail -n 20 "$work/basic.log" >&2
	exit 1
}

echo "== build examples/basic and the token maker"
(cd examples && go build -o "$work/basic" ./basic && go build -o "$work/benchtoken" ./internal/benchtoken)

cat >"$work/auth.lua" <<'LUA'
-- Sends the token of BENCH_TOKEN with every request.
wrk.headers["Authorization"] = "Bearer " .. assert(os.getenv("BENCH_TOKEN"), "BENCH_TOKEN is not set")
LUA

# measure URL [token]: runs wrk and prints "requests/s p99".
measure() {
	local url=$1 tok=${2:-} out="$work/wrk.txt" bad
	local -a script=()
	[ -z "$tok" ] || script=(-s "$work/auth.lua")
	BENCH_TOKEN=$tok timeout $((seconds + 30)) \
		wrk -t"$threads" -c"$connections" -d"${seconds}s" --timeout 5s --latency "${script[@]}" "$url" >"$out" ||
		fail "wrk failed"
	bad=$(awk -F': *' '/Non-2xx or 3xx responses/ {print $2}' "$out")
	[ -z "$bad" ] || fail "$url: $bad responses were not 2xx"
	echo "$(awk '/^Requests\/sec:/ {print $2}' "$out") $(awk '$1 == "99%" {print $2}' "$out")"
}

results=()
for alg in HS256 RS256 ES256 EdDSA; do
	dir="$work/$alg"
	mkdir -p "$dir"
	tok=$("$work/benchtoken" -alg "$alg" -dir "$dir")
	if [ "$alg" = HS256 ]; then
		keyflags=(-hmac-secret-file "$dir/hmac.secret")
	else
		keyflags=(-pem "$dir/public.pem")
	fi
	port=""
	for p in $(seq 18280 18379); do
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			port=$p
			break
		fi
	done
	[ -n "$port" ] || fail "no free port in 18280-18379"
	"$work/basic" -addr "127.0.0.1:$port" "${keyflags[@]}" "${cache_flag[@]}" 2>"$work/basic.log" &
	pid=$!
	base="http://127.0.0.1:$port"
	for i in $(seq 1 100); do
		curl -fsS -o /dev/null "$base/healthz" 2>/dev/null && break
		kill -0 "$pid" 2>/dev/null || fail "examples/basic exited"
		[ "$i" -lt 100 ] || fail "examples/basic does not answer on $base"
		sleep 0.1
	done
	[ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $tok" "$base/hello")" = 200 ] ||
		fail "$alg: /hello does not answer 200 with the token"
	echo "== $alg: wrk -t$threads -c$connections -d${seconds}s, /public without a token, then /hello with one"
	read -r noauth_rps noauth_p99 < <(measure "$base/public")
	read -r auth_rps auth_p99 < <(measure "$base/hello" "$tok")
	ratio=$(awk -v a="$auth_rps" -v n="$noauth_rps" 'BEGIN { printf "%.0f%%", 100 * a / n }')
	results+=("$(printf '%-6s %14s %10s %14s %10s %8s' "$alg" "$noauth_rps" "$noauth_p99" "$auth_rps" "$auth_p99" "$ratio")")
	stop
done

echo
echo "== results (cache $cache; $threads threads, $connections connections, ${seconds}s each, $(nproc) cores)"
printf '%-6s %14s %10s %14s %10s %8s\n' alg "no auth req/s" p99 "auth req/s" p99 "auth/no"
printf '%s\n' "${results[@]}"
