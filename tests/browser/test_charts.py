"""Charts read right in a real browser, on a desktop and on a phone: every figure written on a mark is the figure in
the chart's data (nothing cut short: "1,131", not "113"), no text of a chart lies outside its drawing, no chart is
wider than its figure, and Vega logs no warning or error on the school, country, countries and home pages."""

from __future__ import annotations

import pytest

from safeschool.web.accounts.models import Role
from safeschool.web.accounts.services import user_create
from safeschool.web.research.models import Country, School
from safeschool.web.research.services import cohort_load

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (1366, 390)

# In the page: per chart, the texts drawn by its marks (not axes, legends or titles), the figures its data says
# they should be (the values of every field a text channel shows), and any text or drawing out of bounds.
READ_CHARTS = """() => [...document.querySelectorAll('figure.chart')].map(figure => {
  const spec = JSON.parse(figure.querySelector("script[type='application/json']").textContent);
  const fields = new Set(), values = [];
  const walk = (node, inherited) => {
    const data = (node.data && node.data.values) || inherited;
    const text = node.encoding && node.encoding.text;
    if (text && text.field) { fields.add(text.field); values.push(...data.map(r => r[text.field])); }
    for (const key of ['layer', 'vconcat', 'hconcat', 'concat']) (node[key] || []).forEach(n => walk(n, data));
  };
  walk(spec, []);
  const svg = figure.querySelector('svg');
  const box = svg ? svg.getBoundingClientRect() : null;
  const fig = figure.getBoundingClientRect();
  const outside = [];
  if (svg) for (const t of svg.querySelectorAll('text')) {
    const r = t.getBoundingClientRect();
    if (!t.textContent || r.width === 0) continue;
    if (r.left < box.left - 0.5 || r.right > box.right + 0.5 || r.top < box.top - 0.5 || r.bottom > box.bottom + 0.5)
      outside.push(t.textContent);
  }
  return {
    name: figure.dataset.chart, state: figure.dataset.rendered,
    drawn: svg ? [...svg.querySelectorAll('.role-mark text')].map(t => t.textContent).filter(t => t) : [],
    expected: [...new Set(values.filter(v => v !== null && v !== undefined && v !== '').map(String))],
    outside, svgWider: svg ? box.right > fig.right + 0.5 || box.left < fig.left - 0.5 : false,
    truncated: svg ? [...svg.querySelectorAll('text')].map(t => t.textContent).filter(t => t.endsWith('…')) : [],
    hasTable: !!figure.querySelector('details.chart-data table'),
  };
})"""


@pytest.fixture
def site(transactional_db, cohort_dir):
    cohort_load(directory=cohort_dir)
    user_create(username="researcher", password="pw-research-1234", role=Role.RESEARCHER)
    school = School.objects.order_by("code").first()
    return {"school": school, "country": school.country}


def _visit_all(live_server, browser, log_in, site, width):
    page = browser.new_page(viewport={"width": width, "height": 900})
    messages = []
    page.on("console", lambda m: messages.append((m.type, m.text)) if m.type in ("warning", "error") else None)
    page.goto(f"{live_server.url}/accounts/login/")
    log_in(page, "researcher", "pw-research-1234")
    page.wait_for_url(f"{live_server.url}/")
    found = {}
    for path in (f"/schools/{site['school'].pk}/", f"/schools/countries/{site['country'].code}/",
                 "/schools/countries/", "/"):
        messages.clear()
        page.goto(f"{live_server.url}{path}")
        page.wait_for_function("() => document.querySelectorAll('figure.chart').length > 0 && [...document."
                               "querySelectorAll('figure.chart')].every(f => f.dataset.rendered === 'true' || "
                               "f.dataset.rendered === 'error')", timeout=20000)
        found[path] = (page.evaluate(READ_CHARTS), list(messages),
                       page.evaluate("document.documentElement.scrollWidth"))
    page.close()
    return found


@pytest.mark.parametrize("width", WIDTHS)
def test_every_chart_label_is_its_figure_and_nothing_is_cut(live_server, browser, log_in, site, width):
    for path, (charts, messages, scroll_width) in _visit_all(live_server, browser, log_in, site, width).items():
        assert charts, path
        assert messages == [], f"{path} at {width} px: the console says {messages}"
        assert scroll_width <= width, f"{path} at {width} px is {scroll_width} px wide"
        for chart in charts:
            where = f"{path} {chart['name']} at {width} px"
            assert chart["state"] == "true", where
            assert chart["drawn"], f"{where}: no figure written on the chart"
            # every figure drawn is one of the chart's figures, and every figure is drawn
            assert sorted(set(chart["drawn"])) == sorted(chart["expected"]), where
            assert chart["outside"] == [], f"{where}: text outside the drawing {chart['outside']}"
            assert not chart["svgWider"], f"{where}: the drawing is wider than its figure"
            assert chart["truncated"] == [], f"{where}: text cut short {chart['truncated']}"
            assert chart["hasTable"], where


def test_attendance_bars_read_the_full_count(live_server, browser, log_in, site):
    """The bug that was seen: a bar's count clipped at the edge ("113" for 1,131). On the narrowest screen the
    largest count of the country's attendance bands is drawn in full, inside the drawing."""
    country = Country.objects.get(pk=site["country"].pk)
    page = browser.new_page(viewport={"width": 390, "height": 900})
    page.goto(f"{live_server.url}/accounts/login/")
    log_in(page, "researcher", "pw-research-1234")
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/schools/countries/{country.code}/")
    page.wait_for_selector("figure[data-chart='attendance'][data-rendered='true'] svg", timeout=20000)
    counts = page.evaluate("""() => JSON.parse(document.querySelector("figure[data-chart='attendance'] "
        + "script[type='application/json']").textContent).data.values.filter(r => !r.suppressed).map(r => r.count)""")
    biggest = f"{int(max(counts)):,}"
    label = page.locator("figure[data-chart='attendance'] svg .role-mark text", has_text=biggest)
    assert label.count() == 1
    box, svg = label.bounding_box(), page.locator("figure[data-chart='attendance'] svg").bounding_box()
    assert box["x"] >= svg["x"] and box["x"] + box["width"] <= svg["x"] + svg["width"]
    page.close()


def test_chart_numbers_follow_the_page_language(live_server, browser, log_in, site):
    """In Spanish the axes write decimal commas (Vega's format locale comes from <html lang>)."""
    page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="es-ES",
                            extra_http_headers={"Accept-Language": "es"})
    page.goto(f"{live_server.url}/accounts/login/")
    log_in(page, "researcher", "pw-research-1234")
    page.goto(f"{live_server.url}/schools/{site['school'].pk}/")
    assert page.evaluate("document.documentElement.lang") == "es"
    page.wait_for_selector("figure[data-chart='trend_security'][data-rendered='true'] svg", timeout=20000)
    ticks = page.locator("figure[data-chart='trend_security'] svg .role-axis-label text").all_text_contents()
    decimals = [t for t in ticks if any(c.isdigit() for c in t) and ("," in t or "." in t)]
    assert decimals and all("," in t and "." not in t for t in decimals), ticks
    page.close()
