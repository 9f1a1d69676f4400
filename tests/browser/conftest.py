import os
import shutil
from importlib import import_module

import pytest

CHROMIUM = os.environ.get("SAFESCHOOL_CHROMIUM", "/usr/bin/chromium")
# Playwright's sync API runs an event loop in this thread; the ORM calls in fixtures are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} not found: `make test` installs Debian's chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run"],
        )
        yield browser
        browser.close()


@pytest.fixture
def log_in():
    """Fill the real login form (the page must already show it) and submit it."""
    def submit(page, username: str, password: str) -> None:
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        page.click("main button[type=submit]")  # the form's button, not the header's

    return submit


# The SQLite triggers that refuse the flush's deletes, by the migration that makes them: closed Delphi rounds and
# their ratings; locked protocols, deviations and allocations of trials.
FLUSH_BLOCKERS = {
    "safeschool.web.cocreation.migrations.0002_immutability_triggers": (
        "cocreation_rating_closed_delete", "cocreation_round_no_delete"),
    "safeschool.web.interventions.migrations.0002_immutability_triggers": (
        "interventions_protocol_locked_delete", "interventions_deviation_fixed_delete",
        "interventions_allocation_fixed_delete", "interventions_unit_fixed_delete"),
}


@pytest.fixture
def closed_rounds_flushable(transactional_db):
    """A closed Delphi round's ratings, a locked trial protocol, its deviations and allocation are fixed records
    (database triggers refuse to delete them), so the flush after a transactional test would fail: at teardown,
    before that flush, empty the tables with those triggers dropped, then put them back."""
    yield
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor != "sqlite":
        return  # PostgreSQL's flush truncates, which its row triggers do not see
    with connection.cursor() as cursor:
        for names in FLUSH_BLOCKERS.values():
            for name in names:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
    call_command("flush", interactive=False, verbosity=0)
    with connection.cursor() as cursor:
        for module, names in FLUSH_BLOCKERS.items():
            for sql in import_module(module).SQLITE:
                if any(f"TRIGGER {name} " in sql for name in names):
                    cursor.execute(sql)
