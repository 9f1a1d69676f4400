"""Recommendations (issue 16 §4): the weak subdimensions, the weakest indicator, and the matching and ranking of
programmes, practices, policies and resources — deterministic, explained by data, nothing for a strong school."""

from __future__ import annotations

import random

import pytest

from safeschool.selfeval.questionnaire import load
from safeschool.selfeval.recommend import KINDS, recommend, weak_subdimensions

Q = load()
WISE = "wise_school_teaching_learning"  # principles [3, 5], dimension safe_school (community)
KIND_SCHOOL = "kind_school"             # principles [2, 1], community


def _indicators(code):
    return [i.code for d in Q.dimensions for s in d.subdimensions if s.code == code for i in s.indicators]


def _report(percentiles: dict[str, list], scores: dict[str, float] | None = None, priorities=None,
            indicator_scores=None) -> dict:
    """A report of the contract's shape: comparison rows per subdimension and group, subdimension scores."""
    groups = ("teachers", "students")
    comparison, rows = [], []
    for d in Q.dimensions:
        for s in d.subdimensions:
            for g, p in zip(groups, percentiles.get(s.code, [60, 70]), strict=True):
                comparison.append({"level": "subdimension", "code": s.code, "informant": g, "score_100": 50.0,
                                   "percentile": p, "peers_n": 12, "peer_median": 55.0,
                                   "scope": "stage_country"})
            for g in groups:
                rows.append({"level": "subdimension", "code": s.code, "dimension": d.code, "subdimension": s.code,
                             "informant": g, "score": 3.0, "score_100": (scores or {}).get(s.code, 60.0), "n": 40})
    for code, value in (indicator_scores or {}).items():
        rows.append({"level": "indicator", "code": code, "dimension": None, "subdimension": None,
                     "informant": "students", "score": None, "score_100": value, "n": 40})
    return {"comparison": comparison, "scores": rows, "priorities": priorities or []}


def _programme(pid, title, fit, tier="moderate", country="IT", stages=()):
    return {"id": pid, "title": title, "fit": fit, "tier": tier, "country": country, "level": "community",
            "stages": list(stages)}


CATALOGUE = {
    "programmes": [
        _programme(1, "Zeta", {"3": 2}, "rationale"),
        _programme(2, "Alpha", {"3": 2}, "strong", country="ES"),
        _programme(3, "Beta", {"3": 2}, "strong"),
        _programme(4, "Gamma", {"5": 1}, "strong"),
        _programme(5, "Delta", {"1": 2, "2": 2}, "strong"),                       # wrong principles for WISE
        _programme(6, "Epsilon", {"3": 2, "5": 2}, "rationale"),                  # best sum
        _programme(7, "Eta", {"3": 2}, "strong", stages=["primary"]),             # wrong stage
        _programme(8, "Theta", {"3": 0, "5": 0}, "strong"),                      # no fit
    ],
    "practices": [
        # practices carry their reviewers' mean criterion A fit (rounded down when matched) and weakest tier
        {"id": 11, "title": "B practice", "level": "community", "stages": [], "country": "ES", "status": "accepted",
         "fit": {"3": 1.5}, "tier": None},
        {"id": 12, "title": "A practice", "level": "community", "stages": ["lower_secondary"], "country": "IT",
         "status": "accepted", "fit": {"5": 2.0, "1": 2.0}, "tier": "promising"},
        {"id": 13, "title": "Submitted", "level": "community", "stages": [], "country": "IT", "status": "submitted",
         "fit": {"3": 2.0}},
        {"id": 14, "title": "Individual", "level": "individual", "stages": [], "country": "IT", "status": "accepted",
         "fit": {"3": 2.0}, "tier": "strong"},                                   # another level: after the community ones
        {"id": 15, "title": "Primary", "level": "community", "stages": ["primary"], "country": "IT",
         "status": "accepted", "fit": {"3": 2.0, "5": 2.0}},                     # another stage: last, not left out
        {"id": 16, "title": "Unrated", "level": "community", "stages": [], "country": "IT", "status": "accepted"},
        {"id": 17, "title": "Half a fit", "level": "community", "stages": [], "country": "IT", "status": "accepted",
         "fit": {"3": 0.5, "5": 0.5}},                                           # mean below 1: no fit
        {"id": 18, "title": "Other principles", "level": "community", "stages": [], "country": "IT",
         "status": "accepted", "fit": {"1": 2.0, "2": 2.0}},
    ],
    "policies": [
        {"id": 21, "title": "National law", "level": "political", "stages": [], "country": "IT"},
        {"id": 22, "title": "School network rule", "level": "community", "stages": [], "country": "IT"},
        {"id": 23, "title": "Spanish law", "level": "political", "stages": [], "country": "ES"},
    ],
    "documents": [
        {"id": 31, "title": "Guide", "level": "community", "stages": [], "country": "ES"},
        {"id": 32, "title": "Toolkit", "level": "community", "stages": ["primary"], "country": "IT"},
    ],
}


def _run(report, **kw):
    return recommend(report, Q, CATALOGUE, stage="lower_secondary", country="IT", **kw)


def test_a_subdimension_in_the_lowest_quarter_is_weak_by_the_mean_over_groups():
    # mean of (20, 30) = 25: in the lowest quarter; (20, 32) = 26: not
    weak = weak_subdimensions(_report({WISE: [20, 30], KIND_SCHOOL: [20, 32]}), Q)
    assert [w["subdimension"] for w in weak] == [WISE]
    assert weak[0]["percentile"] == 25 and weak[0]["scope"] == "stage_country"
    assert weak[0]["dimension"] == "safe_school" and weak[0]["pillar"] == "community"


def test_weakest_first_and_the_weakest_indicator_named():
    items = _indicators(WISE)
    report = _report({WISE: [10, 10], KIND_SCHOOL: [5, 5]},
                     indicator_scores={items[0]: 40.0, items[2]: 12.5, items[3]: 12.5})
    weak = weak_subdimensions(report, Q)
    assert [w["subdimension"] for w in weak] == [KIND_SCHOOL, WISE]
    # a tie between two indicators goes to the first in the questionnaire
    assert weak[1]["indicator"] == items[2] and weak[1]["indicator_100"] == 12.5


def test_programmes_ranked_by_fit_then_tier_then_country_then_title():
    result = _run(_report({WISE: [10, 10]}), limit=10)
    assert len(result) == 1
    titles = [p["title"] for p in result[0]["programmes"]]
    # Epsilon: best fit 2 and the largest sum; then fit 2 by tier (strong: Beta in IT before Alpha in ES), Zeta
    # (rationale); Gamma fits only partially. Delta (other principles), Eta (primary), Theta (no fit) never match.
    assert titles == ["Epsilon", "Beta", "Alpha", "Zeta", "Gamma"]


def test_each_match_explains_itself_with_data():
    items = _indicators(WISE)
    result = _run(_report({WISE: [20, 30]}, indicator_scores={items[1]: 5.0}))
    first = result[0]["programmes"][0]
    assert first["reason"] == {"subdimension": WISE, "indicator": items[1], "percentile": 25, "scope": "stage_country",
                               "stage": "lower_secondary", "country": "IT", "principle": 3, "fit": 2,
                               "tier": "rationale", "score_100": 60.0}
    practice = result[0]["practices"][0]
    assert practice["id"] == 12 and practice["reason"] == first["reason"] | {"principle": 5, "fit": 2,
                                                                             "tier": "promising"}
    policy = result[0]["policies"][0]
    assert policy["reason"]["principle"] is None and policy["reason"]["tier"] is None


def test_practices_match_on_their_reviewed_fit_at_any_level_and_stage():
    result = _run(_report({WISE: [10, 10]}), limit=10)[0]
    # accepted ones fitting principle 3 or 5 (WISE's) at least partly (a mean of 1.5 counts as 1, 0.5 as 0): the
    # school's stage first, then the dimension's level (community), then the best fit; another stage last
    assert [p["id"] for p in result["practices"]] == [12, 11, 14, 15]
    assert [p["reason"]["fit"] for p in result["practices"]] == [2, 1, 2, 2]
    # the same practices serve another subdimension through its own principles (KIND_SCHOOL: 1 and 2)
    kind = _run(_report({KIND_SCHOOL: [10, 10]}), limit=10)[0]
    assert [p["id"] for p in kind["practices"]] == [18, 12]  # both fit fully; 18 on both principles


def test_policies_and_resources_at_the_dimensions_level():
    result = _run(_report({WISE: [10, 10]}))[0]
    # the school's country only; the dimension's level before the political level
    assert [p["id"] for p in result["policies"]] == [22, 21]
    # the stage's own and every stage's; primary-only resources left out
    assert [d["id"] for d in result["documents"]] == [31]


def test_limit_applies_per_kind():
    result = _run(_report({WISE: [10, 10]}), limit=2)[0]
    assert len(result["programmes"]) == 2 and len(result["practices"]) == 2


def test_nothing_for_a_strong_school():
    strong = _report({}, priorities=[{"code": WISE, "dimension": "safe_school", "score_100": 70.0}])
    assert _run(strong) == []


def test_without_percentiles_the_priorities_below_the_middle_are_weak():
    report = _report({}, priorities=[{"code": WISE, "dimension": "safe_school", "score_100": 49.9},
                                     {"code": KIND_SCHOOL, "dimension": "safe_school", "score_100": 50.0}],
                     scores={WISE: 49.9, KIND_SCHOOL: 50.0})
    report["comparison"] = [r | {"percentile": None} for r in report["comparison"]]
    result = _run(report)
    assert [r["subdimension"] for r in result] == [WISE]
    assert result[0]["percentile"] is None and result[0]["programmes"][0]["reason"]["scope"] is None


def test_deterministic_whatever_the_catalogue_order():
    report = _report({WISE: [10, 10], KIND_SCHOOL: [15, 20]})
    expected = _run(report, limit=10)
    shuffled = {k: list(v) for k, v in CATALOGUE.items()}
    for rng_seed in range(5):
        for entries in shuffled.values():
            random.Random(rng_seed).shuffle(entries)
        again = recommend(report, Q, shuffled, stage="lower_secondary", country="IT", limit=10)
        assert again == expected
    assert {k for k in expected[0]} >= set(KINDS)


@pytest.mark.parametrize("tier_a, tier_b, first", [("strong", "strong", 41), ("promising", "moderate", 42)])
def test_ties_are_broken_by_tier_then_title_then_id(tier_a, tier_b, first):
    catalogue = {"programmes": [_programme(42, "Same", {"3": 2}, tier_b), _programme(41, "Same", {"3": 2}, tier_a)]}
    result = recommend(_report({WISE: [10, 10]}), Q, catalogue, stage="lower_secondary", country="IT")
    assert result[0]["programmes"][0]["id"] == first
