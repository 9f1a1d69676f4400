"""A report's standalone HTML file (reports.render_html.standalone, the `--out` and download form of every report)
opened from disk in Chromium on a 390 px phone and a 1366 px screen: every chart drawn by the real Vega-Lite from
core.vega's specs (none errs), nothing wider than the window, each table scrolling in its own box, numbers on
the axes in the file's language, and axe-core finds no serious or critical violation."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "web" / "reports"))
from report_world import make_report  # noqa: E402

from safeschool.web.reports import render_html  # noqa: E402

pytestmark = pytest.mark.browser
PHONE, DESKTOP = {"width": 390, "height": 844}, {"width": 1366, "height": 900}
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
SETTLED = ("() => [...document.querySelectorAll('figure.chart')]"
           ".every(f => ['true', 'error'].includes(f.dataset.rendered))")
STATE = """() => ({
  charts: [...document.querySelectorAll('figure.chart')].map(f => f.dataset.rendered),
  errors: [...document.querySelectorAll('figure.chart .vega')].map(v => v.textContent).filter(t => t.trim()),
  wide: document.documentElement.scrollWidth - window.innerWidth,
  svgs: [...document.querySelectorAll('figure.chart svg')].map(s => s.getBoundingClientRect().width),
  ticks: [...document.querySelectorAll('figure.chart svg text')].map(t => t.textContent),
})"""


def test_the_standalone_report_draws_and_fits(browser, tmp_path):
    report = make_report("es")
    (tmp_path / "report.html").write_text(render_html.standalone(report), encoding="utf-8")
    render_html.write_assets(tmp_path / "assets")
    page = browser.new_page(viewport=PHONE)
    page.goto((tmp_path / "report.html").as_uri())
    states = {}
    for viewport in (PHONE, DESKTOP):
        page.set_viewport_size(viewport)
        page.reload()
        page.wait_for_function(SETTLED, timeout=20_000)
        states[viewport["width"]] = page.evaluate(STATE)
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    page.close()
    for width, state in states.items():
        assert state["charts"] == ["true", "true", "true"], (width, state["errors"])
        assert state["wide"] <= 0, width
        assert all(0 < w <= width for w in state["svgs"]), (width, state["svgs"])
    ticks = states[1366]["ticks"]
    assert "2019" in ticks and "2022" in ticks and "2.019" not in ticks and "2,019" not in ticks
    assert ticks[:5] == [f"{n}\u00a0%" for n in (0, 10, 20, 30, 40)]  # the bars' axis: whole percentages
    serious = [f"{v['id']}: {v['nodes'][0]['target']}" for v in result["violations"]
               if v["impact"] in ("serious", "critical")]
    assert serious == []
