# shellcheck shell=bash
# PyJWT with the cryptography package for /usr/bin/python3, which mints the
# tokens of the interop tests (interop/testdata/pyjwt/mint.py). .ci/run
# sources this file under `set -euo pipefail`: it installs the Debian
# packages python3-jwt and python3-cryptography when /usr/bin/python3 cannot
# import them. Running it again is harmless. It prints nothing unless it
# fails, and then it shows apt-get's output and returns non-zero instead of
# exiting.

_jwtguard_pyjwt_check() {
	/usr/bin/python3 -c 'import jwt, cryptography; assert "EdDSA" in jwt.algorithms.get_default_algorithms()' \
		>/dev/null 2>&1
}

_jwtguard_pyjwt_apt() {
	if [ "$(id -u)" -eq 0 ]; then
		env DEBIAN_FRONTEND=noninteractive apt-get "$@"
	else
		sudo env DEBIAN_FRONTEND=noninteractive apt-get "$@"
	fi
}

if ! _jwtguard_pyjwt_check; then
	_jwtguard_pyjwt_log=$(mktemp)
	# Try the package lists at hand first; refresh them only if that fails.
	if ! {
		_jwtguard_pyjwt_apt install -y -q python3-jwt python3-cryptography >"$_jwtguard_pyjwt_log" 2>&1 ||
			{ _jwtguard_pyjwt_apt update -q >>"$_jwtguard_pyjwt_log" 2>&1 &&
				_jwtguard_pyjwt_apt install -y -q python3-jwt python3-cryptography >>"$_jwtguard_pyjwt_log" 2>&1; }
	} || ! _jwtguard_pyjwt_check; then
		cat "$_jwtguard_pyjwt_log" >&2
		echo "scripts/ci/pyjwt.sh: could not install python3-jwt and python3-cryptography for /usr/bin/python3" >&2
		rm -f "$_jwtguard_pyjwt_log"
		unset -v _jwtguard_pyjwt_log
		unset -f _jwtguard_pyjwt_check _jwtguard_pyjwt_apt
		return 1
	fi
	rm -f "$_jwtguard_pyjwt_log"
	unset -v _jwtguard_pyjwt_log
fi
unset -f _jwtguard_pyjwt_check _jwtguard_pyjwt_apt
