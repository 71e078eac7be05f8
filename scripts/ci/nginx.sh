# shellcheck shell=bash
# nginx and wrk for the deployment tests (examples/internal/deploytest) and
# scripts/bench-wrk.sh. .ci/run sources this file under `set -euo pipefail`:
# it installs the Debian packages nginx and wrk with apt-get when
# /usr/sbin/nginx or wrk is missing, refreshing the package lists only when a
# first install fails. It starts nothing: the tests run their own nginx, as
# the current user, on a free loopback port, with their own prefix, pid file
# and logs, so a system nginx never stands in their way. Installing the
# package starts Debian's nginx service on port 80, though; that service is
# stopped and disabled right after the install, so CI does not leave it
# running. Running this again is harmless. It prints nothing unless
# something fails, and then it shows apt-get's output and returns non-zero
# instead of exiting.

_jwtguard_nginx_log=$(mktemp)

_jwtguard_nginx_apt() {
	if [ "$(id -u)" -eq 0 ]; then
		env DEBIAN_FRONTEND=noninteractive apt-get "$@"
	else
		sudo env DEBIAN_FRONTEND=noninteractive apt-get "$@"
	fi
}

_jwtguard_nginx_root() {
	if [ "$(id -u)" -eq 0 ]; then
		"$@"
	else
		sudo "$@"
	fi
}

_jwtguard_nginx_cleanup() {
	rm -f "$_jwtguard_nginx_log"
	unset -v _jwtguard_nginx_log _jwtguard_nginx_want
	unset -f _jwtguard_nginx_apt _jwtguard_nginx_root _jwtguard_nginx_stop_service _jwtguard_nginx_cleanup
}

# _jwtguard_nginx_stop_service stops and disables the nginx service that the
# package's install script started: with systemctl when systemd runs,
# with the init script otherwise.
_jwtguard_nginx_stop_service() {
	local pid
	if [ -d /run/systemd/system ] && command -v systemctl >/dev/null; then
		_jwtguard_nginx_root systemctl disable --now nginx.service >>"$_jwtguard_nginx_log" 2>&1 || true
	else
		if [ -x /etc/init.d/nginx ]; then
			_jwtguard_nginx_root /etc/init.d/nginx stop >>"$_jwtguard_nginx_log" 2>&1 || true
		fi
		if command -v update-rc.d >/dev/null; then
			_jwtguard_nginx_root update-rc.d nginx disable >>"$_jwtguard_nginx_log" 2>&1 || true
		fi
	fi
	# The service's own pid file: stop its master if it is still there.
	if [ -r /run/nginx.pid ]; then
		pid=$(cat /run/nginx.pid 2>/dev/null || true)
		if [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null || true)" = nginx ]; then
			_jwtguard_nginx_root kill -QUIT "$pid" 2>/dev/null || true
		fi
	fi
}

_jwtguard_nginx_want=""
[ -x /usr/sbin/nginx ] || _jwtguard_nginx_want=" nginx"
command -v wrk >/dev/null || _jwtguard_nginx_want="$_jwtguard_nginx_want wrk"

if [ -n "$_jwtguard_nginx_want" ]; then
	# shellcheck disable=SC2086 # one word per package
	if ! { _jwtguard_nginx_apt install -y -q $_jwtguard_nginx_want >"$_jwtguard_nginx_log" 2>&1 ||
		{ _jwtguard_nginx_apt update -q >>"$_jwtguard_nginx_log" 2>&1 &&
			_jwtguard_nginx_apt install -y -q $_jwtguard_nginx_want >>"$_jwtguard_nginx_log" 2>&1; }; }; then
		cat "$_jwtguard_nginx_log" >&2
		echo "scripts/ci/nginx.sh: could not install$_jwtguard_nginx_want" >&2
		_jwtguard_nginx_cleanup
		return 1
	fi
	case "$_jwtguard_nginx_want " in
	*" nginx "*) _jwtguard_nginx_stop_service ;;
	esac
	if [ ! -x /usr/sbin/nginx ] || ! command -v wrk >/dev/null; then
		cat "$_jwtguard_nginx_log" >&2
		echo "scripts/ci/nginx.sh: /usr/sbin/nginx or wrk is still missing after apt-get install" >&2
		_jwtguard_nginx_cleanup
		return 1
	fi
fi
_jwtguard_nginx_cleanup
