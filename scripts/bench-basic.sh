#!/usr/bin/env bash
# Load test of examples/basic with wrk, on the loopback interface only. For
# each algorithm (HS256, RS256, ES256, EdDSA), on one server:
#
#   no auth   GET /public, no token: the same kind of handler, anonymous;
#   padded    GET /public with a header as long as the token's that no one
#             reads: what the bigger request costs net/http and the kernel;
#   auth      GET /hello with one valid token, repeated: authenticated.
#
# The three alternate for BENCH_ROUNDS rounds (3 by default) and each
# figure is the mean of its rounds: on a small machine one run varies by
# more than the differences measured. auth/no is the issue's measure;
# auth/padded is jwtguard's own cost. wrk runs on the same cores as the
# server and pays for a bigger request too, so the server's own CPU time
# per request (from /proc) is shown beside: "cpu no/auth" is the rate the
# server alone would keep with auth, against without. With the verified-token cache the
# token's signature is checked once; BENCH_CACHE=off runs the server with
# -no-cache, so that every request checks it.
#
#   scripts/bench-basic.sh
#   BENCH_SECONDS=30 BENCH_ROUNDS=5 BENCH_CACHE=off scripts/bench-basic.sh
#
# Needs go, curl and wrk (scripts/ci/nginx.sh installs wrk, and is sourced
# when it is missing). Everything it starts is stopped, and its temporary
# directory removed, when it ends.
set -euo pipefail
cd "$(dirname "$0")/.."
name=bench-basic.sh

fail() {
	echo "$name: $1" >&2
	[ -s "$work/basic.log" ] && tail -n 20 "$work/basic.log" >&2
	exit 1
}
# shellcheck source=scripts/lib/wrk.sh
source scripts/lib/wrk.sh
wrk_settings
wrk_rounds 3
cache=${BENCH_CACHE:-on}
case "$cache" in
on) cache_flag=() ;;
off) cache_flag=(-no-cache) ;;
*) echo "$name: BENCH_CACHE must be on or off" >&2; exit 2 ;;
esac

# shellcheck disable=SC2119 # no argument: wrk alone, no nginx
need_tools

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

echo "== build examples/basic and the token maker"
(cd examples && go build -o "$work/basic" ./basic && go build -o "$work/benchtoken" ./internal/benchtoken)

hz=$(getconf CLK_TCK)
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
	port=$(free_port 18280 18379)
	"$work/basic" -addr "127.0.0.1:$port" "${keyflags[@]}" "${cache_flag[@]}" 2>"$work/basic.log" &
	pid=$!
	base="http://127.0.0.1:$port"
	wait_http "$base/healthz" "$pid"
	[ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $tok" "$base/hello")" = 200 ] ||
		fail "$alg: /hello does not answer 200 with the token"
	padding=$(printf 'x%.0s' $(seq 1 $((${#tok} + 7))))
	echo "== $alg: wrk -t$threads -c$connections -d${seconds}s, $rounds rounds of no auth, padded, auth"
	: >"$work/rounds.txt"
	# One line a run: case, requests/s, p99, and the server's CPU time
	# per request in microseconds.
	measure() {
		local case=$1 t0 t1
		shift
		t0=$(cpu_ticks "$pid")
		wrk_run "$@"
		t1=$(cpu_ticks "$pid")
		echo "$case $(wrk_result) $(awk -v t="$((t1 - t0))" -v hz="$hz" -v n="$(wrk_requests)" \
			'BEGIN { printf "%.2f", t * 1e6 / hz / n }')" >>"$work/rounds.txt"
	}
	for _ in $(seq 1 "$rounds"); do
		measure noauth "$base/public"
		measure padded "$base/public" X-Padding "$padding"
		measure auth "$base/hello" Authorization "Bearer $tok"
	done
	sed 's/^/    /' "$work/rounds.txt"
	# Means of requests/s and of CPU time; the worst p99 of the rounds.
	results+=("$(awk -v alg="$alg" '
		function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
		{ rps[$1] += $2; cpu[$1] += $4; n[$1]++; if (ms($3) > p99[$1]) p99[$1] = ms($3) }
		END { a = rps["auth"] / n["auth"]; b = rps["noauth"] / n["noauth"]; p = rps["padded"] / n["padded"]
			ca = cpu["auth"] / n["auth"]; cb = cpu["noauth"] / n["noauth"]
			printf "%-6s %13.0f %13.0f %13.0f %9.2fms %9.2fms %8.0f%% %11.0f%% %8.1fus %8.1fus %9.0f%%", alg, b, p, a,
				p99["noauth"], p99["auth"], 100 * a / b, 100 * a / p, cb, ca, 100 * cb / ca }' "$work/rounds.txt")")
	stop
done

echo
echo "== results (cache $cache; $threads threads, $connections connections, $rounds rounds of ${seconds}s, $(nproc) cores)"
printf '%-6s %13s %13s %13s %11s %11s %9s %12s %10s %10s %10s\n' alg "no auth r/s" "padded r/s" "auth r/s" "p99 no" "p99 auth" \
	"auth/no" "auth/padded" "cpu/req no" "cpu/req auth" "cpu no/auth"
printf '%s\n' "${results[@]}"
