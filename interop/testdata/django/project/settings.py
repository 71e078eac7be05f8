"""Settings of the smallest Django project that serves the recorded contract.

Environment:
  JWT_SIGNING_KEY      the HS256 secret simplejwt signs and verifies with (required)
  INTEROP_SQLITE_PATH  the SQLite database file, in a temporary directory (required
                       unless INTEROP_POSTGRES_DSN is set)
  INTEROP_POSTGRES_DSN a postgres:// URL: use PostgreSQL instead of SQLite
  INTEROP_POSTGRES_SCHEMA the schema to keep the tables in (with INTEROP_POSTGRES_DSN)
  INTEROP_ONE_WINNER_REFRESH  "1": a refresh token rotates only if this request
                       blacklisted it (hello.serializers), so that of two services
                       sharing the blacklist only one rotates it
"""
import os
from datetime import timedelta
from urllib.parse import unquote, urlsplit

SECRET_KEY = "interop-only-django-secret-key-not-used-for-jwts"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_simplejwt",
    "rest_framework_simplejwt.token_blacklist",
    "hello",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "project.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

if os.environ.get("INTEROP_POSTGRES_DSN"):
    _pg = urlsplit(os.environ["INTEROP_POSTGRES_DSN"])
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": _pg.path.lstrip("/"),
            "USER": unquote(_pg.username or ""),
            "PASSWORD": unquote(_pg.password or ""),
            "HOST": _pg.hostname or "",
            "PORT": str(_pg.port or ""),
            "OPTIONS": {"options": "-c search_path=" + os.environ["INTEROP_POSTGRES_SCHEMA"]},
        }
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ["INTEROP_SQLITE_PATH"],
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

USE_TZ = True
TIME_ZONE = "UTC"
STATIC_URL = "/static/"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": (
        "rest_framework_simplejwt.authentication.JWTAuthentication",
    ),
}

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=5),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=1),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": False,
    "ALGORITHM": "HS256",
    "SIGNING_KEY": os.environ["JWT_SIGNING_KEY"],
    "AUTH_HEADER_TYPES": ("Bearer",),
    "USER_ID_FIELD": "id",
    "USER_ID_CLAIM": "user_id",
    "TOKEN_TYPE_CLAIM": "token_type",
    "JTI_CLAIM": "jti",
}
if os.environ.get("INTEROP_ONE_WINNER_REFRESH") == "1":
    SIMPLE_JWT["TOKEN_REFRESH_SERIALIZER"] = "hello.serializers.OneWinnerRefreshSerializer"

# With DEBUG off, Django prints no tracebacks by default: send those of server
# errors to stderr, which the Go harness shows when a test fails.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"stderr": {"class": "logging.StreamHandler"}},
    "loggers": {"django.request": {"handlers": ["stderr"], "level": "ERROR", "propagate": False}},
}
