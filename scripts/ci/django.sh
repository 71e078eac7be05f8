# Sourced by CI under `set -euo pipefail`. Makes sure /usr/bin/python3 can run
# the Django project of the interop tests (interop/testdata/django): installs
# Django, Django REST framework and simplejwt from Debian packages when they are
# missing. It starts nothing; the tests start Django themselves. Quiet unless
# it fails, and then it shows apt-get's output and returns non-zero.

_django_check() {
	/usr/bin/python3 -c 'import rest_framework_simplejwt.token_blacklist' >/dev/null 2>&1
}

_django_apt() {
	if [ "$(id -u)" -eq 0 ]; then
		env DEBIAN_FRONTEND=noninteractive apt-get "$@"
	else
		sudo env DEBIAN_FRONTEND=noninteractive apt-get "$@"
	fi
}

if ! _django_check; then
	_django_log=$(mktemp)
	if ! {
		_django_apt install -y -q python3-djangorestframework-simplejwt >"$_django_log" 2>&1 ||
			{ _django_apt update -q >>"$_django_log" 2>&1 &&
				_django_apt install -y -q python3-djangorestframework-simplejwt >>"$_django_log" 2>&1; }
	} || ! _django_check; then
		cat "$_django_log" >&2
		echo "scripts/ci/django.sh: could not install python3-djangorestframework-simplejwt for /usr/bin/python3" >&2
		rm -f "$_django_log"
		unset -v _django_log
		unset -f _django_check _django_apt
		return 1
	fi
	rm -f "$_django_log"
	unset -v _django_log
fi
unset -f _django_check _django_apt
