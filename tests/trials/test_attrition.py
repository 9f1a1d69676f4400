"""Attrition against hand computation and the WWC boundary table; CONSORT counts."""

from __future__ import annotations

import pandas as pd
import pytest

from safeschool.trials.attrition import CAUTIOUS, OPTIMISTIC, attrition, consort, max_differential


def test_rates_by_hand():
    out = attrition({"intervention": 200, "control": 200}, {"intervention": 180, "control": 170})
    # lost 20 + 30 of 400 = 12.5 %; rates 10 % and 15 %: differential 5 points
    assert out["overall"] == pytest.approx(50 / 400)
    assert out["differential"] == pytest.approx(0.05)
    assert out["by_arm"]["control"] == {"assigned": 200, "analysed": 170, "lost": 30, "rate": pytest.approx(0.15)}
    # 12.5 % rounds to 13 %: cautious 6.1, optimistic 10.8 -> low under both
    assert out["cautious_max"] == pytest.approx(0.061) and out["optimistic_max"] == pytest.approx(0.108)
    assert out["boundary"] == {"cautious": "low", "optimistic": "low"}


def test_boundary_lookups():
    # WWC v4.1 Table II.1 rows: 0 %, 10 %, 30 %, 57 %, 65 %
    assert (CAUTIOUS[0], OPTIMISTIC[0]) == (5.7, 10.0)
    assert (CAUTIOUS[10], OPTIMISTIC[10]) == (6.3, 10.9)
    assert (CAUTIOUS[30], OPTIMISTIC[30]) == (4.1, 8.2)
    assert (CAUTIOUS[57], OPTIMISTIC[57]) == (0.0, 2.1)
    assert OPTIMISTIC[65] == 0.3 and len(CAUTIOUS) == 58 and len(OPTIMISTIC) == 66
    assert all(a <= b for a, b in zip(CAUTIOUS, OPTIMISTIC, strict=False))
    assert max_differential(0.58, "cautious") is None and max_differential(0.58, "optimistic") == pytest.approx(0.019)
    assert max_differential(0.66, "optimistic") is None
    assert max_differential(0.295, "cautious") == pytest.approx(0.041)  # 29.5 % rounds up to 30 %


def test_between_the_boundaries_and_on_them():
    # 30 % overall (60 of 200) with rates 26 % and 34 %: 8 points, high if cautious (4.1), low if optimistic (8.2)
    out = attrition({"control": 100, "intervention": 100}, {"control": 74, "intervention": 66})
    assert out["overall"] == pytest.approx(0.30) and out["differential"] == pytest.approx(0.08)
    assert out["boundary"] == {"cautious": "high", "optimistic": "low"}
    # exactly on the cautious boundary at 10 % overall: 6.3 points is still low (1000 per arm: 6.85 % and 13.15 %)
    on = attrition({"a": 2000, "b": 2000}, {"a": 1863, "b": 1737})
    assert on["overall"] == pytest.approx(0.10) and on["differential"] == pytest.approx(0.063)
    assert on["boundary"]["cautious"] == "low"
    off = attrition({"a": 2000, "b": 2000}, {"a": 1864, "b": 1736})
    assert off["boundary"]["cautious"] == "high"
    heavy = attrition({"a": 10, "b": 10}, {"a": 3, "b": 3})  # 70 % overall, no differential: high under both
    assert heavy["boundary"] == {"cautious": "high", "optimistic": "high"}
    with pytest.raises(ValueError):
        attrition({"a": 10, "b": 10}, {"a": 11, "b": 3})


def test_consort_counts():
    frame = pd.DataFrame({"school_id": ["A"] * 3 + ["B"] * 2 + ["C"] * 2,
                          "arm": ["intervention"] * 3 + ["control"] * 4,
                          "analysed": [True, False, True, False, False, True, True]})
    out = consort(frame, unit_cols="school_id", arm="arm", analysed_col="analysed")
    assert out["intervention"] == {"clusters_assigned": 1, "clusters_lost": 0, "clusters_analysed": 1,
                                   "students_assigned": 3, "students_lost": 1, "students_analysed": 2}
    assert out["control"] == {"clusters_assigned": 2, "clusters_lost": 1, "clusters_analysed": 1,
                              "students_assigned": 4, "students_lost": 2, "students_analysed": 2}
