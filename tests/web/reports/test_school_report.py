"""A school's profile report on a hand-made school (school_world.py) with a group of 3 Roma students and a class of
4: no count or mean about fewer than 10 students reaches the document or its PDF (the hidden label does), the PDF
is drawn and tagged in the school's language, the sections say what is there and what is not, and every label is
translated."""

from __future__ import annotations

import re

import pytest
import school_world
from django.db import transaction
from django.test import override_settings
from report_checks import assert_not_blank, assert_tagged, pdf_text, untranslated

from safeschool.publishing.document import Facts, Figure, Links, Paragraph, Table
from safeschool.stats.disclosure import BELOW_MIN, PROTECTS
from safeschool.web.reports import render_pdf
from safeschool.web.reports import school as school_report

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory, test_settings_for):
    with override_settings(**test_settings_for(tmp_path_factory.mktemp("school-report-home"))), \
            django_db_blocker.unblock(), transaction.atomic():
        made = school_world.build()
        made.report = school_report.build(made.school)  # the school's language: Italian
        made.english = school_report.build(made.school, language="en")
        made.pdf = render_pdf.pdf(made.report)
        made.tiny_report = school_report.build(made.tiny, language="en")
        made.tiny_pdf = render_pdf.pdf(made.tiny_report)
        yield made
        transaction.set_rollback(True)


def section(report, anchor: str):
    return next(s for s in report.sections if s.anchor == anchor)


def group_rows(report) -> dict[str, dict]:
    table = next(f.table for f in report.figures() if f.name == "left-early-by-group")
    return {row["group"]: row for row in table.rows}


def test_the_report_is_in_the_schools_language_unless_asked(world):
    assert world.report.language == "it" and world.report.slug == "school-IT-T01-it"
    assert world.english.language == "en" and world.english.title == "School profile: Scuola Test"
    assert [s.anchor for s in world.report.sections] == [
        "about", "climate", "outcomes", "groups", "selfeval", "label", "plan", "practices", "about-report"]


def test_a_group_of_three_is_hidden_with_its_complement_and_carries_no_figure(world):
    rows = group_rows(world.english)
    roma, others = rows["Roma / ethnic minority"], rows["Not minority"]
    assert roma["suppressed"] and roma["reason"] == BELOW_MIN
    assert others["suppressed"] and others["reason"] == PROTECTS  # else 34 - 31 would give the 3 away
    for row in (roma, others):
        assert all(row[f] is None for f in ("n", "left_early", "security", "belonging")), row
    shown = rows["Migrant background"]
    assert shown["n"] == 15 and not shown.get("suppressed") and shown["security"] is not None


def test_the_pdf_holds_no_figure_about_fewer_than_ten_students(world):
    text = pdf_text(world.pdf)
    for figure in school_world.HIDDEN_FIGURES:
        assert figure not in text, figure
    roma = [line for line in text.splitlines() if "Rom" in line and "minoranz" in line.lower()]
    assert roma, "the Roma rows are listed"
    for line in roma:  # each Roma row reads the hidden label, never a count
        assert "n<10" in line or "nascost" in line.lower() or "hidden" in line, line
        assert not re.search(r"(?<![<\d])\b(3|31)\b", line), line
    assert "34" in text  # the school's own size is shown


def test_a_school_of_six_shows_none_of_its_figures(world):
    report = world.tiny_report
    about = section(report, "about")
    assert any("fewer than 10 students" in getattr(b, "text", "") for b in about.blocks)
    facts = dict(next(b for b in about.blocks if isinstance(b, Facts)).items)
    assert facts["Students"] == "not shown (fewer than 10 students)"
    for table in report.tables():
        for row in table.rows:
            assert row.get("suppressed"), (table.caption, row)
            assert all(row.get(f) is None for f in ("n", "mean", "ci_low", "ci_high", "left_early", "security",
                                                     "belonging")), row
    text = pdf_text(world.tiny_pdf)
    for figure in ("1.93", "2.17", "277", "66.7", " 6 "):
        assert figure not in text, figure


def test_the_pdf_is_drawn_and_tagged_in_the_schools_language(world):
    assert_not_blank(world.pdf)
    assert_tagged(world.pdf, "it", world.report.title)


def test_what_the_school_has_not_done_yet_is_said(world):
    texts = {s.anchor: " ".join(b.text for b in s.blocks if isinstance(b, Paragraph)) for s in world.english.sections}
    assert "No self-evaluation yet" in texts["selfeval"]
    assert "does not hold the Safe School Label" in texts["label"]
    assert "no current action plan" in texts["plan"]
    about = dict(next(b for b in section(world.english, "about").blocks if isinstance(b, Facts)).items)
    assert about["Students"] == "34" and about["Classes"] == "2" and about["Waves"] == "2"


def test_waves_have_means_with_intervals_and_the_report_says_where_they_come_from(world):
    climate = next(b for b in section(world.english, "climate").blocks if isinstance(b, Figure))
    assert len(climate.table.rows) == 6  # three measures, two waves
    assert all(r["ci_low"] <= r["mean"] <= r["ci_high"] and r["n"] == 34 for r in climate.table.rows)
    assert climate.table.rows[0]["ci_low"] < climate.table.rows[0]["mean"]  # security varies: a real interval
    outcomes = [b for b in section(world.english, "outcomes").blocks if isinstance(b, Figure)]
    assert [f.name for f in outcomes] == ["achievement-by-wave", "shares-by-wave"]
    assert world.english.provenance and world.english.data_version
    assert any("Disclosure rule" in b.text for b in section(world.english, "about-report").blocks)
    practices = section(world.english, "practices").blocks
    assert all(not isinstance(b, Links) for b in practices) or all(
        url.startswith("/hub/") for b in practices if isinstance(b, Links) for _t, url in b.items)
    assert all(isinstance(b, (Paragraph, Links, Facts, Figure, Table)) for s in world.report.sections
               for b in s.blocks if s.anchor != "about")


def test_every_label_is_translated(world):
    assert untranslated(world.english, world.report, allow=("Scuola Test",)) == []
