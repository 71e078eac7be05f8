# shellcheck shell=bash
# Node.js and the npm packages of interop/testdata/oidc (oidc-provider and
# jose) for the interop tests. .ci/run sources this file under
# `set -euo pipefail`: it installs nodejs and npm with apt-get when node is
# missing, and runs `npm ci` there when node_modules is missing or older than
# package-lock.json. It starts nothing; the tests start Node.js themselves.
# Running it again is harmless. It prints nothing unless something fails, and
# then it shows the failing command's output and returns non-zero instead of
# exiting.

_jwtguard_node_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../interop/testdata/oidc" && pwd)"
_jwtguard_node_log=$(mktemp)

_jwtguard_node_apt() {
	if [ "$(id -u)" -eq 0 ]; then
		env DEBIAN_FRONTEND=noninteractive apt-get "$@"
	else
		sudo env DEBIAN_FRONTEND=noninteractive apt-get "$@"
	fi
}

_jwtguard_node_fail() {
	cat "$_jwtguard_node_log" >&2
	echo "scripts/ci/node.sh: $1" >&2
	rm -f "$_jwtguard_node_log"
	unset -v _jwtguard_node_dir _jwtguard_node_log
	unset -f _jwtguard_node_apt _jwtguard_node_fail
}

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
	# Try the package lists at hand first; refresh them only if that fails.
	if ! { _jwtguard_node_apt install -y -q nodejs npm >"$_jwtguard_node_log" 2>&1 ||
		{ _jwtguard_node_apt update -q >>"$_jwtguard_node_log" 2>&1 &&
			_jwtguard_node_apt install -y -q nodejs npm >>"$_jwtguard_node_log" 2>&1; }; }; then
		_jwtguard_node_fail "could not install nodejs and npm"
		return 1
	fi
fi

if ! node -e 'const [a, b] = process.versions.node.split(".").map(Number);
	process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)' >"$_jwtguard_node_log" 2>&1; then
	_jwtguard_node_fail "node $(node --version 2>/dev/null) is too old: oidc-provider 9 needs Node.js 20.19 or later"
	return 1
fi

# npm ci writes node_modules/.package-lock.json; a lock file newer than it
# means the packages changed since.
if [ ! -f "$_jwtguard_node_dir/node_modules/.package-lock.json" ] ||
	[ "$_jwtguard_node_dir/package-lock.json" -nt "$_jwtguard_node_dir/node_modules/.package-lock.json" ]; then
	if ! (cd "$_jwtguard_node_dir" && npm ci --no-audit --no-fund --loglevel=error) >"$_jwtguard_node_log" 2>&1; then
		_jwtguard_node_fail "npm ci in interop/testdata/oidc failed (node $(node --version 2>/dev/null))"
		return 1
	fi
fi

rm -f "$_jwtguard_node_log"
unset -v _jwtguard_node_dir _jwtguard_node_log
unset -f _jwtguard_node_apt _jwtguard_node_fail
