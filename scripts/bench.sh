#!/usr/bin/env bash
# Runs bench/'s BenchmarkMiddleware (jwtguard beside its peers), compares
# the implementations with benchstat -col /impl, and writes the table into
# bench/README.md between <!-- bench:start --> and <!-- bench:end -->,
# with the date, the Go version, the CPU and the command.
#
#   scripts/bench.sh
#   COUNT=10 scripts/bench.sh
#   BENCH_RAW=/tmp/bench.txt scripts/bench.sh   # also keep the raw output
#   COUNT=1 BENCHTIME=100x scripts/bench.sh      # a quick look (-benchtime)
#
# benchstat is taken from PATH, or else installed at the pinned version
# into a temporary GOBIN that is removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

count=${COUNT:-6}
case "$count" in
'' | *[!0-9]*) echo "bench.sh: COUNT must be a number" >&2; exit 2 ;;
esac
if [ "$count" -lt 1 ]; then
	echo "bench.sh: COUNT must be at least 1" >&2
	exit 2
fi

benchstat_version=v0.0.0-20260908200009-22c9c6c9d4da
readme=bench/README.md
for marker in '<!-- bench:start -->' '<!-- bench:end -->'; do
	if ! grep -qxF "$marker" "$readme"; then
		echo "bench.sh: $readme lacks the line $marker" >&2
		exit 1
	fi
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if command -v benchstat >/dev/null; then
	benchstat=$(command -v benchstat)
else
	echo "== installing benchstat $benchstat_version"
	GOBIN="$work/bin" go install "golang.org/x/perf/cmd/benchstat@$benchstat_version"
	benchstat="$work/bin/benchstat"
fi

# The commit measured, and whether tracked files differed from it when the
# run started.
rev=$(git rev-parse --short HEAD 2>/dev/null || true)
if [ -n "$rev" ]; then
	if git diff --quiet HEAD -- . ':(exclude)bench/README.md'; then
		rev="at commit $rev"
	else
		rev="at commit $rev plus uncommitted changes"
	fi
else
	rev="outside a git checkout"
fi

# The machine may be busy with other work: the load average before and
# after goes into the README beside the numbers.
loadavg() { cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown; }
load_before=$(loadavg)

bench_cmd=(go test -run '^$' -bench BenchmarkMiddleware -benchmem -count "$count")
shown="go test -run '^\$' -bench BenchmarkMiddleware -benchmem -count $count" # bench_cmd, quoted
env_shown="COUNT=$count"
if [ -n "${BENCHTIME:-}" ]; then
	case "$BENCHTIME" in
	*[!0-9a-z.]*) echo "bench.sh: BENCHTIME must look like 2s or 1000x" >&2; exit 2 ;;
	esac
	bench_cmd+=(-benchtime "$BENCHTIME")
	shown+=" -benchtime $BENCHTIME"
	env_shown+=" BENCHTIME=$BENCHTIME"
fi
echo "== (cd bench && $shown)"
(cd bench && "${bench_cmd[@]}") | tee "$work/raw.txt"
if [ -n "${BENCH_RAW:-}" ]; then
	cp "$work/raw.txt" "$BENCH_RAW"
fi

load_after=$(loadavg)

"$benchstat" -col /impl "$work/raw.txt" >"$work/table.txt"
cat "$work/table.txt"

cpu=$(sed -n 's/^model name[[:space:]]*:[[:space:]]*//p' /proc/cpuinfo 2>/dev/null | head -n 1)
{
	echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC') $rev, with $(go version)"
	echo "on ${cpu:-an unknown CPU} ($(nproc) logical CPUs; load average $load_before before the run,"
	echo "$load_after after it), by \`$env_shown scripts/bench.sh\`:"
	echo
	echo '```sh'
	echo "cd bench && $shown > raw.txt"
	echo "benchstat -col /impl raw.txt  # golang.org/x/perf/cmd/benchstat@$benchstat_version"
	echo '```'
	echo
	echo '```text'
	cat "$work/table.txt"
	echo '```'
} >"$work/section.md"

# Keep the marker lines, replace what lies between them.
awk -v section="$work/section.md" '
	$0 == "<!-- bench:start -->" { print; while ((getline line < section) > 0) print line; skip = 1; next }
	$0 == "<!-- bench:end -->" { skip = 0 }
	!skip { print }
' "$readme" >"$work/README.md"
cp "$work/README.md" "$readme"
echo "== wrote the table into $readme"
