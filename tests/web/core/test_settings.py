"""Settings read from the environment: one cache shared by every server process, e-mail and cache URLs."""

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.core.management.sql import emit_post_migrate_signal
from django.db import connection

from safeschool.web.environment import cache_from_url, email_from_url


@pytest.mark.django_db
def test_the_default_cache_is_the_database_table_made_by_migrate():
    assert settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE safeschool_cache")  # made for the tests by pytest-django: make it as migrate does
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    cache.set("shared", 3)
    assert cache.get("shared") == 3


def test_cache_urls():
    assert cache_from_url("db://my_cache")["LOCATION"] == "my_cache"
    assert cache_from_url("redis://cache:6379/1") == {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                                      "LOCATION": "redis://cache:6379/1"}
    with pytest.raises(ImproperlyConfigured, match="unknown scheme"):
        cache_from_url("mongo://x")


def test_email_urls():
    smtp = email_from_url("smtp://network%40example.org:p%40ss@mail.example.org:587?tls=true")
    assert smtp == {"EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend", "EMAIL_HOST": "mail.example.org",
                    "EMAIL_PORT": 587, "EMAIL_HOST_USER": "network@example.org", "EMAIL_HOST_PASSWORD": "p@ss",
                    "EMAIL_USE_TLS": True, "EMAIL_USE_SSL": False}
    assert email_from_url("smtps://mail.example.org")["EMAIL_PORT"] == 465
    assert email_from_url("") == {}
