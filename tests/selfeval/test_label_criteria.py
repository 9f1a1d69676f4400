"""The Safe School Label's criteria (safeschool/selfeval/label.yaml) checked by hand-built facts: each threshold
just met and just missed, the cumulative highest level, and the texts listed for the translation catalogues."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from safeschool import vocabulary
from safeschool.selfeval import label, label_texts

TODAY = dt.date(2026, 6, 1)
GROUPS = ("leaders", "teachers", "students", "families")
DIMENSIONS = ("safe_learning", "safe_teaching", "safe_school", "safe_education")


def report(scores: dict | None = None, shown=GROUPS, practices=None) -> dict:
    """A report dict with every dimension of every shown group at `scores[(dimension, group)]` (default 80), the
    gaps between every pair of groups, and the leaders' yes/no answers (share of yes)."""
    scores = scores or {}
    rows = [{"level": "dimension", "code": d, "dimension": d, "subdimension": None, "informant": g,
             "score_100": scores.get((d, g), 80.0), "score": None, "n": 20} for d in DIMENSIONS for g in shown]
    if practices is None:
        practices = {p: 1.0 for p in label.load_criteria().practices}
    rows += [{"level": "indicator", "code": p, "informant": "leaders", "score": share, "score_100": share * 100,
              "n": 2} for p, share in practices.items()]
    gaps = []
    for d in DIMENSIONS:
        for i, a in enumerate(shown):
            for b in shown[i + 1:]:
                av, bv = scores.get((d, a), 80.0), scores.get((d, b), 80.0)
                gaps.append({"level": "dimension", "code": d, "a": a, "b": b, "a_100": av, "b_100": bv,
                             "gap": av - bv, "large": abs(av - bv) >= 15})
    return {"groups": [{"informant": g, "n": 20 if g in shown else None, "shown": g in shown} for g in GROUPS],
            "scores": rows, "gaps": gaps}


def facts(**change) -> dict:
    base = {"report": report(), "evidence": set(label.load_criteria().practices),
            "plan": {"status": "active", "goals": 2}, "par": {"participating": True, "finished": True},
            "campaign": {"closed_on": TODAY - dt.timedelta(days=30)}, "previous": report(), "today": TODAY}
    return {**base, **change}


def met(level: str, f: dict) -> dict:
    return {c["code"]: c["met"] for c in label.check(level, f)}


def test_the_published_file_loads_with_three_levels_each_criterion_with_its_reason():
    criteria = label.load_criteria()
    assert (criteria.code, criteria.version, criteria.valid_years) == ("safe_school_label", 1, 2)
    assert criteria.level_codes == ("committed", "safe", "exemplary")
    assert all(c.why and c.rule and c.name for lv in criteria.levels for c in lv.criteria)
    # the rule's text names the threshold actually checked
    sound = {c.code: c for c in criteria.level("safe").criteria}["sound_scores"]
    assert "60" in sound.text("rule")


def test_a_school_meeting_everything_is_exemplary():
    assert label.highest_level(facts()) == "exemplary"


def test_a_struggling_school_with_a_plan_is_committed():
    low = {(d, g): 40.0 for d in DIMENSIONS for g in GROUPS}
    f = facts(report=report(low, shown=("leaders", "students")), evidence=set(), previous=None,
              par={"participating": False, "finished": False})
    assert all(met("committed", f).values())
    assert label.highest_level(f) == "committed"


def test_no_plan_or_a_draft_plan_is_not_committed():
    assert met("committed", facts(plan=None))["plan_in_progress"] is False
    assert met("committed", facts(plan={"status": "draft", "goals": 3}))["plan_in_progress"] is False
    assert met("committed", facts(plan={"status": "active", "goals": 0}))["plan_in_progress"] is False
    assert label.highest_level(facts(plan=None)) is None


@pytest.mark.parametrize(("closed", "ok"), [(dt.date(2025, 6, 1), True), (dt.date(2025, 5, 31), False),
                                            (dt.date(2026, 6, 2), False)])
def test_the_campaign_closed_within_twelve_months(closed, ok):
    assert met("committed", facts(campaign={"closed_on": closed}))["recent_campaign"] is ok


def test_students_and_an_adult_group_must_be_shown():
    assert met("committed", facts(report=report(shown=("leaders", "teachers"))))["voices_heard"] is False
    assert met("committed", facts(report=report(shown=("students",))))["voices_heard"] is False
    assert met("committed", facts(report=report(shown=("families", "students"))))["voices_heard"] is True


def test_safe_needs_three_groups_with_students_and_families():
    assert met("safe", facts(report=report(shown=("leaders", "teachers", "students"))))["voices_heard"] is False
    assert met("safe", facts(report=report(shown=("teachers", "students", "families"))))["voices_heard"] is True


def test_sixty_in_every_dimension_of_every_group():
    just = report({("safe_school", "families"): 60.0})
    under = report({("safe_school", "families"): 59.9})
    assert met("safe", facts(report=just))["sound_scores"] is True
    result = {c["code"]: c for c in label.check("safe", facts(report=under))}["sound_scores"]
    assert result["met"] is False
    assert result["values"]["dimension"] == "safe_school" and result["values"]["group"] == "families"


def test_key_practices_must_be_in_place_and_documented():
    key = label.load_criteria().key_practices
    assert met("safe", facts(evidence=set(key)))["key_practices"] is True
    assert met("safe", facts(evidence=set(key) - {"early_warning_procedure"}))["key_practices"] is False
    # answering no does not pass the criterion
    no = {p: 1.0 for p in key} | {"anti_bullying_programme": 0.0}
    assert met("safe", facts(report=report(practices=no)))["key_practices"] is False
    # half the leaders is not a majority
    half = {p: 1.0 for p in key} | {"anti_bullying_programme": 0.5}
    assert met("safe", facts(report=report(practices=half)))["key_practices"] is False
    # exemplary asks for every practice
    assert met("exemplary", facts(evidence=set(key)))["all_practices"] is False


def test_par_participation_for_safe_and_a_finished_cycle_for_exemplary():
    ongoing = facts(par={"participating": True, "finished": False})
    assert met("safe", ongoing)["par_cycle"] is True
    assert met("exemplary", ongoing)["par_finished"] is False
    assert label.highest_level(ongoing) == "safe"
    assert met("safe", facts(par={"participating": False, "finished": False}))["par_cycle"] is False


def test_exemplary_thresholds_75_and_gap_15():
    assert met("exemplary", facts(report=report({("safe_learning", "students"): 74.9})))["high_scores"] is False
    # 90 vs 75: a gap of exactly 15 is too large; 89.9 vs 75 is not
    wide = report({("safe_learning", "leaders"): 90.0, ("safe_learning", "students"): 75.0})
    narrow = report({("safe_learning", "leaders"): 89.9, ("safe_learning", "students"): 75.0})
    assert met("exemplary", facts(report=wide))["small_gaps"] is False
    assert met("exemplary", facts(report=narrow))["small_gaps"] is True
    assert label.highest_level(facts(report=wide)) == "safe"


def test_no_dimension_down_more_than_five_points_and_a_previous_campaign_needed():
    before = report({("safe_teaching", "teachers"): 85.0})
    assert met("exemplary", facts(previous=before))["sustained_results"] is True  # down exactly 5
    before = report({("safe_teaching", "teachers"): 85.1})
    assert met("exemplary", facts(previous=before))["sustained_results"] is False
    assert met("exemplary", facts(previous=None))["sustained_results"] is False


def test_every_detail_fills_from_its_values():
    for level in label.load_criteria().level_codes:
        for f in (facts(), facts(report=report(shown=()), plan=None, previous=None, campaign=None, evidence=set())):
            for c in label.check(level, f):
                names = set(re.findall(r"%\((\w+)\)s", c["detail"]))
                assert names <= set(c["values"]), c


def test_an_unknown_check_or_level_is_refused():
    with pytest.raises(label.LabelCriteriaError, match="unknown check"):
        label.parse({"code": "x", "version": 1, "name": "x", "valid_years": 2, "practices": {}, "key_practices": [],
                     "levels": [{"code": "a", "name": "A", "why": "w", "criteria": [
                         {"code": "c", "name": "n", "rule": "r", "why": "w", "check": "nope"}]}]})
    with pytest.raises(label.LabelCriteriaError, match="unknown level"):
        label.check("gold", facts())


def test_every_text_of_the_file_is_listed_for_the_catalogues():
    criteria = label.load_criteria()
    texts = {criteria.name, *criteria.practices.values()}
    for level in criteria.levels:
        texts |= {level.name, level.why}
        texts |= {t for c in level.criteria for t in (c.name, c.rule, c.why)}
    listed = set(label_texts.TEXTS) | set(vocabulary.PILLARS.values())
    assert texts - listed == set()
    assert set(label_texts.TEXTS) - texts == set()  # nothing left over after a text changes


def test_the_practices_are_the_questionnaires_yes_no_indicators():
    from safeschool.selfeval.questionnaire import load

    yes_no = {code for code, i in load().indicators.items() if i.type == "yes_no"}
    assert set(label.load_criteria().practices) == yes_no
