# shellcheck shell=bash
# Prometheus for the alert rules' tests (promtool test rules, run by
# .ci/run) and the tests that scrape an example server with a real
# Prometheus (examples/tasks). .ci/run sources this file under
# `set -euo pipefail`: it installs Debian's prometheus package with apt-get
# when /usr/bin/prometheus or /usr/bin/promtool is missing, refreshing the
# package lists only when a first install fails, and exports
# JWTGUARD_PROMETHEUS (the server) and JWTGUARD_PROMTOOL. It starts nothing:
# the tests run their own server, as the current user, on a free loopback
# port with a temporary configuration and storage. Installing the package
# starts Debian's prometheus service (port 9090) where an init system runs
# it; that service is stopped and disabled right after the install.
# Running this again is harmless. It prints nothing unless something fails,
# and then it shows apt-get's output and returns non-zero instead of
# exiting.

_jwtguard_prom_log=$(mktemp)

_jwtguard_prom_root() {
	if [ "$(id -u)" -eq 0 ]; then
		"$@"
	else
		sudo "$@"
	fi
}

_jwtguard_prom_cleanup() {
	rm -f "$_jwtguard_prom_log"
	unset -v _jwtguard_prom_log
	unset -f _jwtguard_prom_root _jwtguard_prom_install _jwtguard_prom_stop_service _jwtguard_prom_cleanup
}

_jwtguard_prom_install() {
	_jwtguard_prom_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends prometheus
}

# _jwtguard_prom_stop_service stops and disables the service the package's
# install script may have started.
_jwtguard_prom_stop_service() {
	if [ -d /run/systemd/system ] && command -v systemctl >/dev/null; then
		_jwtguard_prom_root systemctl disable --now prometheus.service >>"$_jwtguard_prom_log" 2>&1 || true
	else
		if [ -x /etc/init.d/prometheus ]; then
			_jwtguard_prom_root /etc/init.d/prometheus stop >>"$_jwtguard_prom_log" 2>&1 || true
		fi
		if command -v update-rc.d >/dev/null; then
			_jwtguard_prom_root update-rc.d prometheus disable >>"$_jwtguard_prom_log" 2>&1 || true
		fi
	fi
}

if [ ! -x /usr/bin/prometheus ] || [ ! -x /usr/bin/promtool ]; then
	if ! { _jwtguard_prom_install >"$_jwtguard_prom_log" 2>&1 ||
		{ _jwtguard_prom_root apt-get update -q >>"$_jwtguard_prom_log" 2>&1 &&
			_jwtguard_prom_install >>"$_jwtguard_prom_log" 2>&1; }; }; then
		cat "$_jwtguard_prom_log" >&2
		echo "scripts/ci/prometheus.sh: could not install prometheus" >&2
		_jwtguard_prom_cleanup
		return 1
	fi
	_jwtguard_prom_stop_service
	if [ ! -x /usr/bin/prometheus ] || [ ! -x /usr/bin/promtool ]; then
		cat "$_jwtguard_prom_log" >&2
		echo "scripts/ci/prometheus.sh: /usr/bin/prometheus or promtool is still missing after apt-get install" >&2
		_jwtguard_prom_cleanup
		return 1
	fi
fi
export JWTGUARD_PROMETHEUS=/usr/bin/prometheus
export JWTGUARD_PROMTOOL=/usr/bin/promtool
_jwtguard_prom_cleanup
