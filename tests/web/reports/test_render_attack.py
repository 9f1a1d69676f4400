"""Red team (issue 19) on the renderers: a document full of hostile strings (markup, template and %-format
syntax, right-to-left text, a 5000-character paragraph, emoji the DejaVu font lacks, javascript: links), a 2000-row
table, an empty section and awkward charts (all rows suppressed, one row, negative, all zero, 1e9) — the PDF renders,
stays tagged and is not blank; the HTML escapes everything and the standalone file loads nothing from elsewhere."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage.fallback import FallbackStorage
from report_checks import assert_not_blank, assert_tagged, pdf_text

from safeschool.publishing.document import (
    Chart,
    Column,
    Facts,
    Figure,
    Links,
    Notice,
    Paragraph,
    Provenance,
    Report,
    Rule,
    Section,
    Table,
)
from safeschool.web.reports import render_html, render_pdf

SCRIPT = "<script>alert('x')</script>"
TEMPLATE = "{{ request.user }}{% debug %}"
PERCENT = "%(x)s %s %%"
RTL = "مدرسة \u202eabc\u202c עברית"
EMOJI = "🧪🦄👩‍👩‍👧 test"
LONG = ("word " * 1000).strip()  # 4999 characters
TITLE = f"Hostile {SCRIPT} {PERCENT}"


def _figure(name: str, kind: str, values: list[float | None], *, suppressed: bool = False) -> Figure:
    rows = [{"label": f"{SCRIPT} {i}", "value": value, "low": None if value is None else value - 1,
             "high": None if value is None else value + 1, "flags": "b" if i == 0 else "",
             **({"suppressed": True, "reason": "small"} if suppressed else {})}
            for i, value in enumerate(values)]
    category = "label" if kind != "lines" else "year"
    for i, row in enumerate(rows):
        row["year"] = 2019 + i
    chart = Chart(kind=kind, rows=rows, value="value", category=category, low="low" if kind != "lines" else "",
                  high="high" if kind != "lines" else "", format="number:1", value_title=TEMPLATE,
                  flag="flags" if kind == "lines" else "", rules=[Rule(0.0, PERCENT)])
    table = Table(f"{name} {SCRIPT}", [Column("label", "Label"), Column("value", "Value", "number:1")], rows,
                  note=PERCENT)
    return Figure(name, f"{name} {EMOJI}", f"{SCRIPT} summary", chart, table, note=RTL)


def hostile(language: str = "en") -> Report:
    figures = [
        _figure("all-suppressed", "bars", [0.3, 0.4], suppressed=True),
        _figure("one-row", "bars", [5.0]),
        _figure("negative", "dots", [-3.0, -1.5, 2.0]),
        _figure("all-zero", "bars", [0.0, 0.0, 0.0]),
        _figure("billion", "bars", [1e9, 2.0]),
        _figure("line-one", "lines", [1.0]),
        _figure("line-negative", "lines", [-2.0, -1.0, 0.0]),
    ]
    rows = [{"n": i, "name": f"{SCRIPT} {i}", "value": i * 1.5} for i in range(2000)]
    sections = [
        Section(SCRIPT, [Paragraph(LONG), Paragraph(TEMPLATE), Paragraph(PERCENT), Paragraph(RTL),
                         Paragraph(EMOJI),
                         Facts([(SCRIPT, TEMPLATE), (EMOJI, RTL)]), Notice(SCRIPT),
                         Links([(SCRIPT, "javascript:alert(1)"), ("quote", 'https://x.example/"><script>')])],
                anchor='bad" onclick="x'),
        Section("Empty section", []),
        Section("Charts", figures),
        Section("Big table", [Table("2000 rows", [Column("n", "N", "count"), Column("name", "Name"),
                                                  Column("value", "Value", "number:1")], rows)]),
    ]
    return Report(kind="school", title=TITLE, language=language,
                  generated_at=dt.datetime(2026, 11, 29, 8, 0, tzinfo=dt.UTC), data_version=PERCENT,
                  sections=sections, subtitle=EMOJI, authors=SCRIPT,
                  provenance=[Provenance(SCRIPT, TEMPLATE, "javascript:alert(2)")], slug="hostile",
                  notices=[Notice(RTL)])


@pytest.fixture(scope="module")
def pdf_bytes():
    return render_pdf.pdf(hostile())


def test_the_pdf_renders_tagged_and_not_blank(pdf_bytes):
    assert pdf_bytes.startswith(b"%PDF")
    assert_tagged(pdf_bytes, "en", TITLE)
    assert_not_blank(pdf_bytes)
    text = pdf_text(pdf_bytes)
    assert "word word" in text
    assert "1999" in text  # the last row of the 2000-row table
    assert "%(x)s" in text and "{{ request.user }}" in text  # printed as written, never interpreted
    assert "0.3" not in re.sub(r"\s+", " ", text.split("all-suppressed", 1)[-1].split("one-row", 1)[0])


def test_a_character_the_font_lacks_prints_as_a_visible_stand_in(pdf_bytes, caplog):
    text = pdf_text(pdf_bytes)
    assert "\ufffd\ufffd" in text and "\ufffd test" in text  # 🧪🦄… drawn as "�", not as nothing
    small = hostile()
    small.sections = [Section("Emoji", [Paragraph(EMOJI)])]
    with caplog.at_level("WARNING", logger="fpdf.output"):
        assert "\ufffd test" in pdf_text(render_pdf.pdf(small))
    assert not [r for r in caplog.records if "missing the following glyphs" in r.getMessage()]


@pytest.fixture(scope="module")
def standalone_html():
    return render_html.standalone(hostile(), assets=None)


def test_the_standalone_file_escapes_everything_and_loads_nothing_from_elsewhere(standalone_html):
    html = standalone_html
    assert SCRIPT not in html and "&lt;script&gt;alert(" in html
    assert "<p>{{ request.user }}{% debug %}</p>" in html and "<p>%(x)s %s %%</p>" in html  # shown as text
    assert 'href="javascript:' not in html.lower()
    assert 'onclick="x' not in html
    assert not re.findall(r'(?:src|href)="(?:https?:)?//(?!x\.example)', html)
    assert "2026" in html and "1999" in html


def test_the_web_page_escapes_everything(rf):
    request = rf.get("/reports/schools/1/")
    request.user = AnonymousUser()
    request.session = {}
    request._messages = FallbackStorage(request)
    html = render_html.page(request, hostile("es")).content.decode()
    body = html.split("<main", 1)[-1]
    assert SCRIPT not in body, body[body.find(SCRIPT) - 300:body.find(SCRIPT) + 50]
    assert 'href="javascript:' not in body.lower() and 'onclick="x' not in body
    assert "%(x)s" in body
    assert not re.findall(r"\bnan\b|\bNaN\b|Infinity", body)
