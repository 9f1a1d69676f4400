"""A policy brief as a document: its sections in order, the evidence from the analysis with its uncertainty (variance
shares; strata with 95 % intervals and none under 10 students), the Delphi figures of each recommendation, the
strongest programmes, what the data cannot show, where everything comes from; a simulated-data banner; a tagged PDF
that is not blank, of two to four pages; the `report brief` command; every label translated."""

from __future__ import annotations

import re

import brief_world
import pypdfium2
import pytest
from django.db import transaction
from django.test import override_settings
from report_checks import assert_not_blank, assert_tagged, pdf_text, untranslated
from typer.testing import CliRunner

from safeschool.cli import app
from safeschool.publishing.document import Facts, Figure, Links, Notice, Paragraph, Table
from safeschool.vocabulary import MIN_CELL
from safeschool.web.analysis.models import AnalysisRun
from safeschool.web.reports import briefs, render_pdf
from safeschool.web.reports import services_briefs as services
from safeschool.web.research.models import CohortLoad

pytestmark = pytest.mark.django_db
SECTIONS = ["Key messages", "The evidence", "The official indicator", "What the network's stakeholders agreed",
            "Programmes with the strongest evidence", "Implications", "Limitations", "Evidence base and provenance"]


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory, test_settings_for, cohort_files):
    computed = brief_world.results(cohort_files)
    with override_settings(**test_settings_for(tmp_path_factory.mktemp("brief-doc-home"))), \
            django_db_blocker.unblock(), transaction.atomic():
        w = brief_world.build(computed)
        w.report = briefs.build(w.published)
        w.pdf = render_pdf.pdf(w.report)
        yield w
        transaction.set_rollback(True)


def _section(report, title):
    return next(s for s in report.sections if s.title == title)


def _blocks(report, title, kind):
    return [b for b in _section(report, title).blocks if isinstance(b, kind)]


def test_the_sections_come_in_the_brief_order_with_the_team_narrative(world):
    report = world.report
    assert [s.title for s in report.sections] == SECTIONS
    assert report.kind == "brief" and report.language == "en" and report.title == "Where differences lie"
    assert report.slug == f"brief-{world.published.slug}-en"
    key = [p.text for p in _blocks(report, "Key messages", Paragraph)]
    assert key == ["Most differences lie between students.", "A fifth lies between schools."]
    assert [p.text for p in _blocks(report, "Implications", Paragraph)] == ["Act at school level too."]
    assert "Draft" not in " ".join(n.text for n in report.notices)  # published


def test_the_evidence_of_an_ecological_decomposition_is_its_variance_shares(world):
    figure = _blocks(world.report, "The evidence", Figure)[0]
    rows = figure.table.rows
    shares = {v["level"]: v["vpc"] for v in world.eco.result["variance"] if v["step"] == "null model"}
    assert [r["level"] for r in rows] == ["Country", "School", "Class", "Student"]
    assert [r["share"] for r in rows] == [shares[k] for k in ("country", "school", "class", "student")]
    assert sum(r["share"] for r in rows) == pytest.approx(1.0)
    assert all(r["explained"] is None or 0 <= r["explained"] <= 1 for r in rows)
    facts = dict(_blocks(world.report, "The evidence", Facts)[0].items)
    assert re.sub(r"\D", "", facts["Students"]) == str(world.eco.result["n_obs"])
    assert facts["Wave"] == "1" and facts["Outcome"] == "Achievement (test score)"


def test_a_maihda_brief_shows_strata_with_intervals_and_none_under_ten_students(world):
    report = briefs.build(world.draft)
    assert report.language == "es" and len(report.notices) == 1 and not world.report.notices  # the draft notice
    figure = next(b for s in report.sections for b in s.blocks if isinstance(b, Figure))
    assert figure.chart.kind == "dots" and figure.chart.low == "low" and figure.chart.high == "high"
    rows = figure.table.rows
    assert rows and all(r["n"] >= MIN_CELL and r["low"] <= r["predicted"] <= r["high"] for r in rows)
    assert len(rows) == len([s for s in world.maihda.result["strata"] if s["n"] >= MIN_CELL])
    hidden = world.maihda.result["n_strata_suppressed"]
    assert hidden >= 1 and str(MIN_CELL) in figure.table.note  # the cohort has a small stratum: said, not shown


def test_recommendations_carry_their_delphi_figures_and_programmes_their_tier(world):
    table = _blocks(world.report, "What the network's stakeholders agreed", Table)[0]
    assert [r["text"] for r in table.rows] == ["Every student has a trusted adult.",
                                               "Schools use alternatives to exclusion."]
    assert all(r["median"] == 8 and r["n"] == 7 and r["round"] == 1 and r["iqr"] == 0 for r in table.rows)
    programmes = _blocks(world.report, "Programmes with the strongest evidence", Table)[0]
    assert [r["title"] for r in programmes.rows] == ["Good Behaviour Game", "Check and Connect"]
    assert programmes.rows[0]["tier"].startswith("Strong")
    links = _blocks(world.report, "Programmes with the strongest evidence", Links)[0]
    assert [url for _text, url in links.items] == ["https://example.org/strong", "https://example.org/moderate"]


def test_limitations_and_provenance_state_what_the_data_cannot_show_and_where_it_comes_from(world):
    text = " ".join(p.text for p in _blocks(world.report, "Limitations", Paragraph))
    assert "observational" in text and "associations, not the effects" in text
    assert "Team's own caveat: one wave only." in text and "simulated" not in text
    provenance = world.report.provenance[0]
    assert provenance.url == f"/analysis/{world.eco.pk}/"
    assert world.eco.provenance["data_fingerprint"][:12] in provenance.detail and "mixedlm" in provenance.detail
    assert any(p.label == "Delphi study: Validating the model" and "round 1" in p.detail
               for p in world.report.provenance)
    links = _blocks(world.report, "Evidence base and provenance", Links)[0]
    assert (provenance.label, provenance.url) in links.items
    indicator = _blocks(world.report, "The official indicator", Paragraph)[0].text
    assert "No official figures" in indicator  # no release imported in this world


def test_simulated_data_are_said_on_the_cover_and_in_the_limitations(world):
    CohortLoad.objects.create(fingerprint="f" * 64, source="demo", simulated=True)
    report = briefs.build(world.published)
    assert any("simulated data" in n.text for n in report.notices)
    assert any(isinstance(b, Paragraph) and "simulated data" in b.text for b in _section(report, "Limitations").blocks)
    assert all(not isinstance(b, Notice) for b in _section(report, "Key messages").blocks)


def test_the_pdf_is_tagged_not_blank_and_two_to_four_pages(world):
    assert_tagged(world.pdf, "en", "Where differences lie")
    assert_not_blank(world.pdf)
    pages = len(pypdfium2.PdfDocument(world.pdf))
    assert 2 <= pages <= 4, pages
    text = pdf_text(world.pdf)
    assert "Every student has a trusted adult." in text and "Good Behaviour Game" in text


def test_the_command_writes_the_brief_by_number_or_slug(world, tmp_path):
    runner = CliRunner()
    result = runner.invoke(app, ["report", "brief", "--brief", str(world.published.pk), "--out",
                                 str(tmp_path / "b.pdf")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "b.pdf").read_bytes().startswith(b"%PDF")
    result = runner.invoke(app, ["report", "brief", "--brief", world.published.slug, "--out",
                                 str(tmp_path / "b.html")])
    assert result.exit_code == 0, result.output
    assert "Where differences lie" in (tmp_path / "b.html").read_text() and (tmp_path / "assets").is_dir()
    for reference, out in (("no-such-brief", "x.pdf"), (world.published.slug, "x.docx")):
        result = runner.invoke(app, ["report", "brief", "--brief", reference, "--out", str(tmp_path / out)])
        assert result.exit_code == 2 and "Traceback" not in result.output


def test_every_label_of_a_brief_is_translated(world):
    spanish = services.brief_create(user=world.researcher, title="Dónde están las diferencias", language="es",
                                    analysis=world.eco, recommendations=[world.statements["S1"]],
                                    programmes=[world.strong], key_messages="Mensaje.")
    left = untranslated(world.report, briefs.build(spanish), allow=("IQR", "Good Behaviour Game"))
    assert left == []


def test_a_within_country_decomposition_shows_its_variance_shares_with_95_intervals(world):
    result = dict(world.eco.result, intervals={"available": True, "n_schools": 12, "school": 0.2,
                                               "school_ci": [0.1, 0.3], "class": 0.05, "class_ci": [0.01, 0.09],
                                               "student": 0.75, "student_ci": [0.65, 0.85]})
    run = AnalysisRun.objects.create(kind="ecological", status="succeeded", result=result, charts={},
                                     parameters=dict(world.eco.parameters, country="IT"), provenance={})
    brief = services.brief_create(user=world.researcher, title="Italy", language="en", analysis=run, country="IT")
    report = briefs.build(brief)
    figure = _blocks(report, "The evidence", Figure)[0]
    assert figure.chart.low == "low" and figure.chart.high == "high"
    school = next(r for r in figure.table.rows if r["level"] == "School")
    assert (school["low"], school["high"]) == (0.1, 0.3) and "bootstrap over 12 schools" in figure.table.note
    assert dict(_blocks(report, "The evidence", Facts)[0].items)["Country"] == "Italy"
    limitations = " ".join(p.text for p in _blocks(report, "Limitations", Paragraph))
    assert "without confidence intervals" not in limitations
    assert "without confidence intervals" in " ".join(p.text for p in _blocks(world.report, "Limitations", Paragraph))
