#!/usr/bin/env bash
# Runs the tests of every module in the repository with the race detector.
# Extra arguments go to `go test` (for example -count=1 or -run TestSpec).
set -euo pipefail
cd "$(dirname "$0")/.."
status=0
for mod in $(git ls-files 'go.mod' '*/go.mod'); do
	dir=$(dirname "$mod")
	echo "== go test -race $dir"
	(cd "$dir" && go test -race "$@" ./...) || status=1
done
exit $status
