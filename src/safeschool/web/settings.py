"""Django settings, read from the environment (see docs/configuration.md).

SAFESCHOOL_HOME      folder for the SQLite database, pseudonymisation key and uploads (default: ./var)
DATABASE_URL         e.g. postgres://user:pass@localhost:5432/safeschool (default: SQLite in SAFESCHOOL_HOME)
SAFESCHOOL_SECRET_KEY or SAFESCHOOL_SECRET_KEY_FILE, SAFESCHOOL_DEBUG, SAFESCHOOL_ALLOWED_HOSTS (comma-separated)
SAFESCHOOL_PSEUDONYM_KEY or SAFESCHOOL_PSEUDONYM_KEY_FILE: the key of the keyed hash of source ids
SAFESCHOOL_HTTPS, SAFESCHOOL_CACHE_URL, SAFESCHOOL_EMAIL_URL (or EMAIL_*), SAFESCHOOL_LOG_LEVEL, SAFESCHOOL_LOG_FILE
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from safeschool.web.environment import cache_from_url, email_from_url

BASE_DIR = Path(__file__).resolve().parent
HOME = Path(os.environ.get("SAFESCHOOL_HOME", Path.cwd() / "var")).resolve()


def _flag(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


DEBUG = _flag("SAFESCHOOL_DEBUG")
SECRET_KEY_FILE = Path(os.environ.get("SAFESCHOOL_SECRET_KEY_FILE") or HOME / "keys" / "secret.key")


def _secret_key() -> str:
    """The key from the environment or its file (`safeschool` commands make the file on first use); the built-in
    key only with debug on, because anyone who knows it can forge sessions and password-reset links."""
    if os.environ.get("SAFESCHOOL_SECRET_KEY"):
        return os.environ["SAFESCHOOL_SECRET_KEY"]
    if SECRET_KEY_FILE.is_file():
        return SECRET_KEY_FILE.read_text().strip()
    if DEBUG:
        return "insecure-local-only-key-set-SAFESCHOOL_SECRET_KEY-in-production"
    raise ImproperlyConfigured(
        f"no secret key: set SAFESCHOOL_SECRET_KEY or SAFESCHOOL_SECRET_KEY_FILE ({SECRET_KEY_FILE} does not exist), "
        "or start through `safeschool serve`, which makes one")


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("SAFESCHOOL_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]

INSTALLED_APPS = [
    "safeschool.web.core",  # first, so that its admin/base_site.html (the site's favicon and wordmark) wins
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "rules.apps.AutodiscoverRulesConfig",
    "django_tasks",
    "django_tasks_db",
    "safeschool.web.accounts",
    "safeschool.web.research",
    "safeschool.web.analysis",
    "safeschool.web.imports",
    "safeschool.web.network",
    "safeschool.web.hub",
    "safeschool.web.cocreation",
    "safeschool.web.screening",
    "safeschool.web.selfeval",
    "safeschool.web.label",
    "safeschool.web.interventions",
    "safeschool.web.recs",
    "safeschool.web.learning",
    "safeschool.web.indicators",
    "safeschool.web.reports",
]

# Background tasks: the database backend, run by `safeschool worker` (started by `safeschool serve` and `demo`).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "safeschool.web.core.middleware.DatabaseUnavailableMiddleware",  # 503 "try again in a minute", not a 500
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "safeschool.web.accounts.middleware.ProfileLanguageMiddleware",  # the profile's language beats the cookie
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "safeschool.web.core.middleware.ContentSecurityPolicyMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "safeschool.web.urls"
# Callables (request -> dict) whose results the home page shows; core imports no feature app itself.
HOME_CONTEXT = ["safeschool.web.research.home.home_context"]
WSGI_APPLICATION = "safeschool.web.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "safeschool.web.core.context.site",
            ],
        },
    },
]

if os.environ.get("DATABASE_URL"):
    # health checks: a connection kept from before a database restart is tested and replaced, not failed on
    DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=60,
                                                  conn_health_checks=True)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": HOME / "safeschool.sqlite3",
            "OPTIONS": {
                # WAL lets readers go on while a load writes; IMMEDIATE avoids lock-upgrade deadlocks.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
                "transaction_mode": "IMMEDIATE",
                # seconds a request waits for another writer (a large import holds the lock for seconds)
                # before it gets the "database unavailable" page; SAFESCHOOL_SQLITE_TIMEOUT for tests of that
                "timeout": float(os.environ.get("SAFESCHOOL_SQLITE_TIMEOUT", "20")),
            },
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [  # the languages of the countries the demo cohort covers, each named in itself
    ("en", "English"), ("es", "Español"), ("it", "Italiano"), ("pt", "Português"), ("el", "Ελληνικά"),
    ("ro", "Română"), ("pl", "Polski"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Brussels"
USE_I18N = True
# Dates and numbers in each language's own formats (Django's locale data; English in British order, 24-hour clock).
# Figures are grouped in thousands by core.formatting, which every figure goes through; grouping every number
# Django renders would also write years ("2.024") and ids in links and forms, so it stays off.
FORMAT_MODULE_PATH = ["safeschool.web.formats"]
USE_THOUSAND_SEPARATOR = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = HOME / "static"  # filled by collectstatic, which `safeschool serve` and `demo` run before starting
# Hashed, compressed copies served by WhiteNoise with year-long cache headers (a changed file gets a new name).
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "safeschool.web.core.storage.StaticStorage"},
}
MEDIA_ROOT = HOME / "media"
IMPORT_STAGING = HOME / "imports"  # uploaded files waiting for their mapping; removed once imported
# uploads not imported are removed after this many hours untouched
IMPORT_STAGING_MAX_AGE_HOURS = float(os.environ.get("SAFESCHOOL_STAGING_MAX_AGE_HOURS", "24"))
# Uploads: a file over SAFESCHOOL_MAX_UPLOAD_MB is refused while it streams in (imports.uploads); files over
# FILE_UPLOAD_MAX_MEMORY_SIZE go to a temporary file, never memory; other form fields stay under Django's 2.5 MB.
MAX_UPLOAD_MB = int(os.environ.get("SAFESCHOOL_MAX_UPLOAD_MB", "50"))
FILE_UPLOAD_HANDLERS = ["safeschool.web.imports.uploads.UploadLimitHandler",
                        "django.core.files.uploadhandler.MemoryFileUploadHandler",
                        "django.core.files.uploadhandler.TemporaryFileUploadHandler"]
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# Network e-mails: printed to the console unless SAFESCHOOL_EMAIL_URL (smtp://user:password@host:587?tls=true)
# or EMAIL_HOST and the other EMAIL_* variables name a server.
_email = email_from_url(os.environ.get("SAFESCHOOL_EMAIL_URL", ""))
EMAIL_BACKEND = os.environ.get("SAFESCHOOL_EMAIL_BACKEND") or _email.get("EMAIL_BACKEND") or (
    "django.core.mail.backends.smtp.EmailBackend" if os.environ.get("EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = _email.get("EMAIL_HOST") or os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(_email.get("EMAIL_PORT") or os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER") or os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD") or os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", _flag("EMAIL_USE_TLS"))
EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", _flag("EMAIL_USE_SSL"))
EMAIL_FILE_PATH = _email.get("EMAIL_FILE_PATH", str(HOME / "mail"))
EMAIL_TIMEOUT = 30
DEFAULT_FROM_EMAIL = os.environ.get("SAFESCHOOL_FROM_EMAIL", "network@safeschool.invalid")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# One cache shared by every server process (the login throttle counts across gunicorn workers): by default a
# table in the database, made by migrate (core's post_migrate handler). SAFESCHOOL_CACHE_URL chooses another.
CACHES = {"default": cache_from_url(os.environ.get("SAFESCHOOL_CACHE_URL", "db://safeschool_cache"))}

# Delphi feedback: a stakeholder group with fewer ratings of a statement than this is shown merged with others
# (a group of one would show that panellist's rating to the whole panel).
DELPHI_MIN_FEEDBACK_GROUP = int(os.environ.get("SAFESCHOOL_DELPHI_MIN_FEEDBACK_GROUP", "5"))

LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:home"

PSEUDONYM_KEY = os.environ.get("SAFESCHOOL_PSEUDONYM_KEY", "")
PSEUDONYM_KEY_FILE = os.environ.get("SAFESCHOOL_PSEUDONYM_KEY_FILE", str(HOME / "keys" / "pseudonym.key"))

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True

# Behind HTTPS (a proxy such as nginx terminating TLS and setting X-Forwarded-Proto): redirect plain HTTP,
# send cookies only over HTTPS, and tell browsers to use HTTPS for a year (HSTS).
HTTPS = _flag("SAFESCHOOL_HTTPS")
if HTTPS:
    SECURE_SSL_REDIRECT = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SAFESCHOOL_HSTS_SECONDS", 31_536_000))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = _flag("SAFESCHOOL_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = _flag("SAFESCHOOL_HSTS_PRELOAD")
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # monitors on the machine itself ask over plain HTTP
    CSRF_TRUSTED_ORIGINS = [f"https://{h}" for h in ALLOWED_HOSTS if h not in ("127.0.0.1", "localhost")]

# Requests that fail (with their tracebacks), background task failures and the server's own messages go to
# stderr (journald under systemd) and, when SAFESCHOOL_LOG_FILE names one, to a file.
LOG_LEVEL = os.environ.get("SAFESCHOOL_LOG_LEVEL", "INFO").upper()
_log_handlers = {"stderr": {"class": "logging.StreamHandler", "formatter": "plain"}}
if os.environ.get("SAFESCHOOL_LOG_FILE"):
    _log_handlers["file"] = {"class": "logging.handlers.WatchedFileHandler", "formatter": "plain",
                             "filename": os.environ["SAFESCHOOL_LOG_FILE"]}
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(process)d] %(message)s"}},
    "handlers": _log_handlers,
    "root": {"handlers": list(_log_handlers), "level": "WARNING"},
    "loggers": {
        name: {"handlers": list(_log_handlers), "level": LOG_LEVEL, "propagate": False}
        for name in ("django", "django_tasks", "django_tasks_db", "safeschool")
    },
}
