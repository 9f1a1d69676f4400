"""Shared fixtures: a small simulated cohort on disk, the same cohort loaded, and one user per role."""

from __future__ import annotations

from unittest import mock

import pytest

from safeschool.cohort import CohortConfig, Sizes, simulate

SMALL = Sizes(countries=2, schools=6, classes=18, teachers=30, students=540, waves=2)


def pytest_addoption(parser):
    parser.addoption(
        "--db-only", action="store_true", default=False,
        help="run only the tests that touch the database (make test's PostgreSQL pass): those marked django_db or "
             "postgres, those using a fixture that depends on django_db_setup (db, transactional_db, live_server, "
             "cohort_shared, ...) and Django TestCase classes; pure tests give the same result on any database")


def pytest_configure(config):
    config.addinivalue_line("markers", "postgres: needs PostgreSQL (DATABASE_URL=postgres://...); "
                                       "kept by --db-only (the PostgreSQL pass): a pure test of SQL on PostgreSQL, or a browser test "
                                       "that writes through the browser")


def touches_database(item) -> bool:
    """Whether a collected test uses the database: the rule of --db-only. Browser tests check how pages look and
    answer in Chromium (layout, accessibility, charts); the database work behind those pages is what the web tests
    run on PostgreSQL, so the PostgreSQL pass keeps only the browser tests that write through the browser (marked
    `postgres`): a Chromium run costs seconds each and would double the pass."""
    if item.get_closest_marker("postgres"):
        return True
    if item.get_closest_marker("browser"):
        return False
    if item.get_closest_marker("django_db"):
        return True
    if "django_db_setup" in getattr(item, "fixturenames", ()):
        return True
    cls = getattr(item, "cls", None)  # django.test.TestCase and friends set their database up themselves
    if cls is not None:
        from django.test import SimpleTestCase, TransactionTestCase
        return issubclass(cls, TransactionTestCase) or (
            issubclass(cls, SimpleTestCase) and bool(getattr(cls, "databases", None)))
    return False


def pytest_collection_modifyitems(config, items):
    if not config.getoption("--db-only"):
        return
    kept, deselected = [], []
    for item in items:
        (kept if touches_database(item) else deselected).append(item)
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = kept
    config._db_only_counts = (len(kept), len(deselected))
    if hasattr(config, "workeroutput"):  # a pytest-xdist worker: the controller prints the counts
        config.workeroutput["db_only_counts"] = config._db_only_counts


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    """pytest-xdist's controller: every worker collected the same tests, so one worker's counts are the run's."""
    counts = getattr(node, "workeroutput", {}).get("db_only_counts")
    if counts is not None:
        node.config._db_only_counts = tuple(counts)


def pytest_terminal_summary(terminalreporter, config):
    counts = getattr(config, "_db_only_counts", None)
    if counts is not None:
        terminalreporter.write_line(f"--db-only: {counts[0]} database tests kept, {counts[1]} deselected (pure tests and "
                                    "browser layout tests: they run in the SQLite pass)")


@pytest.fixture(scope="session")
def small_cohort():
    return simulate(CohortConfig(sizes=SMALL, seed=7))


@pytest.fixture(scope="session")
def cohort_dir(tmp_path_factory, small_cohort):
    directory = tmp_path_factory.mktemp("cohort")
    small_cohort.write(directory)
    return directory


def home_settings(home) -> dict:
    """The settings every test's data is made with: keys and files under `home` (out of the working tree), fast
    password hashing (tests only) and a fixed pseudonym key (repeatable pseudonyms). Also used by fixtures that
    build data once for many tests (tests/web/conftest.py `cohort_shared`)."""
    return {"HOME": home, "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
            "PSEUDONYM_KEY": "test-key-0123456789abcdef0123456789abcdef",
            "PSEUDONYM_KEY_FILE": str(home / "keys" / "pseudonym.key")}


@pytest.fixture(scope="session")
def test_settings_for():
    """`home_settings` as a fixture, for conftests below this one."""
    return home_settings


@pytest.fixture(scope="session", autouse=True)
def _worker_keeps_the_test_connection():
    """Tests run django-tasks' real worker (`call_command("db_worker", batch=True)`) in the test's own connection,
    inside the test's transaction. The worker calls close_old_connections() on every loop, which closes a connection
    in a transaction (its autocommit differs from its settings'): SQLite's in-memory test database ignores that
    close, PostgreSQL's connection really closes and the test's data go with it. In a test, the worker leaves a
    connection that is inside an atomic block alone (a real worker runs in its own process, outside any)."""
    from django.db import close_old_connections, connections
    from django_tasks_db.management.commands import db_worker

    def close_unless_in_a_test_transaction(**kwargs):
        if not any(c.in_atomic_block for c in connections.all(initialized_only=True)):
            close_old_connections(**kwargs)

    with mock.patch.object(db_worker, "close_old_connections", close_unless_in_a_test_transaction):
        yield


@pytest.fixture(autouse=True)
def _isolated_home(settings, tmp_path):
    """Keep keys and files of every test out of the working tree; a fixed key makes pseudonyms repeatable."""
    for name, value in home_settings(tmp_path).items():
        setattr(settings, name, value)
    # pages name static files unhashed: the hashed manifest exists only after `collectstatic` (done by `serve`)
    settings.STORAGES = {**settings.STORAGES,
                         "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STATIC_ROOT.mkdir()
