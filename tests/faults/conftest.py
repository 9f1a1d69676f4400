"""Fault tests: real processes (worker, gunicorn) on a SQLite home of their own, on loopback, each stopped by the
test that started it. Each test's database is a copy of the session's migrated test database."""

from __future__ import annotations

import contextlib
import sqlite3

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher

from safeschool.web.accounts.services import user_create


def pytest_configure(config):
    config.addinivalue_line("markers", "faults: starts real processes and kills them (tests/faults; a few seconds)")
    config.addinivalue_line("markers", "fault_users(*users): (username, password, role) made in fault_home")


@pytest.fixture
def fault_home_make(transactional_db, tmp_path, request):
    """make() -> a fresh SAFESCHOOL_HOME whose database file is a copy of the test database as it is when called
    (the migrated schema, the users of a `fault_users((name, password, role), ...)` mark, and whatever the test
    wrote through the ORM before): SQLite's backup API, no second migration. Transactional, because SQLite cannot
    back up a database its connection is writing to (the test transaction of `db`). Skipped on PostgreSQL, where
    the fault tests do not run (the PostgreSQL outage is benchmarks/faults_postgres.py)."""
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("the fault tests run on a SQLite home of their own")
    marker = request.node.get_closest_marker("fault_users")
    for username, password, role in marker.args if marker else ():
        user = user_create(username=username, password=None, role=role)
        # hashed for the server's own settings (the tests' fast MD5 hasher is not among them)
        user.password = PBKDF2PasswordHasher().encode(password, "faults-salt", iterations=1000)
        user.save(update_fields=["password"])

    def make():
        home = tmp_path / "home"
        home.mkdir()
        connection.ensure_connection()
        with contextlib.closing(sqlite3.connect(home / "safeschool.sqlite3")) as target:
            connection.connection.backup(target)
            target.execute("PRAGMA journal_mode=WAL")
        return home

    return make


@pytest.fixture
def fault_home(fault_home_make):
    return fault_home_make()
