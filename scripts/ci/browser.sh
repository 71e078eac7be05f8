# shellcheck shell=bash
# Headless Chromium and playwright-core for the browser test of the tasks
# example's cookie mode (examples/tasks/browser_test.go). .ci/run sources
# this file under `set -euo pipefail`: it installs the Debian packages
# chromium and chromium-driver with apt-get when /usr/bin/chromium is
# missing (and nodejs and npm when node is), refreshing the package lists
# only when a first install fails, then runs `npm ci` in
# examples/tasks/testdata/browser when its node_modules is missing or older
# than package-lock.json. The test drives the system Chromium; no browser
# is ever downloaded. It starts nothing. Running it again is harmless. It
# prints nothing unless something fails, and then it shows the failing
# command's output and returns non-zero instead of exiting.

_jwtguard_browser_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../examples/tasks/testdata/browser" && pwd)"
_jwtguard_browser_log=$(mktemp)

_jwtguard_browser_apt() {
	if [ "$(id -u)" -eq 0 ]; then
		env DEBIAN_FRONTEND=noninteractive apt-get "$@"
	else
		sudo env DEBIAN_FRONTEND=noninteractive apt-get "$@"
	fi
}

_jwtguard_browser_cleanup() {
	rm -f "$_jwtguard_browser_log"
	unset -v _jwtguard_browser_dir _jwtguard_browser_log _jwtguard_browser_want
	unset -f _jwtguard_browser_apt _jwtguard_browser_cleanup
}

_jwtguard_browser_want=""
[ -x /usr/bin/chromium ] || _jwtguard_browser_want="chromium chromium-driver"
command -v node >/dev/null && command -v npm >/dev/null || _jwtguard_browser_want="$_jwtguard_browser_want nodejs npm"

if [ -n "$_jwtguard_browser_want" ]; then
	# shellcheck disable=SC2086 # one word per package
	if ! { _jwtguard_browser_apt install -y -q $_jwtguard_browser_want >"$_jwtguard_browser_log" 2>&1 ||
		{ _jwtguard_browser_apt update -q >>"$_jwtguard_browser_log" 2>&1 &&
			_jwtguard_browser_apt install -y -q $_jwtguard_browser_want >>"$_jwtguard_browser_log" 2>&1; }; }; then
		cat "$_jwtguard_browser_log" >&2
		echo "scripts/ci/browser.sh: could not install $_jwtguard_browser_want" >&2
		_jwtguard_browser_cleanup
		return 1
	fi
fi

if [ ! -f "$_jwtguard_browser_dir/node_modules/.package-lock.json" ] ||
	[ "$_jwtguard_browser_dir/package-lock.json" -nt "$_jwtguard_browser_dir/node_modules/.package-lock.json" ]; then
	if ! (cd "$_jwtguard_browser_dir" && npm ci --no-audit --no-fund --loglevel=error) >"$_jwtguard_browser_log" 2>&1; then
		cat "$_jwtguard_browser_log" >&2
		echo "scripts/ci/browser.sh: npm ci in examples/tasks/testdata/browser failed (node $(node --version 2>/dev/null))" >&2
		_jwtguard_browser_cleanup
		return 1
	fi
fi
_jwtguard_browser_cleanup
