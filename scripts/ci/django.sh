# Sourced by CI under `set -euo pipefail`. Makes sure /usr/bin/python3 can run
# the Django project of the interop tests (interop/testdata/django): installs
# Django, Django REST framework and simplejwt from Debian packages when they are
# missing, with argon2-cffi and bcrypt (Django's argon2 and bcrypt_sha256
# hashers) and psycopg2 (Django on PostgreSQL). It starts nothing; the tests start Django themselves. Quiet unless
# it fails, and then it shows apt-get's output and returns non-zero.

_django_check() {
	/usr/bin/python3 -c 'import rest_framework_simplejwt.token_blacklist, argon2, bcrypt, psycopg2' >/dev/null 2>&1
}

_django_apt() {
	if [ "$(id -u)" -eq 0 ]; then
		env DEBIAN_FRONTEND=noninteractive apt-get "$@"
	else
		sudo env DEBIAN_FRONTEND=noninteractive apt-get "$@"
	fi
}

_django_pkgs="python3-djangorestframework-simplejwt python3-argon2 python3-bcrypt python3-psycopg2"
if ! _django_check; then
	_django_log=$(mktemp)
	if ! {
		_django_apt install -y -q $_django_pkgs >"$_django_log" 2>&1 ||
			{ _django_apt update -q >>"$_django_log" 2>&1 &&
				_django_apt install -y -q $_django_pkgs >>"$_django_log" 2>&1; }
	} || ! _django_check; then
		cat "$_django_log" >&2
		echo "scripts/ci/django.sh: could not install $_django_pkgs for /usr/bin/python3" >&2
		rm -f "$_django_log"
		unset -v _django_log _django_pkgs
		unset -f _django_check _django_apt
		return 1
	fi
	rm -f "$_django_log"
	unset -v _django_log
fi
unset -v _django_pkgs
unset -f _django_check _django_apt
