"""Settings given as one URL in the environment: the cache (SAFESCHOOL_CACHE_URL) and e-mail (SAFESCHOOL_EMAIL_URL).

Read by settings.py only; each returns the Django settings the URL stands for (docs/configuration.md lists them).
"""

from __future__ import annotations

from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

CACHE_BACKENDS = {
    "db": "django.core.cache.backends.db.DatabaseCache",
    "redis": "django.core.cache.backends.redis.RedisCache",
    "rediss": "django.core.cache.backends.redis.RedisCache",
    "memcached": "django.core.cache.backends.memcached.PyMemcacheCache",
    "file": "django.core.cache.backends.filebased.FileBasedCache",
    "locmem": "django.core.cache.backends.locmem.LocMemCache",
    "dummy": "django.core.cache.backends.dummy.DummyCache",
}

EMAIL_BACKENDS = {
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "smtps": "django.core.mail.backends.smtp.EmailBackend",
    "console": "django.core.mail.backends.console.EmailBackend",
    "file": "django.core.mail.backends.filebased.EmailBackend",
    "locmem": "django.core.mail.backends.locmem.EmailBackend",
    "dummy": "django.core.mail.backends.dummy.EmailBackend",
}

_TRUE = {"1", "true", "yes", "on"}


def cache_from_url(url: str) -> dict:
    """`db://table`, `redis://host:6379/0`, `memcached://host:11211`, `file:///path`, `locmem://`, `dummy://`.

    Only `db`, `redis` and `memcached` are shared by all server processes; `locmem` is one cache per process."""
    parts = urlsplit(url)
    if parts.scheme not in CACHE_BACKENDS:
        raise ImproperlyConfigured(f"SAFESCHOOL_CACHE_URL: unknown scheme '{parts.scheme}' "
                                   f"(one of {', '.join(CACHE_BACKENDS)})")
    cache = {"BACKEND": CACHE_BACKENDS[parts.scheme]}
    if parts.scheme == "db":
        cache["LOCATION"] = parts.netloc or "safeschool_cache"
    elif parts.scheme in ("redis", "rediss"):
        cache["LOCATION"] = url
    elif parts.scheme == "memcached":
        cache["LOCATION"] = parts.netloc
    elif parts.scheme == "file":
        cache["LOCATION"] = unquote(parts.path)
    elif parts.scheme == "locmem":
        cache["LOCATION"] = parts.netloc or "safeschool"
    return cache


def email_from_url(url: str) -> dict:
    """`smtp://user:password@host:587?tls=true`, `smtps://…:465` (SSL), `console://`, `file:///path`, `locmem://`.

    An empty string gives an empty dict (the EMAIL_* variables apply)."""
    if not url:
        return {}
    parts = urlsplit(url)
    if parts.scheme not in EMAIL_BACKENDS:
        raise ImproperlyConfigured(f"SAFESCHOOL_EMAIL_URL: unknown scheme '{parts.scheme}' "
                                   f"(one of {', '.join(EMAIL_BACKENDS)})")
    email = {"EMAIL_BACKEND": EMAIL_BACKENDS[parts.scheme]}
    if parts.scheme in ("smtp", "smtps"):
        query = {key: values[-1].lower() for key, values in parse_qs(parts.query).items()}
        email |= {
            "EMAIL_HOST": parts.hostname or "localhost",
            "EMAIL_PORT": parts.port or (465 if parts.scheme == "smtps" else 25),
            "EMAIL_HOST_USER": unquote(parts.username or ""),
            "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
            "EMAIL_USE_TLS": query.get("tls", "false") in _TRUE,
            "EMAIL_USE_SSL": parts.scheme == "smtps" or query.get("ssl", "false") in _TRUE,
        }
    elif parts.scheme == "file":
        email["EMAIL_FILE_PATH"] = unquote(parts.path)
    return email
