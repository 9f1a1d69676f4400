"""The policy brief pages (the list, a published brief with its chart and actions, a draft, the form, the reach) on a
390 px phone and a 1366 px screen, signed in as a researcher: no page wider than the window, the brief's chart drawn
by the real Vega-Lite, and axe-core finds no serious or critical violation."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from safeschool.ingest.cohort_files import read_cohort_dir

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "web" / "reports"))
import brief_world  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE, DESKTOP = {"width": 390, "height": 844}, {"width": 1366, "height": 900}
OVERFLOW = "() => document.documentElement.scrollWidth - window.innerWidth"
CHARTS = "() => [...document.querySelectorAll('figure.chart')].map(f => f.dataset.rendered)"
SETTLED = ("() => [...document.querySelectorAll('figure.chart')]"
           ".every(f => ['true', 'error'].includes(f.dataset.rendered))")
AXE = Path(__file__).parent / "vendor" / "axe.min.js"


def test_brief_pages_fit_the_phone_and_the_screen(live_server, browser, log_in, cohort_dir,
                                                  closed_rounds_flushable):
    world = brief_world.build(brief_world.results(read_cohort_dir(cohort_dir)))
    published, draft = world.published.slug, world.draft.slug
    paths = ["/reports/briefs/", f"/reports/briefs/{published}/", f"/reports/briefs/{draft}/",
             "/reports/briefs/new/", f"/reports/briefs/{published}/reach/"]
    status, wide, charts, violations = {}, {}, {}, {}
    page = browser.new_page(viewport=PHONE, bypass_csp=True)
    page.goto(f"{live_server.url}/accounts/login/")
    log_in(page, "b-res", "pw-long-enough-1")
    page.wait_for_load_state()
    for viewport in (PHONE, DESKTOP):
        page.set_viewport_size(viewport)
        for path in paths:
            key = (viewport["width"], path)
            status[key] = page.goto(f"{live_server.url}{path}").status
            page.wait_for_function(SETTLED, timeout=20_000)
            charts[key] = page.evaluate(CHARTS)
            wide[key] = page.evaluate(OVERFLOW)
            if viewport is DESKTOP:
                page.add_script_tag(path=str(AXE))
                result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
                violations[path] = [f"{v['id']}: {v['nodes'][0]['target']}" for v in result["violations"]
                                    if v["impact"] in ("serious", "critical")]
    page.close()
    assert {k: v for k, v in status.items() if v != 200} == {}
    assert {k: v for k, v in wide.items() if v > 0} == {}
    assert {k: v for k, v in violations.items() if v} == {}
    assert charts[(390, f"/reports/briefs/{published}/")] == charts[(1366, f"/reports/briefs/{published}/")] == [
        "true"]
    assert charts[(1366, f"/reports/briefs/{draft}/")] == ["true"]  # the MAIHDA strata
