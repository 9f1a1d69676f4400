"""Small-cell suppression, checked against hand-worked tables."""

import pandas as pd

from safeschool.stats import descriptives as d
from safeschool.stats.disclosure import (
    BELOW_MIN,
    PROTECTS,
    Cell,
    label,
    protect,
    suppress_counts,
    suppress_groups,
)


def test_primary_suppression_hides_counts_below_ten_but_not_zero():
    assert suppress_counts({"a": 9, "b": 10, "c": 0, "d": 25}, total_shown=False) == {"a": None, "b": 10, "c": 0, "d": 25}


def test_complementary_suppression_hides_the_next_smallest_when_one_cell_is_hidden():
    # total 9 + 12 + 40 = 61 is shown: with only 'a' hidden, a = 61 - 12 - 40 could be derived; 'b' goes too.
    assert suppress_counts({"a": 9, "b": 12, "c": 40}) == {"a": None, "b": None, "c": 40}


def test_two_hidden_cells_must_hold_at_least_ten_students_together():
    # 3 + 4 = 7 hidden: total - 40 would give the two groups' 7 students, so 40 goes too
    assert suppress_counts({"a": 3, "b": 4, "c": 40}) == {"a": None, "b": None, "c": None}
    assert suppress_counts({"a": 3, "b": 8, "c": 40}) == {"a": None, "b": None, "c": 40}


def test_hidden_cells_carry_their_reason_and_nothing_else():
    cells = suppress_groups({"girls": (30, 0.1), "boys": (25, 0.2), "other": (2, 0.5)})
    assert cells["other"] == Cell(n=None, value=None, suppressed=True, reason=BELOW_MIN)
    assert cells["boys"] == Cell(n=None, value=None, suppressed=True, reason=PROTECTS)
    assert str(cells["other"]) == "n<10" and str(cells["boys"]) == "hidden"
    assert label(PROTECTS) == "hidden to protect a small group" and label(BELOW_MIN) == "fewer than 10 students"
    assert not cells["girls"].suppressed and cells["girls"].value == 0.1 and cells["girls"].n == 30


def test_the_parent_is_hidden_when_every_cell_together_is_still_small():
    assert protect({"a": 3, "b": 4}).parent_hidden
    assert not protect({"a": 3, "b": 40}).parent_hidden
    assert protect({"a": 3, "b": 0}).parent_hidden  # an empty sibling cannot protect anyone


def test_small_means_carry_no_count():
    out = d.mean_ci(pd.Series([1.0] * 9))
    assert out["suppressed"] and out["n"] is None and out["mean"] is None and out["reason"] == BELOW_MIN


def test_class_means_beside_a_published_school_mean_hide_a_second_class():
    # the school mean over 6 + 20 + 30 students is shown: with class A alone hidden, its mean would follow from
    # 56 x school mean - 20 x mean(B) - 30 x mean(C); B (the next smallest) is hidden too
    values = {"A": pd.Series([4.0] * 6), "B": pd.Series([2.0] * 20), "C": pd.Series([3.0] * 30)}
    out = d.breakdown_means(values, digits=2)
    assert out["A"]["reason"] == BELOW_MIN and out["B"]["reason"] == PROTECTS and out["C"]["mean"] == 3.0
    assert out["A"]["n"] is None and out["B"]["n"] is None and out["B"]["mean"] is None


def test_published_means_are_rounded_as_displayed():
    out = d.mean_ci(pd.Series([1.0, 2.0, 2.0] * 4), digits=2)
    assert out["mean"] == 1.67 and out["ci_low"] == round(out["ci_low"], 2)


def test_mean_ci_matches_hand_computation_and_suppresses_small_groups():
    values = pd.Series([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], dtype=float)
    out = d.mean_ci(values)
    # mean 5.5, sd = 3.02765, se = 0.957427, half-width = 1.96 * se = 1.876557
    assert out["mean"] == 5.5
    assert abs(out["ci_high"] - 7.376557) < 1e-5
    assert d.mean_ci(values[:9])["suppressed"] is True


def test_wilson_interval_matches_hand_computation():
    flags = pd.Series([True] * 3 + [False] * 17)
    out = d.share_ci(flags)
    # p = 0.15, n = 20: Wilson centre 0.2164 ... interval (0.05236, 0.36040)
    assert abs(out["ci_low"] - 0.05236) < 1e-4
    assert abs(out["ci_high"] - 0.36040) < 1e-4


def test_banded_counts_apply_complementary_suppression():
    values = pd.Series([390] * 5 + [420] * 15 + [520] * 30)
    table = d.banded_counts(values, d.ACHIEVEMENT_BANDS).set_index("band")
    assert table.loc["below 400", "suppressed"]
    assert table.loc["400-449", "suppressed"]  # the next smallest, so 'below 400' cannot be derived
    assert table.loc["500-549", "count"] == 30
    assert table.loc["450-499", "count"] == 0 and not table.loc["450-499", "suppressed"]
    assert table.loc["400-449", "reason"] == PROTECTS and pd.isna(table.loc["400-449", "count"])
