#!/usr/bin/env bash
# Side-by-side load test, on the loopback interface only, of three servers
# started together and measured in alternation, round after round:
#
#   basic   examples/basic, GET /hello with one valid HS256 token;
#   tasks   examples/tasks on SQLite, GET /hello/ (the user check, and the
#           user it loaded, behind their 5 s cache), and its token
#           endpoints verify/ and refresh/;
#   drf     the Django REST framework + simplejwt project of the interop
#           tests (interop/testdata/django) under gunicorn with two sync
#           workers, as the recorded contract was served: GET /hello/,
#           verify/ and refresh/.
#
# GET /hello(/) and verify/ repeat one valid token with BENCH_CONNECTIONS
# connections (16 by default). A refresh token is single use (rotation and
# reuse detection on both sides), so refresh/ runs one chain of rotations
# per wrk thread on one connection each: each answer's refresh token is the
# next request's. Sign-in is not measured: it is the password hash on both
# sides, Argon2id (19 MiB) in tasks against PBKDF2 in Django, which no
# setting makes equal in cost.
#
# It prints each figure as the mean of its rounds (requests/s) and the
# ratios tasks/basic and tasks/drf.
#
#   scripts/bench-compare.sh
#   BENCH_SECONDS=10 BENCH_ROUNDS=3 BENCH_CONNECTIONS=16 scripts/bench-compare.sh
#
# Needs go, curl, wrk, and /usr/bin/python3 with Django, DRF, simplejwt and
# gunicorn: scripts/ci/django.sh installs the first three from Debian's
# packages, and this script installs python3-gunicorn when it is missing.
# Everything it starts is stopped, and its temporary directory removed,
# when it ends.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
name=bench-compare.sh

fail() {
	echo "$name: $1" >&2
	# Each log's first answers that were not 200, and its last lines.
	for f in "$work"/*.log; do
		[ -s "$f" ] || continue
		echo "--- $f" >&2
		grep -v 'status[=":]*200' "$f" | head -n 5 >&2
		tail -n 5 "$f" >&2
	done
	exit 1
}
# shellcheck source=scripts/lib/wrk.sh
source scripts/lib/wrk.sh
: "${BENCH_CONNECTIONS:=16}"
wrk_settings
wrk_rounds 2

# shellcheck disable=SC2119 # no argument: wrk alone, no nginx
need_tools
if ! /usr/bin/python3 -c 'import rest_framework_simplejwt.token_blacklist' 2>/dev/null; then
	# shellcheck source=scripts/ci/django.sh
	source scripts/ci/django.sh
fi
if ! /usr/bin/python3 -c 'import gunicorn' 2>/dev/null; then
	env DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-gunicorn >/dev/null ||
		{ echo "$name: could not install python3-gunicorn" >&2; exit 1; }
fi

work=$(mktemp -d)
pids=()
cleanup() {
	# Only the processes this script started, by their ids.
	local p
	for p in "${pids[@]}"; do
		kill -TERM "$p" 2>/dev/null || true
	done
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "== build examples/basic, examples/tasks and the token maker"
(cd examples && go build -o "$work/basic" ./basic && go build -o "$work/tasks" ./tasks &&
	go build -o "$work/benchtoken" ./internal/benchtoken)

secret=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')
password=$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')

echo "== start basic"
mkdir -p "$work/basic.d"
basic_token=$("$work/benchtoken" -alg HS256 -dir "$work/basic.d")
port=$(free_port 18380 18479)
"$work/basic" -addr "127.0.0.1:$port" -hmac-secret-file "$work/basic.d/hmac.secret" 2>"$work/basic.log" &
pids+=($!)
basic="http://127.0.0.1:$port"
wait_http "$basic/healthz" "${pids[-1]}"

echo "== start tasks (SQLite)"
port=$(free_port 18480 18579)
JWT_SIGNING_KEY=$secret DATABASE_URL='' "$work/tasks" -addr "127.0.0.1:$port" -data "$work/tasks.d" \
	-database-url= -create-user "bench:$password" -refreshes-per-minute 0 2>"$work/tasks.log" &
pids+=($!)
tasks="http://127.0.0.1:$port"
wait_http "$tasks/healthz" "${pids[-1]}"

echo "== start DRF + simplejwt (gunicorn, 2 sync workers)"
cp -r interop/testdata/django "$work/django"
cat >"$work/django/wsgi.py" <<'PY'
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()
PY
export JWT_SIGNING_KEY=$secret INTEROP_SQLITE_PATH=$work/django/db.sqlite3
(cd "$work/django" && /usr/bin/python3 manage.py setupdb) >"$work/drf.log" 2>&1 || fail "Django's setupdb failed"
port=$(free_port 18580 18679)
/usr/bin/python3 -m gunicorn --chdir "$work/django" -w 2 -b "127.0.0.1:$port" wsgi:application >>"$work/drf.log" 2>&1 &
pids+=($!)
drf="http://127.0.0.1:$port"
for i in $(seq 1 100); do
	[ "$(curl -s -o /dev/null -w '%{http_code}' "$drf/hello/")" = 401 ] && break
	kill -0 "${pids[-1]}" 2>/dev/null || fail "gunicorn exited"
	[ "$i" -lt 100 ] || fail "gunicorn does not answer"
	sleep 0.1
done

# signin URL USER PASSWORD prints the access and the refresh token.
signin() {
	local body
	body=$(curl -s -X POST -H 'Content-Type: application/json' \
		-d "{\"username\":\"$2\",\"password\":\"$3\"}" "$1/api/token/")
	echo "$(sed -n 's/.*"access":"\([^"]*\)".*/\1/p' <<<"$body") $(sed -n 's/.*"refresh":"\([^"]*\)".*/\1/p' <<<"$body")"
}
# Two sign-ins each: one refresh chain per wrk thread.
read -r tasks_access tasks_refresh1 <<<"$(signin "$tasks" bench "$password")"
read -r _ tasks_refresh2 <<<"$(signin "$tasks" bench "$password")"
read -r drf_access drf_refresh1 <<<"$(signin "$drf" vitor 123)"
read -r _ drf_refresh2 <<<"$(signin "$drf" vitor 123)"
for v in tasks_access tasks_refresh1 tasks_refresh2 drf_access drf_refresh1 drf_refresh2; do
	[ -n "${!v}" ] || fail "signing in for $v failed"
done

cat >"$work/post.lua" <<'LUA'
-- POSTs BENCH_BODY as JSON with every request.
wrk.method = "POST"
wrk.body = assert(os.getenv("BENCH_BODY"))
wrk.headers["Content-Type"] = "application/json"
LUA
cat >"$work/chain.lua" <<'LUA'
-- A chain of refresh rotations per thread: thread i starts from
-- BENCH_REFRESH<i>, and each answer's refresh token is the next request's.
local n = 0
function setup(thread)
	n = n + 1
	thread:set("refresh", assert(os.getenv("BENCH_REFRESH" .. n)))
end
function request()
	return wrk.format("POST", nil, {["Content-Type"] = "application/json"},
		'{"refresh":"' .. refresh .. '"}')
end
function response(status, headers, body)
	refresh = body:match('"refresh":"([^"]+)"') or refresh
end
LUA

# run CASE CONNECTIONS URL [wrk args...] runs wrk and appends "CASE r/s" to
# rounds.txt; every answer must be 2xx.
run() {
	local case=$1 conns=$2 url=$3 bad
	shift 3
	timeout $((seconds + 30)) wrk -t"$threads" -c"$conns" -d"${seconds}s" --timeout 5s "$@" "$url" >"$work/wrk.txt" ||
		fail "wrk failed for $case"
	bad=$(awk -F': *' '/Non-2xx or 3xx responses/ {print $2}' "$work/wrk.txt")
	[ -z "$bad" ] || fail "$case: $bad responses were not 2xx"
	echo "$case $(awk '/^Requests\/sec:/ {print $2}' "$work/wrk.txt")" >>"$work/rounds.txt"
}
hdr() { echo "Authorization: Bearer $1"; }

[ "$threads" = 2 ] || fail "BENCH_THREADS must be 2: one refresh chain a thread, two signed in"
echo "== wrk -t$threads, $rounds rounds of ${seconds}s: hello and verify with $connections connections, refresh with $threads chains"
: >"$work/rounds.txt"
for _ in $(seq 1 "$rounds"); do
	run basic_hello "$connections" "$basic/hello" -H "$(hdr "$basic_token")"
	run tasks_hello "$connections" "$tasks/hello/" -H "$(hdr "$tasks_access")"
	run drf_hello "$connections" "$drf/hello/" -H "$(hdr "$drf_access")"
	BENCH_BODY="{\"token\":\"$tasks_access\"}" run tasks_verify "$connections" "$tasks/api/token/verify/" -s "$work/post.lua"
	BENCH_BODY="{\"token\":\"$drf_access\"}" run drf_verify "$connections" "$drf/api/token/verify/" -s "$work/post.lua"
	BENCH_REFRESH1=$tasks_refresh1 BENCH_REFRESH2=$tasks_refresh2 \
		run tasks_refresh "$threads" "$tasks/api/token/refresh/" -s "$work/chain.lua"
	BENCH_REFRESH1=$drf_refresh1 BENCH_REFRESH2=$drf_refresh2 \
		run drf_refresh "$threads" "$drf/api/token/refresh/" -s "$work/chain.lua"
	# wrk stops with a refresh in flight, whose token the server may have
	# spent: each round's chains start from new sessions.
	read -r _ tasks_refresh1 <<<"$(signin "$tasks" bench "$password")"
	read -r _ tasks_refresh2 <<<"$(signin "$tasks" bench "$password")"
	read -r _ drf_refresh1 <<<"$(signin "$drf" vitor 123)"
	read -r _ drf_refresh2 <<<"$(signin "$drf" vitor 123)"
done
sed 's/^/    /' "$work/rounds.txt"

echo
echo "== results: mean requests/s of $rounds rounds ($(nproc) cores, all three servers on this machine)"
awk '
	{ sum[$1] += $2; n[$1]++ }
	END {
		for (k in sum) m[k] = sum[k] / n[k]
		printf "%-8s %12s %12s %12s\n", "", "basic", "tasks", "drf"
		printf "%-8s %12.0f %12.0f %12.0f\n", "hello", m["basic_hello"], m["tasks_hello"], m["drf_hello"]
		printf "%-8s %12s %12.0f %12.0f\n", "verify", "-", m["tasks_verify"], m["drf_verify"]
		printf "%-8s %12s %12.0f %12.0f\n", "refresh", "-", m["tasks_refresh"], m["drf_refresh"]
		print ""
		printf "tasks hello / basic hello: %5.0f%%  (target at least 85%%)\n", 100 * m["tasks_hello"] / m["basic_hello"]
		printf "tasks hello / drf hello:   %5.1fx  (target at least 25x)\n", m["tasks_hello"] / m["drf_hello"]
		printf "tasks verify / drf verify: %5.1fx\n", m["tasks_verify"] / m["drf_verify"]
		printf "tasks refresh / drf refresh: %5.1fx\n", m["tasks_refresh"] / m["drf_refresh"]
	}' "$work/rounds.txt"
