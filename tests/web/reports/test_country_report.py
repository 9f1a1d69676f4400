"""A country's profile report on a small simulated country (country_world.py): its sections, the analyses it rests
on created once and reused, shares of variance with intervals and the most disadvantaged strata, nothing about
fewer than 10 students (checked on the document and on the PDF's text), a tagged PDF that is not blank, every label
translated, who may read it, and `safeschool report country`."""

from __future__ import annotations

import re

import country_world
import pytest
from django.db import transaction
from django.test import override_settings
from report_checks import assert_not_blank, assert_tagged, pdf_text, untranslated
from typer.testing import CliRunner

from safeschool.cli import app
from safeschool.publishing.document import Facts, Figure, Table
from safeschool.vocabulary import MIN_CELL
from safeschool.web.analysis.models import AnalysisRun, Status
from safeschool.web.core import formatting
from safeschool.web.reports import country as country_report
from safeschool.web.reports import render_pdf
from safeschool.web.reports.services_country import ensure_country_analyses

pytestmark = pytest.mark.django_db
SECTIONS = ["Policies", "Early leaving against the EU target", "The network's schools", "Where the variance sits",
            "Who is left behind", "About this report"]


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory, test_settings_for):
    with override_settings(**test_settings_for(tmp_path_factory.mktemp("country-report"))), \
            django_db_blocker.unblock(), transaction.atomic():
        made = country_world.build(tmp_path_factory.mktemp("country-cohort"))
        made.english = country_report.build(made.country, language="en")
        made.italian = country_report.build(made.country, language="it")
        made.pdf = render_pdf.pdf(made.english)
        yield made
        transaction.set_rollback(True)


def _blocks(report, title: str, kind=None) -> list:
    section = next(s for s in report.sections if s.title == title)
    return [b for b in section.blocks if kind is None or isinstance(b, kind)]


def _tables(report) -> list[Table]:
    return report.tables()


def test_the_sections_and_their_content(world):
    report = world.english
    assert [s.title for s in report.sections] == SECTIONS
    assert report.kind == "country" and report.slug == f"country-{world.country.code.lower()}-en"
    assert report.title == f"Country profile: {formatting.label('country', world.country.code)}"
    facts = _blocks(report, "Policies", Facts)[0]
    assert [label for label, _value in facts.items] == ["Age of first tracking", "Grade repetition",
                                                        "National early-leaving strategy", "Inclusion index"]
    policy = next(t for t in _blocks(report, "Policies", Table))
    assert policy.rows[0]["title"] == country_world.POLICY and policy.rows[0]["year"] == "2022"
    assert len(policy.rows[0]["summary"]) <= country_report.SUMMARY_LENGTH  # a long summary is cut
    # no Eurostat file imported: said so, with the network's own measure labelled as a different one
    early = _blocks(report, "Early leaving against the EU target")
    assert any("No official figures imported" in getattr(b, "text", "") for b in early)
    assert any("a different measure" in getattr(b, "text", "") for b in early)
    # provenance: the cohort and each run, linked to its page with its data fingerprint
    runs = {p.url: p.detail for p in report.provenance if p.url.startswith("/analysis/")}
    assert set(runs) == {f"/analysis/{run.pk}/" for run in world.runs.values()}
    assert all(run.provenance["data_fingerprint"][:8] in runs[f"/analysis/{run.pk}/"] for run in world.runs.values())
    assert report.data_version and not any("being computed" in n.text for n in report.notices)


def test_variance_shares_come_with_intervals_from_the_stored_runs(world):
    figures = {f.name: f for f in _blocks(world.english, "Where the variance sits", Figure)}
    assert set(figures) == {"variance-achievement", "variance-dropout"}
    for figure in figures.values():
        rows = figure.table.rows
        assert [r["level"] for r in rows] == ["School", "Class", "Student"]
        assert sum(r["share"] for r in rows) == pytest.approx(1)
        assert all(r["low"] is not None and r["low"] <= r["share"] <= r["high"] for r in rows)
    run = world.runs["variance_achievement"]
    school = figures["variance-achievement"].table.rows[0]
    assert school["share"] == pytest.approx(run.result["intervals"]["school"])
    assert school["model"] == pytest.approx(next(v["vpc"] for v in run.result["variance"]
                                                 if v["step"] == "null model" and v["level"] == "school"))


def test_the_most_disadvantaged_strata_are_shown_and_the_small_ones_only_counted(world):
    figure = _blocks(world.english, "Who is left behind", Figure)[0]
    rows = figure.table.rows
    assert 3 <= len(rows) <= 5
    predicted = [r["predicted"] for r in rows]
    assert predicted == sorted(predicted, reverse=True)  # highest predicted early leaving first
    result = world.runs["strata_dropout"].result
    assert predicted[0] == pytest.approx(max(s["predicted"] for s in result["strata"]))
    assert all(r["n"] >= MIN_CELL for r in rows)
    facts = dict(_blocks(world.english, "Who is left behind", Facts)[0].items)
    hidden = result["n_strata_suppressed"] + result["n_strata_protecting"]
    assert f"{result['n_strata']}, of which {len(result['strata'])} shown and {hidden} not shown" in facts["Strata"]


def test_nothing_about_fewer_than_ten_students(world):
    table = next(t for t in _blocks(world.english, "The network's schools", Table))
    early = next(r for r in table.rows if r["stage"] == formatting.label("stage", "ecec"))
    assert early["schools"] == 1 and early["students"] is None and "students" in early["hidden"]
    assert "1 school with fewer than 10 students" in table.note
    for t in _tables(world.english):  # every count of students in the document
        for column in (c for c in t.columns if c.format == "count" and c.field != "schools"):
            assert all(r.get(column.field) is None or r[column.field] >= MIN_CELL for r in t.rows), t.caption
    text = pdf_text(world.pdf)
    stage = re.escape(formatting.label("stage", "ecec"))
    assert re.search(stage + r"\s+1\s+n<10", text), "the small school's stage shows no hidden students"
    assert not re.search(stage + r"\s+1\s+" + str(country_world.SMALL_SCHOOL) + r"\b", text)


def test_the_pdf_is_tagged_in_its_language_and_not_blank(world):
    assert_tagged(world.pdf, "en", world.english.title)
    assert_not_blank(world.pdf)
    text = pdf_text(world.pdf)
    assert "Where the variance sits" in text and country_world.POLICY in text


def test_italian_leaves_no_label_untranslated(world):
    assert world.italian.language == "it" and world.italian.slug.endswith("-it")
    assert untranslated(world.english, world.italian, allow=[country_world.POLICY]) == []


def test_the_analyses_are_created_once_and_reused(world, client):
    assert AnalysisRun.objects.count() == 3
    assert all(run.status == Status.SUCCEEDED for run in world.runs.values()), [r.error for r in world.runs.values()]
    assert {run.parameters["country"] for run in world.runs.values()} == {world.country.code}
    again = ensure_country_analyses(world.country, run_now=True)
    assert {k: r.pk for k, r in again.items()} == {k: r.pk for k, r in world.runs.items()}
    client.force_login(world.users["member"])
    assert client.get(f"/reports/countries/{world.country.code}/").status_code == 200
    assert AnalysisRun.objects.count() == 3


@pytest.mark.parametrize(("role", "expected"), [("anonymous", 302), ("member", 200), ("staff", 200),
                                                ("researcher", 200), ("admin", 200)])
def test_who_may_read_it(world, client, role, expected):
    if role != "anonymous":
        client.force_login(world.users[role])
    code = world.country.code
    for path in (f"/reports/countries/{code}/", f"/reports/countries/{code}/html/"):
        response = client.get(path)
        assert response.status_code == expected, path
        if expected == 302:
            assert "/accounts/login/" in response.url


def test_pages_files_languages_and_unknown_addresses(world, client):
    client.force_login(world.users["member"])
    code = world.country.code
    page = client.get(f"/reports/countries/{code.lower()}/")
    assert page.status_code == 200 and page["Content-Language"] == "it"  # the country's language by default
    assert f"/reports/countries/{code}/pdf/?language=it" in page.content.decode()
    english = client.get(f"/reports/countries/{code}/?language=en")
    assert english["Content-Language"] == "en" and "Where the variance sits" in english.content.decode()
    assert client.get(f"/reports/countries/{code}/?language=zz")["Content-Language"] == "it"
    pdf = client.get(f"/reports/countries/{code}/pdf/?language=en")
    assert pdf["Content-Type"] == "application/pdf" and f"country-{code.lower()}-en.pdf" in pdf["Content-Disposition"]
    assert client.get("/reports/countries/XX/").status_code == 404
    assert client.get(f"/reports/countries/{code}/docx/").status_code == 404
    detail = client.get(f"/schools/countries/{code}/").content.decode()
    assert f'href="/reports/countries/{code}/"' in detail


def test_the_command_writes_the_report_and_refuses_an_unknown_country(world, tmp_path):
    code = world.country.code
    result = CliRunner().invoke(app, ["report", "country", "--country", code, "--out", str(tmp_path / "site" / "c.html"),
                                      "--language", "en"])
    assert result.exit_code == 0, result.output
    assert "Where the variance sits" in (tmp_path / "site" / "c.html").read_text()
    assert any((tmp_path / "site" / "assets").iterdir())
    result = CliRunner().invoke(app, ["report", "country", "--country", code.lower(), "--out", str(tmp_path / "c")])
    assert result.exit_code == 0, result.output
    assert_not_blank((tmp_path / "c.pdf").read_bytes())
    assert AnalysisRun.objects.count() == 3  # the stored runs were reused
    unknown = CliRunner().invoke(app, ["report", "country", "--country", "XX", "--out", str(tmp_path / "x.pdf")])
    assert unknown.exit_code == 2 and "Traceback" not in unknown.output and "no country 'XX'" in unknown.output
    wrong = CliRunner().invoke(app, ["report", "country", "--country", code, "--out", str(tmp_path / "x.doc")])
    assert wrong.exit_code == 2
