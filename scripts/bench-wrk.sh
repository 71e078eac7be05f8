#!/usr/bin/env bash
# Load test of examples/tasks with wrk, on the loopback interface only:
#
#   1. GET /hello/ with a valid access token, straight to the app;
#   2. the same through nginx, configured from deploy/nginx/tasks.conf the
#      way examples/internal/deploytest does it;
#   3. GET /healthz (no authentication), straight to the app.
#
# It builds the binary, starts it on a fresh SQLite database, starts nginx
# in front of it, logs in for a token, runs wrk --latency for each case and
# prints requests per second and the 99th percentile. Everything it starts
# is stopped, and its temporary directory removed, when it ends.
#
#   scripts/bench-wrk.sh
#   BENCH_SECONDS=30 BENCH_CONNECTIONS=100 scripts/bench-wrk.sh
#
# Needs go, curl, /usr/sbin/nginx and wrk (scripts/ci/nginx.sh installs
# the last two, and is sourced when they are missing).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

name=bench-wrk.sh
nginx_workers=${BENCH_NGINX_WORKERS:-auto}
# shellcheck source=scripts/lib/wrk.sh
source scripts/lib/wrk.sh
wrk_settings

need_tools nginx

work=$(mktemp -d)
tasks_pid=""
nginx_pid=""
cleanup() {
	# Only the processes this script started, by their ids.
	if [ -n "$nginx_pid" ] && kill -0 "$nginx_pid" 2>/dev/null; then
		kill -QUIT "$nginx_pid" 2>/dev/null || true
	fi
	if [ -n "$tasks_pid" ] && kill -0 "$tasks_pid" 2>/dev/null; then
		kill -TERM "$tasks_pid" 2>/dev/null || true
	fi
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail() {
	echo "$name: $1" >&2
	for f in "$work/tasks.log" "$work/nginx/error.log"; do
		if [ -s "$f" ]; then
			echo "--- $f" >&2
			tail -n 20 "$f" >&2
		fi
	done
	exit 1
}

echo "== build examples/tasks"
(cd examples && go build -o "$work/tasks" ./tasks)

echo "== start the app"
password=$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
: >"$work/tasks.log" # exists before the app opens it: the wait below reads it at once
JWT_SIGNING_KEY=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n') DATABASE_URL='' \
	"$work/tasks" -addr 127.0.0.1:0 -data "$work/data" -database-url= \
	-create-user "bench:$password" -trusted-proxy 127.0.0.1/32 2>"$work/tasks.log" &
tasks_pid=$!
app=""
for _ in $(seq 1 300); do
	app=$(sed -n 's/.*"msg":"listening","addr":"\(127\.0\.0\.1:[0-9]*\)".*/\1/p' "$work/tasks.log" | head -n 1)
	[ -n "$app" ] && break
	kill -0 "$tasks_pid" 2>/dev/null || fail "the app exited"
	sleep 0.1
done
[ -n "$app" ] || fail "the app did not start listening"

echo "== start nginx"
port=$(free_port 18080 18179)
mkdir -p "$work/nginx"
(cd examples && go run ./internal/deploytest/nginxconf -site "$root/deploy/nginx/tasks.conf" \
	-listen "127.0.0.1:$port" -upstream "$app" -prefix "$work/nginx" -workers "$nginx_workers") >"$work/nginx/nginx.conf"
/usr/sbin/nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" -e "$work/nginx/error.log" &
nginx_pid=$!
proxy="127.0.0.1:$port"
wait_http "http://$proxy/healthz" "$nginx_pid"

# token logs in and prints a fresh access token (valid for 5 minutes).
token() {
	local body
	body=$(curl -fsS -X POST -H 'Content-Type: application/json' \
		-d "{\"username\":\"bench\",\"password\":\"$password\"}" "http://$app/api/token/") || fail "login failed"
	sed -n 's/.*"access":"\([^"]*\)".*/\1/p' <<<"$body"
}

results=()
# bench LABEL URL [auth]: runs wrk and records requests/s and p99.
bench() {
	local label=$1 url=$2 auth=${3:-} tok="" rps p99
	local -a header=()
	if [ -n "$auth" ]; then
		tok=$(token)
		[ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $tok" "$url")" = 200 ] ||
			fail "$url does not answer 200 with the token"
		header=(Authorization "Bearer $tok")
	fi
	echo "== $label: wrk -t$threads -c$connections -d${seconds}s --latency $url"
	wrk_run "$url" "${header[@]}"
	sed 's/^/    /' "$work/wrk.txt"
	read -r rps p99 < <(wrk_result)
	results+=("$(printf '%-32s %12s %10s' "$label" "$rps" "$p99")")
}

bench "GET /hello/ (token), direct" "http://$app/hello/" auth
bench "GET /hello/ (token), via nginx" "http://$proxy/hello/" auth
bench "GET /healthz, direct" "http://$app/healthz"

echo
echo "== results ($threads threads, $connections connections, ${seconds}s each, $(nproc) cores)"
printf '%-32s %12s %10s\n' "case" "requests/s" "p99"
printf '%s\n' "${results[@]}"
