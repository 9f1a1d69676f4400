"""Small-cell suppression, checked against hand-worked tables."""

import pandas as pd

from safeschool.stats import descriptives as d
from safeschool.stats.disclosure import suppress_counts, suppress_groups


def test_primary_suppression_hides_counts_below_ten_but_not_zero():
    assert suppress_counts({"a": 9, "b": 10, "c": 0, "d": 25}, total_shown=False) == {"a": None, "b": 10, "c": 0, "d": 25}


def test_complementary_suppression_hides_the_next_smallest_when_one_cell_is_hidden():
    # total 9 + 12 + 40 = 61 is shown: with only 'a' hidden, a = 61 - 12 - 40 could be derived; 'b' goes too.
    assert suppress_counts({"a": 9, "b": 12, "c": 40}) == {"a": None, "b": None, "c": 40}


def test_no_complementary_suppression_needed_with_two_hidden_cells():
    assert suppress_counts({"a": 3, "b": 4, "c": 40}) == {"a": None, "b": None, "c": 40}


def test_group_statistics_are_suppressed_with_reasons():
    cells = suppress_groups({"girls": (30, 0.1), "boys": (25, 0.2), "other": (2, 0.5)})
    assert cells["other"].suppressed and cells["other"].reason == "fewer than 10 students"
    assert cells["boys"].suppressed and "derived" in cells["boys"].reason
    assert not cells["girls"].suppressed and cells["girls"].value == 0.1


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
