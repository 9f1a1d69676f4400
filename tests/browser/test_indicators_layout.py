"""The indicator pages on a 390 px phone and a 1366 px screen in Chromium: none is wider than the window (the
regions' and the problems' tables become cards on the phone), for a visitor and an administrator importing."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from safeschool.web.accounts.models import Role
from safeschool.web.accounts.services import user_create
from safeschool.web.indicators import services

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "web" / "indicators"))
from esl_files import BAD, NATIONAL, REGIONAL, registry  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE, DESKTOP = {"width": 390, "height": 844}, {"width": 1366, "height": 900}
OVERFLOW = "() => document.documentElement.scrollWidth - window.innerWidth"
PASSWORD = "pw-long-enough-1"
SHOTS = os.environ.get("SAFESCHOOL_INDICATOR_SHOTS", "")  # a directory: keep screenshots of every page checked


def test_no_indicator_page_is_wider_than_the_window(live_server, browser, log_in, tmp_path):
    registry()
    services.release_import(data=NATIONAL.encode(), name="estat_sdg_04_10.tsv")
    services.release_import(data=REGIONAL.encode(), name="estat_edat_lfse_16.tsv", simulated=True)
    user_create(username="admin", password=PASSWORD, role=Role.ADMIN)
    bad = tmp_path / "estat_sdg_04_10.tsv"
    bad.write_text(BAD)
    wide = {}
    for viewport in (PHONE, DESKTOP):
        page = browser.new_page(viewport=viewport)
        paths = ("/indicators/", "/indicators/IT/", "/indicators/eu27_2020/") if viewport is PHONE else ("/indicators/",)
        for path in paths:
            response = page.goto(f"{live_server.url}{path}")
            assert response.status == 200, path
            wide[(viewport["width"], path)] = page.evaluate(OVERFLOW)
            if SHOTS:
                page.screenshot(path=f"{SHOTS}/{viewport['width']}{path.replace('/', '_')}.png", full_page=True)
        page.goto(f"{live_server.url}/accounts/login/")
        log_in(page, "admin", PASSWORD)
        page.wait_for_load_state()
        page.goto(f"{live_server.url}/indicators/import/")
        page.set_input_files("input[name=file]", str(bad))
        page.click("main form button[type=submit]")
        page.wait_for_load_state()
        assert page.locator("table.row-errors td[data-label]").first.is_visible()
        wide[(viewport["width"], "import")] = page.evaluate(OVERFLOW)
        if SHOTS:
            page.screenshot(path=f"{SHOTS}/{viewport['width']}_import.png", full_page=True)
        page.close()
    assert {k: v for k, v in wide.items() if v > 0} == {}
