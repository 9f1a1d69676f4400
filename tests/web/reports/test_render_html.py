"""The document as HTML (reports.render_html): the site's page — title, notices, the generation line, downloads,
other languages, contents with anchors, every block, the figures as the site's charts, tables with captions that
scroll in their own box, a hidden cell showing its reason, provenance last — and the standalone file: its language,
title and inlined CSS, print rules, chart scripts beside it or inside it, nothing loaded from another site."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage.fallback import FallbackStorage
from report_world import GREEK, HIDDEN_VALUE, POLISH

from safeschool.web.reports import render_html


@pytest.fixture
def page_html(rf, report):
    request = rf.get("/reports/schools/1/")
    request.user = AnonymousUser()
    request.session = {}
    request._messages = FallbackStorage(request)
    response = render_html.page(request, report, downloads=[("PDF", "/reports/schools/1/pdf/")],
                                languages=[("en", "/reports/schools/1/?language=en"),
                                           ("el", "/reports/schools/1/?language=el")])
    assert response.status_code == 200 and response["Content-Language"] == "es"
    return response.content.decode()


def test_the_page_shows_every_part_of_the_document(page_html, report):
    html = page_html
    assert '<article class="report" lang="es"' in html
    assert f"<h1>{report.title}</h1>" in html and POLISH in html
    assert html.count('role="note"') == 2  # the report's notice and the one in a section
    assert "c3f2a9c1-i4-r2" in html and "2026" in html
    assert 'href="/reports/schools/1/pdf/"' in html
    assert 'hreflang="el"' in html and "Ελληνικά" in html
    anchors = re.findall(r'<li><a href="#([^"]+)">', html)
    assert anchors[:3] == ["summary", "esl", "strata"] and anchors[-1] == "report-sources"
    for anchor in anchors:
        assert f'id="{anchor}"' in html
    assert '<dl class="facts report-facts"><dt>Tracking age</dt><dd>14</dd>' in html
    assert 'href="https://ec.europa.eu/eurostat"' in html
    assert html.count('<figure class="chart"') == 3
    assert html.index('id="report-sources"') > html.index('id="strata"')  # provenance last
    assert "vega.min.js" in html  # the page loads the chart scripts


def test_tables_are_visible_scroll_in_their_box_and_hidden_cells_say_why(page_html):
    html = page_html
    table = re.search(r'<div class="table-scroll" tabindex="0" role="region" aria-labelledby="([^"]+)">'
                      r'<table class="report-table table-cards"><caption id="\1">Students by school</caption>', html)
    assert table, "the plain table is not a captioned, focusable scroll box"
    row = re.search(rf"<tr class=\"suppressed-row\"><td data-label=\"School\">{POLISH}</td>(.*?)</tr>", html).group(1)
    assert 'data-reason="small"' in row and "n&lt;10" in row
    lisbon = re.search(r"Escola de Lisboa</td>(.*?)</tr>", html).group(1)
    assert ">56<" in lisbon and 'data-reason="protects"' in lisbon
    assert "1\u00a0234" in html and "9,7\u00a0%" in html


def test_nothing_hidden_missing_or_raw_reaches_the_page(page_html):
    text = re.sub(r"<script.*?</script>", "", page_html, flags=re.S)
    for leaked in (str(HIDDEN_VALUE), "0,4321", "43,2", "43.2"):
        assert leaked not in page_html, leaked
    assert not re.search(r">\s*(None|nan|NaN)\s*<", text)
    assert "None" not in text.split() and "nan" not in text.split()


def test_the_standalone_file_is_complete_and_loads_nothing_from_elsewhere(report, tmp_path):
    html = render_html.standalone(report)
    assert html.startswith("<!doctype html>") and '<html lang="es">' in html
    assert f"<title>{report.title}</title>" in html and GREEK in html
    assert "--ss-primary" in html and "@media print" in html and "break-before: page" in html  # CSS inlined
    assert "<link" not in html
    assert not re.search(r"""(src|href)=["']?https?://(?!ec\.europa\.eu)""", html)  # only the report's own links
    assert not re.search(r"url\(\s*['\"]?https?:", html) and "@import" not in html
    scripts = re.findall(r'<script src="([^"]+)"', html)
    assert scripts == ["assets/vega.min.js", "assets/vega-lite.min.js", "assets/vega-embed.min.js",
                       "assets/charts.js"]
    render_html.write_assets(tmp_path / "assets")
    assert all((tmp_path / s).stat().st_size > 1000 for s in scripts)
    inlined = render_html.standalone(report, assets=None)
    assert '<script src="' not in inlined and len(inlined) > len(html) + 500_000


def test_the_body_is_written_in_the_report_s_language(rf, report):
    from django.utils import translation

    with translation.override("en"):
        html = render_html.standalone(report)
    assert "Contenido" in html or "Índice" in html  # "Contents" in Spanish, whatever language is active
