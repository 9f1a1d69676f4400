"""The school report against a hand computation on a small frame (gaps, strengths and priorities with their ties,
percentile among peers, change), reliability against stats.psychometrics directly, the stored result rows, the
network summary, and disclosure: a group of 9 students appears nowhere in the report."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from safeschool.selfeval import report, simulate
from safeschool.selfeval.questionnaire import Dimension, Indicator, Questionnaire, Subdimension, load
from safeschool.stats.psychometrics import cronbach_alpha
from safeschool.vocabulary import MIN_CELL

ALL = ("leaders", "teachers", "students")


def _likert(code, informants=ALL):
    return Indicator(code, "likert", tuple(informants), {i: {"en": code} for i in informants}, (1, 5))


A1, A2, B1, C1, D1 = _likert("a1"), _likert("a2"), _likert("b1"), _likert("c1", ("teachers", "students")), \
    _likert("d1")
C2 = Indicator("c2", "yes_no", ("leaders",), {"leaders": {"en": "c2"}})
DIMENSIONS = (
    Dimension("learning", "Learning", "individual", (Subdimension("sub_a", "A", (A1, A2)),
                                                     Subdimension("sub_b", "B", (B1,)))),
    Dimension("school", "School", "community", (Subdimension("sub_c", "C", (C1, C2)),
                                                Subdimension("sub_d", "D", (D1,)))),
)
Q = Questionnaire("t", "T", 1, {"en": "source"}, DIMENSIONS,
                  {i.code: i for d in DIMENSIONS for s in d.subdimensions for i in s.indicators},
                  min_sizes={"leaders": 1, "teachers": 10, "students": 10, "families": 10},
                  attributable=frozenset({"leaders"}))
NAN = np.nan


def _frame(students=9):
    rows = []
    # teachers (10): a1 4 (75), a2 2/4 -> 3 (50), b1 5 (100), c1 3/4 -> 3.5 (62.5), d1 2 (25)
    rows += [("X", "teachers", 4, 2 + 2 * (k % 2), 5, 3 + (k % 2), NAN, 2) for k in range(10)]
    # leaders (2): a1 5, a2 5 (100), b1 5 (100), c2 yes (100), d1 3 (50)
    rows += [("X", "leaders", 5, 5, 5, NAN, 1, 3) for _ in range(2)]
    # students (9, below 10): all 1 (0)
    rows += [("X", "students", 1, 1, 1, 1, NAN, 1) for _ in range(students)]
    return pd.DataFrame(rows, columns=["school", "informant", "a1", "a2", "b1", "c1", "c2", "d1"])


def _peer(school, value, code="sub_a", informant="teachers"):
    return [{"school": school, "informant": informant, "level": "subdimension", "code": code, "dimension": "learning",
             "subdimension": code, "score": None, "score_100": value, "n": 20}]


PEERS = ([_peer(f"P{k}", 50.0) for k in range(4)] + [_peer(f"Q{k}", 62.5) for k in range(2)]
         + [_peer(f"R{k}", 70.0) for k in range(6)]
         + [_peer("H", None), _peer("X", 0.0)]  # a hidden peer group and the school itself: neither counts
         + [_peer(f"S{k}", 10.0, code="sub_b") for k in range(9)])  # only 9 peers for sub_b
PREVIOUS = [{"level": "subdimension", "code": "sub_a", "informant": "teachers", "score_100": 50.0},
            {"level": "subdimension", "code": "sub_a", "informant": "students", "score_100": 40.0},
            {"level": "subdimension", "code": "sub_b", "informant": "leaders", "score_100": None}]


@pytest.fixture(scope="module")
def data():
    return report.school_report(_frame(), Q, peers=PEERS, previous=PREVIOUS)


def _index(rows):
    return {(r["level"], r["code"], r["informant"]): r for r in rows}


def test_groups_and_scores_by_hand(data):
    assert data["groups"] == [{"informant": "leaders", "n": 2, "shown": True},
                              {"informant": "teachers", "n": 10, "shown": True},
                              {"informant": "students", "n": None, "shown": False}]
    scores = _index(data["scores"])
    assert scores[("dimension", "learning", "teachers")]["score_100"] == pytest.approx((62.5 + 100) / 2)
    assert scores[("dimension", "school", "teachers")]["score_100"] == pytest.approx((62.5 + 25) / 2)
    assert scores[("dimension", "school", "leaders")]["score_100"] == pytest.approx(75.0)
    assert scores[("indicator", "a2", "teachers")] | {} == {
        "level": "indicator", "code": "a2", "dimension": "learning", "subdimension": "sub_a", "informant": "teachers",
        "score": pytest.approx(3.0), "score_100": pytest.approx(50.0), "n": 10}
    assert scores[("subdimension", "sub_c", "leaders")]["n"] == 2


def test_gaps_sorted_by_size_then_questionnaire_order(data):
    got = [(g["code"], g["a"], g["b"], g["gap"], g["large"]) for g in data["gaps"]]
    assert got == [("sub_a", "leaders", "teachers", pytest.approx(37.5), True),
                   ("sub_c", "leaders", "teachers", pytest.approx(37.5), True),   # tie: questionnaire order
                   ("school", "leaders", "teachers", pytest.approx(31.25), True),
                   ("sub_d", "leaders", "teachers", pytest.approx(25.0), True),
                   ("learning", "leaders", "teachers", pytest.approx(18.75), True),
                   ("sub_b", "leaders", "teachers", pytest.approx(0.0), False)]
    first = data["gaps"][0]
    assert first["level"] == "subdimension" and first["a_100"] == 100.0 and first["b_100"] == 62.5


def test_strengths_and_priorities_with_a_tie(data):
    # mean over leaders and teachers: sub_a 81.25, sub_b 100, sub_c 81.25, sub_d 37.5; four scored -> two each
    assert data["strengths"] == [{"code": "sub_b", "dimension": "learning", "score_100": 100.0},
                                 {"code": "sub_a", "dimension": "learning", "score_100": 81.25}]
    assert data["priorities"] == [{"code": "sub_d", "dimension": "school", "score_100": 37.5},
                                  {"code": "sub_c", "dimension": "school", "score_100": 81.25}]


def test_percentile_lower_plus_half_ties(data):
    rows = _index(data["comparison"])
    row = rows[("subdimension", "sub_a", "teachers")]
    # 12 peers: 4 below 62.5, 2 equal, 6 above -> (4 + 1) / 12
    assert row["percentile"] == pytest.approx(100 * 5 / 12)
    assert row["peers_n"] == 12 and row["peer_median"] == pytest.approx((62.5 + 70) / 2)
    assert row["scope"] == "stage_country" and row["score_100"] == 62.5
    few = rows[("subdimension", "sub_b", "teachers")]
    assert few["peers_n"] == 9 and few["percentile"] is None and few["peer_median"] is None
    none = rows[("dimension", "learning", "leaders")]
    assert none["peers_n"] == 0 and none["percentile"] is None
    assert {r["level"] for r in data["comparison"]} == {"dimension", "subdimension"}


def test_percentile_ends():
    top = report.school_report(_frame(), Q, peers=[_peer(f"P{k}", 10.0) for k in range(10)])
    assert _index(top["comparison"])[("subdimension", "sub_a", "teachers")]["percentile"] == 100.0
    bottom = report.school_report(_frame(), Q, peers=[_peer(f"P{k}", 90.0) for k in range(10)],
                                  peers_scope="stage")
    row = _index(bottom["comparison"])[("subdimension", "sub_a", "teachers")]
    assert row["percentile"] == 0.0 and row["scope"] == "stage"


def test_change_since_the_previous_campaign(data):
    rows = _index(data["change"])
    assert rows[("subdimension", "sub_a", "teachers")] == {
        "level": "subdimension", "code": "sub_a", "informant": "teachers", "before_100": 50.0, "after_100": 62.5,
        "change": 12.5}
    assert rows[("subdimension", "sub_b", "leaders")]["change"] is None  # hidden before: no change
    assert not any(r["informant"] == "students" for r in data["change"])
    assert report.school_report(_frame(), Q)["change"] == []


def _values(node):
    if isinstance(node, dict):
        for key, value in node.items():
            yield key
            yield from _values(value)
    elif isinstance(node, (list, tuple)):
        for value in node:
            yield from _values(value)
    else:
        yield node


def test_a_group_of_nine_students_shows_nothing_anywhere(data):
    mentions = [v for v in _values(data) if v == "students"]
    assert mentions == ["students"]  # only its entry in groups, with n None
    assert data["groups"][2] == {"informant": "students", "n": None, "shown": False}
    for part in ("scores", "gaps", "comparison", "change", "reliability"):
        assert all("students" not in (r.get("informant"), r.get("a"), r.get("b")) for r in data[part]), part
    json.dumps(data, allow_nan=False)
    # with ten students they are shown, and their answers (all 1 -> 0) take part
    ten = report.school_report(_frame(students=10), Q)
    assert ten["groups"][2] == {"informant": "students", "n": 10, "shown": True}
    assert _index(ten["scores"])[("subdimension", "sub_a", "students")]["score_100"] == 0.0
    assert any(g["b"] == "students" for g in ten["gaps"])


def test_results_rows_keep_hidden_groups_as_none():
    rows = report.results_rows(_frame(), Q)
    hidden = [r for r in rows if r["informant"] == "students"]
    assert hidden and all(r["score"] is None and r["score_100"] is None and r["n"] is None for r in hidden)
    assert {r["level"] for r in hidden} == {"dimension", "subdimension", "indicator"}
    c2 = next(r for r in rows if r["code"] == "c2")
    assert c2 == {"school": "X", "informant": "leaders", "level": "indicator", "code": "c2", "dimension": "school",
                  "subdimension": "sub_c", "score": 1.0, "score_100": 100.0, "n": 2}
    assert not any(r["code"] == "c2" and r["informant"] == "teachers" for r in rows)  # not asked of teachers
    json.dumps(rows, allow_nan=False)


@pytest.fixture(scope="module")
def simulated():
    q = load()
    frame = simulate.simulate_campaign(q, school="S1", n={"leaders": 3, "teachers": 40, "students": 120,
                                                          "families": 12}, seed=4)
    # 3 of the 12 families leave one Likert item blank: 9 complete respondents, below MIN_CELL
    frame.loc[frame.index[frame["informant"] == "families"][:3], "learners_feel_safe"] = np.nan
    return q, frame


def test_reliability_matches_psychometrics(simulated):
    q, frame = simulated
    rows = {(r["dimension"], r["informant"]): r for r in report.school_report(frame, q)["reliability"]}
    dimension = q.dimensions[0]
    items = [i.code for s in dimension.subdimensions for i in s.indicators
             if i.type == "likert" and "students" in i.informants]
    block = frame.loc[frame["informant"] == "students", items].dropna()
    alpha, (low, high) = cronbach_alpha(block)
    got = rows[(dimension.code, "students")]
    assert got["alpha"] == pytest.approx(alpha) and got["low"] == pytest.approx(low)
    assert got["high"] == pytest.approx(high) and got["n"] == len(block) and got["items"] == len(items)
    assert 0.5 < got["alpha"] < 0.95  # the simulator's answers hang together like real ones
    assert rows[(dimension.code, "leaders")]["alpha"] is None  # 3 leaders < MIN_CELL complete respondents
    family_items = [i.code for s in dimension.subdimensions for i in s.indicators
                    if i.type == "likert" and "families" in i.informants]
    complete = len(frame.loc[frame["informant"] == "families", family_items].dropna())
    families = rows[(dimension.code, "families")]
    assert complete < MIN_CELL and families["alpha"] is None and families["n"] == complete


def test_one_school_at_a_time(simulated):
    q, frame = simulated
    with pytest.raises(ValueError, match="one school"):
        report.school_report(pd.concat([frame, frame.assign(school="S2")]), q)


def test_network_summary_quartiles_and_suppression():
    results = {f"A{k}": _peer(f"A{k}", 10.0 * k) for k in range(12)}
    results |= {f"B{k}": _peer(f"B{k}", 50.0) for k in range(9)}
    results["C0"] = _peer("C0", None)
    meta = {f"A{k}": {"stage": "primary", "country": "IT"} for k in range(12)}
    meta |= {f"B{k}": {"stage": "primary", "country": "ES"} for k in range(9)} | {
        "C0": {"stage": "primary", "country": "IT"}}
    rows = {(r["country"]): r for r in report.network_summary(results, meta)}
    assert rows["IT"] == {"level": "subdimension", "code": "sub_a", "informant": "teachers", "stage": "primary",
                          "country": "IT", "n_schools": 12, "p25": pytest.approx(27.5), "median": pytest.approx(55.0),
                          "p75": pytest.approx(82.5)}
    assert rows["ES"]["n_schools"] == 9 and rows["ES"]["median"] is None and rows["ES"]["p25"] is None
    assert report.network_summary({}, {}) == []


def test_network_summary_stage_wide_rows_and_code_filter():
    results = {f"A{k}": _peer(f"A{k}", 10.0 * k) for k in range(5)}
    results |= {f"B{k}": _peer(f"B{k}", 50.0) for k in range(5)}
    meta = {f"A{k}": {"stage": "primary", "country": "IT"} for k in range(5)}
    meta |= {f"B{k}": {"stage": "primary", "country": "ES"} for k in range(5)}
    rows = {r["country"]: r for r in report.network_summary(results, meta, stage_wide=True)}
    # neither country has 10 schools; the stage across the network has, and is summarised under country "all"
    assert rows["IT"]["median"] is None and rows["ES"]["median"] is None
    assert rows[report.ALL_COUNTRIES] == {
        "level": "subdimension", "code": "sub_a", "informant": "teachers", "stage": "primary", "country": "all",
        "n_schools": 10, "p25": pytest.approx(22.5), "median": pytest.approx(45.0), "p75": pytest.approx(50.0)}
    assert "all" not in {r["country"] for r in report.network_summary(results, meta)}  # only when asked
    assert report.network_summary(results, meta, stage_wide=True, codes=["other"]) == []
    assert len(report.network_summary(results, meta, codes=["sub_a"])) == 2
