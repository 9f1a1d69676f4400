"""Delphi results and the study report as a reader gets them (HTML, CSV, PDF), on a study like the demo's (a
statement added in round 2, panellists lost, groups such as school_board and ngo): counts read "25 of 33", never "25.0 / 33.0";
nothing reads "nan"; stakeholder groups, levels and verdicts read as labels; the CSV's headers and the PDF's text
are in the requester's language, and the PDF embeds a Unicode font so Greek prints."""

from __future__ import annotations

import csv
import html
import io
import re
import zlib
from datetime import date

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation

from safeschool.web.accounts.models import Role
from safeschool.web.accounts.services import user_create
from safeschool.web.cocreation import reports, selectors, services
from safeschool.web.cocreation.models import DelphiStudy
from safeschool.web.network import services as network

pytestmark = pytest.mark.django_db
ADULT = date.today().year - 40
RAW = re.compile(r"\b(nan|None|NaN|school_board|ngo|no consensus)\b|\d\.0 / \d|(?<![\w])-0(?:[.,]0+)?(?![.,]?\d)")


@pytest.fixture
def demo_study():
    """As the demo's study: groups school_board and ngo, round 1 closed, a statement added for round 2 (no change
    in IQR, no paired test), some panellists lost in round 2, round 2 closed."""
    cache.clear()
    researcher = user_create(username="res", password="pw-long-enough-1", role=Role.RESEARCHER)
    panel = [network.member_join(username=f"p{i}", password="pw-long-enough-1", email=f"p{i}@example.org",
                                 display_name=f"Panellist {i}", stakeholder_type=kind, country="EL",
                                 birth_year=ADULT, level="c", consent=True)
             for i, kind in enumerate(["school_board"] * 6 + ["ngo"] * 5)]
    study = services.study_create(user=researcher, title="Validating the model", rule={"name": "comet"},
                                  drop_settled=False)
    services.panel_invite(user=researcher, study=study, members=panel)
    for code, level in (("S1", "individual"), ("S2", "relational"), ("S3", "community")):
        services.statement_add(user=researcher, study=study, code=code, text=f"Statement {code}.", level=level)
    r1 = services.round_open(user=researcher, study=study)
    for i, m in enumerate(panel):
        for s, v in zip(r1.statements.order_by("code"), (8, 2 + i % 3, 4 + i % 5), strict=True):
            services.rating_submit(user=m.user, round=r1, statement=s, value=v, comment="")
    services.round_close(user=researcher, round=r1)
    services.statement_add(user=researcher, study=study, code="S4", text="Added in round 2.", level="political")
    r2 = services.round_open(user=researcher, study=study)
    for i, m in enumerate(panel[:9]):  # two panellists lost
        for s in r2.statements.order_by("code"):
            services.rating_submit(user=m.user, round=r2, statement=s, value=5 + i % 4, comment="")
    services.round_close(user=researcher, round=r2)
    return DelphiStudy.objects.get()


def visible_text(page: str) -> str:
    body = re.sub(r"<script.*?</script>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


def test_the_checker_sees_what_was_shown_before():
    for bad in ("nan of nan", "25.0 / 33.0", "school_board: 5", "ngo: 5", "-0.00", "None"):
        assert RAW.search(bad), bad
    assert not RAW.search("25 of 33 · School board or leadership · -2.75 · 0.00 · No consensus")


def test_report_page_reads_counts_labels_and_no_nan(demo_study, client):
    client.force_login(demo_study.created_by)
    text = visible_text(client.get(reverse("cocreation:report", args=[demo_study.pk])).content.decode())
    assert not RAW.search(text), RAW.search(text).group(0)
    assert re.search(r"\b\d+ of \d+\b", text)  # changed / paired, and responded of invited
    assert "School board or leadership" in text and "NGO or civil society" in text
    assert "Individual" in text and "No consensus" in text
    assert "—" in text  # round 1 has no "lost since previous round"; S4 (added in round 2) no change in IQR


def test_results_page_reads_labels_and_no_nan(demo_study, client):
    client.force_login(demo_study.created_by)
    page = client.get(reverse("cocreation:results", args=[demo_study.pk]), {"round": 2}).content.decode()
    text = visible_text(page)
    assert "S4" in text  # added in round 2: no change in IQR, no Wilcoxon test (NaN before)
    assert not RAW.search(text), RAW.search(text).group(0)
    assert 'class="table-scroll"' in page  # 15 columns scroll inside their box, not the page
    assert "\u00a0%" in text  # shares as percentages, one rule


def test_csv_headers_follow_the_language_and_cells_hold_no_nan(demo_study):
    with translation.override("en"):
        report = selectors.final_report(demo_study)
        text = reports.report_csv(report)
        round_text = reports.round_csv(selectors.results(study=demo_study, number=2).to_dict("records"))
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0])[:4] == ["Statement", "Level", "Text", "Round"]
    assert {r["Level"] for r in rows} <= {"Individual", "Relational", "Community", "Political"}
    assert all(r["Ratings"].isdigit() for r in rows)  # counts as integers
    cells = [c for row in csv.reader(io.StringIO(round_text)) for c in row]
    assert "nan" not in cells and "None" not in cells and "-0.0" not in cells
    per_round = list(csv.DictReader(io.StringIO(round_text)))
    for row in per_round:  # counts as integers ("25", never "25.0"), a missing one empty
        for column in ("Ratings", "Panellists who rated both rounds", "Panellists who changed their rating"):
            assert row[column] == "" or row[column].isdigit(), (column, row[column])
    added = next(r for r in per_round if r["Statement"] == "S4")
    assert added["Change in IQR"] == "" and added["Panellists who changed their rating"] == ""
    assert any(r["Panellists who rated both rounds"].isdigit() for r in per_round)
    with translation.override("es"):
        spanish = reports.report_csv(selectors.final_report(demo_study)).splitlines()[0]
    assert spanish != text.splitlines()[0] and "Statement" not in spanish


def _streams(pdf: bytes) -> list[bytes]:
    out = []
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, flags=re.S):
        try:
            out.append(zlib.decompress(match.group(1)))
        except zlib.error:
            out.append(match.group(1))
    return out


def _unicode_points(pdf: bytes) -> set[int]:
    """The characters the PDF's embedded font subsets map to (their ToUnicode CMaps)."""
    points = set()
    for stream in _streams(pdf):
        if b"beginbfchar" in stream or b"beginbfrange" in stream:
            points |= {int(h, 16) for h in re.findall(rb"<[0-9A-Fa-f]+>\s*<([0-9A-Fa-f]{4})>", stream)}
    return points


def test_pdf_embeds_a_unicode_font_and_prints_greek(demo_study):
    with translation.override("el"):
        pdf = reports.report_pdf(selectors.final_report(demo_study))
    assert pdf.startswith(b"%PDF")
    assert b"/FontFile2" in pdf and b"DejaVuSans" in pdf  # the TrueType font is embedded
    assert b"/BaseFont /Helvetica" not in pdf  # no Latin-1 core font anywhere
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) >= 1
    greek = {p for p in _unicode_points(pdf) if 0x0370 <= p <= 0x03FF}
    assert len(greek) >= 10  # "Μέλος οικογένειας", "Γύρος", … drawn with Greek glyphs, not "?"
    with translation.override("en"):
        english = reports.report_pdf(selectors.final_report(demo_study))
    assert not {p for p in _unicode_points(english) if 0x0370 <= p <= 0x03FF}


def test_pdf_prints_polish_and_romanian_letters(demo_study):
    rows = selectors.results(study=demo_study, number=2).to_dict("records")
    for language, letters in (("pl", "ąęłńóśźż"), ("ro", "ășțŞ"[:3])):
        with translation.override(language):
            pdf = reports.round_pdf(demo_study, 2, "Zażółć gęślą jaźń; Știință și țară", rows)
        assert {ord(c) for c in letters} <= _unicode_points(pdf), language
