"""The annual report's figures on a hand-made network (annual_world.py): member counts under 10 hidden with their
complements so that no hidden count follows from the total, students only in schools of at least 10, label awards
of the year, trial results only where every arm is large enough, the year's outputs, a year with nothing, and
every label translated."""

from __future__ import annotations

import annual_world
import pytest
from django.db import transaction
from django.test import override_settings

from safeschool.publishing.document import Facts, Figure, Links, Notice, Table
from safeschool.stats.disclosure import BELOW_MIN, PROTECTS
from safeschool.web.reports import annual

pytestmark = pytest.mark.django_db  # the test database is made only for tests that ask for it

@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory, test_settings_for):
    with override_settings(**test_settings_for(tmp_path_factory.mktemp("annual-home"))), \
            django_db_blocker.unblock(), transaction.atomic():
        made = annual_world.build()
        made.report = annual.build(made.year, language="en")
        made.last = annual.build(made.year - 1, language="en")
        made.empty = annual.build(2001, language="en")
        yield made
        transaction.set_rollback(True)


def section(report, anchor: str):
    return next(s for s in report.sections if s.anchor == anchor)


def blocks(report, anchor: str, kind):
    return [b for b in section(report, anchor).blocks if isinstance(b, kind)]


def figure(report, name: str) -> Figure:
    return next(f for f in report.figures() if f.name == name)


def facts(report, anchor: str) -> dict:
    return dict(item for f in blocks(report, anchor, Facts) for item in f.items)


def by_label(rows: list[dict], field: str = "label") -> dict:
    return {r[field]: r for r in rows}


def test_member_counts_under_ten_are_hidden_with_their_complements(world):
    types = by_label(figure(world.report, "members-type").table.rows)
    assert types["Teacher"]["n"] == 14
    assert types["Policymaker"]["n"] is None and types["Policymaker"]["reason"] == BELOW_MIN
    # 29 - 14 would give the 3 policymakers away: the next smallest count is hidden too
    assert types["Scientific community"]["n"] is None and types["Scientific community"]["reason"] == PROTECTS
    assert types["NGO or civil society"]["n"] == 0  # the withdrawn and the erased member are not counted
    levels = by_label(figure(world.report, "members-level").table.rows)
    assert levels["(a) Recipient of information"]["n"] == 15
    assert levels["(d) Advocate for policy and action"]["reason"] == BELOW_MIN  # 3
    assert levels["(b) Contributor to dissemination"]["reason"] == PROTECTS  # 11, else 29 - 15 gives the 3 away
    assert levels["(b) Contributor to dissemination"]["n"] is None
    countries = by_label(blocks(world.report, "members", Table)[0].rows)
    assert countries["Italy"]["n"] == 16 and countries["Portugal"]["n"] is None and countries["Spain"]["n"] is None
    # nothing hidden is carried into the chart's data either
    for name in ("members-type", "members-level"):
        for row in figure(world.report, name).chart.rows:
            assert row.get("n") is None or row.get("n") >= 10 or row.get("n") == 0
    shown = facts(world.report, "members")
    assert shown[f"Members at the end of {world.year}"] == "29"
    assert shown[f"Joined in {world.year}"] == "25"


def test_a_year_of_few_members_hides_its_total(world):
    shown = facts(world.last, "members")
    assert shown[f"Members at the end of {world.year - 1}"] == "fewer than 10"
    assert shown[f"Joined in {world.year - 1}"] == "fewer than 10"
    assert all(r["n"] is None for r in figure(world.last, "members-type").table.rows if r.get("suppressed"))
    assert not any((r.get("n") or 0) for r in figure(world.last, "members-type").table.rows)


def test_schools_count_students_only_in_schools_of_ten(world):
    stages = by_label(figure(world.report, "schools-stage").table.rows)
    assert stages["Lower secondary"]["schools"] == 1 and stages["Lower secondary"]["students"] == 12
    assert stages["Primary"]["schools"] == 1 and stages["Primary"]["students"] == 0  # 5 students: not counted
    assert "Early childhood education and care" not in stages  # a stage without schools is left out
    countries = by_label(blocks(world.report, "schools", Table)[0].rows)
    assert countries["Italy"]["schools"] == 2 and countries["Italy"]["students"] == 12
    assert facts(world.report, "schools")["Schools"] == "3"


def test_label_awards_of_the_year_and_the_register(world):
    shown = facts(world.report, "label")
    assert shown[f"Labels awarded in {world.year}"] == "1"
    assert next(v for k, v in shown.items() if k.startswith("Schools on the register")) == "2"
    levels = by_label(figure(world.report, "label-level").table.rows, "level")
    assert levels == {"Safe School": {"level": "Safe School", "n": 1}}


def test_trials_show_results_only_when_every_arm_is_large_enough(world):
    rows = {r["title"]: r for r in blocks(world.report, "trials", Table)[0].rows}
    assert set(rows) == {"Mentoring trial", "Restorative trial", "Tiny trial"}
    done = rows["Mentoring trial"]
    assert (done["g"], done["low"], done["high"], done["attrition"]) == (0.21, 0.05, 0.37, "low attrition")
    assert done["clusters"] == "2 schools" and done["status"] == "Completed"
    assert rows["Tiny trial"]["g"] is None and rows["Restorative trial"]["g"] is None
    dots = figure(world.report, "trial-effects").chart
    assert dots.kind == "dots" and [r["trial"] for r in dots.rows] == ["Mentoring trial"]
    assert [r.value for r in dots.rules] == [0.0]  # "no effect" drawn, so an interval's distance from it reads
    assert any("Mentoring trial" in p.label for p in world.report.provenance)


def test_outputs_published_in_the_year_with_links(world):
    links = [text for b in blocks(world.report, "outputs", Links) for text, _url in b.items]
    assert any(t.startswith("A case of this year") for t in links)
    assert any(t.startswith("1. Pack one") for t in links)
    assert any(t.startswith("Brief on belonging") for t in links)
    assert not any("last year" in t or "Draft brief" in t for t in links)
    assert facts(world.report, "outputs")["Case studies"] == "1"
    assert facts(world.last, "outputs")["Case studies"] == "1"


def test_a_year_with_nothing_says_so_in_each_section(world):
    notices = {s.anchor for s in world.empty.sections if any(isinstance(b, Notice) for b in s.blocks)}
    assert {"members", "label", "trials", "outputs"} <= notices
    assert world.empty.title == "Annual report 2001" and world.empty.slug == "annual-report-2001-en"
    assert world.empty.data_version and section(world.empty, "about").blocks


def test_years_outside_the_range_are_refused(world):
    for year in (1999, world.year + 2):
        with pytest.raises(ValueError):
            annual.build(year, language="en")


def test_the_report_in_another_language_leaves_no_label_untranslated(world):
    from report_checks import untranslated

    other = annual.build(world.year, language="it")
    assert other.language == "it"
    assert untranslated(world.report, other, allow=["Mentoring trial", "Restorative trial", "Tiny trial",
                                                    "PDF", "HTML"]) == []
