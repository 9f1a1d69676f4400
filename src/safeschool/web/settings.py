"""Django settings, read from the environment (see docs/configuration.md).

SAFESCHOOL_HOME      folder for the SQLite database, pseudonymisation key and uploads (default: ./var)
DATABASE_URL         e.g. postgres://user:pass@localhost:5432/safeschool (default: SQLite in SAFESCHOOL_HOME)
SAFESCHOOL_SECRET_KEY, SAFESCHOOL_DEBUG, SAFESCHOOL_ALLOWED_HOSTS (comma-separated)
SAFESCHOOL_PSEUDONYM_KEY or SAFESCHOOL_PSEUDONYM_KEY_FILE: the key of the keyed hash of source ids
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
HOME = Path(os.environ.get("SAFESCHOOL_HOME", Path.cwd() / "var")).resolve()


def _flag(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


DEBUG = _flag("SAFESCHOOL_DEBUG")
SECRET_KEY = os.environ.get("SAFESCHOOL_SECRET_KEY") or "insecure-local-only-key-set-SAFESCHOOL_SECRET_KEY-in-production"
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("SAFESCHOOL_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rules.apps.AutodiscoverRulesConfig",
    "django_tasks",
    "django_tasks_db",
    "safeschool.web.core",
    "safeschool.web.accounts",
    "safeschool.web.research",
    "safeschool.web.analysis",
    "safeschool.web.imports",
    "safeschool.web.network",
    "safeschool.web.hub",
    "safeschool.web.cocreation",
]

# Background tasks: the database backend, run by `safeschool worker` (started by `safeschool serve` and `demo`).
# SAFESCHOOL_TASKS=immediate runs tasks inside the request instead (used by the tests).
TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend"
        if os.environ.get("SAFESCHOOL_TASKS") == "immediate" else "django_tasks_db.DatabaseBackend",
    }
}

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
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
HOME_CONTEXT = ["safeschool.web.research.selectors.home_context"]
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
    DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": HOME / "safeschool.sqlite3",
            "OPTIONS": {
                # WAL lets readers go on while a load writes; IMMEDIATE avoids lock-upgrade deadlocks.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Brussels"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = HOME / "static"
MEDIA_ROOT = HOME / "media"
IMPORT_STAGING = HOME / "imports"  # uploaded files waiting for their mapping; removed once imported

# Network e-mails: printed to the console unless a real backend is configured (SMTP: set EMAIL_HOST etc.)
EMAIL_BACKEND = os.environ.get("SAFESCHOOL_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
DEFAULT_FROM_EMAIL = os.environ.get("SAFESCHOOL_FROM_EMAIL", "network@safeschool.invalid")

LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:home"

PSEUDONYM_KEY = os.environ.get("SAFESCHOOL_PSEUDONYM_KEY", "")
PSEUDONYM_KEY_FILE = os.environ.get("SAFESCHOOL_PSEUDONYM_KEY_FILE", str(HOME / "keys" / "pseudonym.key"))

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
