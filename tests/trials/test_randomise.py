"""Allocation: reproducible from the seed, blind to the input's row order, exact counts within blocks; stepped
wedge; matching; the balance table against hand computation."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from safeschool.trials.randomise import (
    ALGORITHM,
    allocate,
    balance_table,
    input_hash,
    matched_comparison,
    stepped_wedge,
    student_balance,
)


@pytest.fixture
def schools():
    rng = np.random.default_rng(3)
    return pd.DataFrame({"school_id": [f"S{i:02d}" for i in range(23)],
                         "country": ["IT"] * 9 + ["ES"] * 7 + ["PT"] * 7,
                         "ses": rng.normal(0, 1, 23), "size": rng.integers(100, 900, 23)})


def test_same_seed_same_allocation_other_seed_differs(schools):
    first = allocate(schools, unit="school_id", block="country", seed=42)
    again = allocate(schools, unit="school_id", block="country", seed=42)
    pd.testing.assert_frame_equal(first, again)
    others = [allocate(schools, unit="school_id", block="country", seed=s).arm.tolist() for s in range(1, 6)]
    assert any(o != first.arm.tolist() for o in others)


def test_input_order_does_not_change_the_allocation(schools):
    base = allocate(schools, unit="school_id", block="country", seed=7)
    for shuffle_seed in range(5):
        shuffled = schools.sample(frac=1, random_state=shuffle_seed)
        pd.testing.assert_frame_equal(allocate(shuffled, unit="school_id", block="country", seed=7), base)
    assert input_hash(schools.sample(frac=1, random_state=1), "school_id", "country") == \
        input_hash(schools, "school_id", "country")


def test_exact_counts_within_blocks_and_the_odd_unit_decided_by_the_seed(schools):
    # IT has 9 schools: 4 or 5 treated, both happen over seeds; ES and PT (7): 3 or 4
    seen = {"IT": set(), "ES": set(), "PT": set()}
    for seed in range(40):
        frame = allocate(schools, unit="school_id", block="country", seed=seed)
        counts = frame[frame.arm == "intervention"].groupby("block").size()
        for block, n in counts.items():
            seen[block].add(int(n))
        assert set(frame.arm) == {"intervention", "control"}
        assert frame.groupby("block").size().to_dict() == {"ES": 7, "IT": 9, "PT": 7}
    assert seen == {"IT": {4, 5}, "ES": {3, 4}, "PT": {3, 4}}
    # p other than one half: round(p * n) exactly
    frame = allocate(schools, unit="school_id", block="country", seed=1, p=1 / 3)
    assert frame[frame.arm == "intervention"].groupby("block").size().to_dict() == {"ES": 2, "IT": 3, "PT": 2}


def test_no_blocks_and_bad_input(schools):
    frame = allocate(schools, unit="school_id", seed=1)
    assert (frame.block == "").all() and (frame.arm == "intervention").sum() in (11, 12)
    assert frame.unit.tolist() == sorted(schools.school_id)
    with pytest.raises(ValueError, match="more than once"):
        allocate(pd.concat([schools, schools.head(1)]), unit="school_id", seed=1)
    with pytest.raises(ValueError, match="block: column 'region'"):
        allocate(schools, unit="school_id", block="region", seed=1)
    with pytest.raises(ValueError, match="p:"):
        allocate(schools, unit="school_id", seed=1, p=1.0)
    assert ALGORITHM.startswith("safeschool.trials.randomise")


def test_input_hash_changes_with_units_and_blocks(schools):
    h = input_hash(schools, "school_id", "country")
    assert len(h) == 64
    assert input_hash(schools.iloc[1:], "school_id", "country") != h
    moved = schools.assign(country=["ES"] + schools.country.tolist()[1:])
    assert input_hash(moved, "school_id", "country") != h
    assert input_hash(schools, "school_id") != h


def test_stepped_wedge_balanced_steps(schools):
    schedule = stepped_wedge(schools, unit="school_id", steps=4, seed=5)
    sizes = schedule.step.value_counts()
    assert set(sizes.index) == {1, 2, 3, 4} and sizes.max() - sizes.min() <= 1 and sizes.sum() == 23
    pd.testing.assert_frame_equal(stepped_wedge(schools.sample(frac=1, random_state=2), unit="school_id", steps=4,
                                                seed=5), schedule)
    blocked = stepped_wedge(schools, unit="school_id", steps=3, seed=5, block="country")
    for _, rows in blocked.groupby("block"):
        counts = rows.step.value_counts()
        assert counts.max() - counts.min() <= 1
    with pytest.raises(ValueError, match="steps"):
        stepped_wedge(schools, unit="school_id", steps=1, seed=5)


def test_balance_table_by_hand():
    frame = pd.DataFrame({"arm": ["intervention"] * 3 + ["control"] * 4, "x": [1.0, 2.0, 6.0, 0.0, 1.0, 2.0, 5.0]})
    (row,) = balance_table(frame, ["x"])
    # intervention: mean 3, var 7; control: mean 2, var 14/3; pooled (2*7 + 3*14/3) / 5 = 28/5
    assert row["mean_intervention"] == pytest.approx(3.0) and row["mean_control"] == pytest.approx(2.0)
    assert row["sd_pooled"] == pytest.approx(math.sqrt(28 / 5))
    assert row["std_diff"] == pytest.approx(1 / math.sqrt(28 / 5) * (1 - 3 / (4 * 7 - 9)))
    assert (row["n_intervention"], row["n_control"]) == (3, 4)


def test_student_balance_uses_the_pooled_student_sd_not_the_sd_of_unit_means():
    # 10 intervention students 0..9 (mean 4.5, var 55/6) and 12 control students 1..12 (mean 6.5, var 13);
    # pooled within-arm SD sqrt((9 * 55/6 + 11 * 13) / 20) = sqrt(11.275); g = -2 / 3.3578 * (1 - 3/79) = -0.5730
    frame = pd.DataFrame({"arm": ["intervention"] * 10 + ["control"] * 12,
                          "x": [float(v) for v in range(10)] + [float(v) for v in range(1, 13)]})
    (row,) = student_balance(frame, ["x"], min_cell=10)
    assert row["level"] == "student"
    assert row["mean_intervention"] == pytest.approx(4.5) and row["mean_control"] == pytest.approx(6.5)
    assert row["sd_pooled"] == pytest.approx(math.sqrt(11.275))
    assert row["std_diff"] == pytest.approx(-0.5730, abs=1e-4)
    assert (row["n_intervention"], row["n_control"]) == (10, 12)
    # the same students grouped in units: the SD of unit means is far smaller and g several times larger
    units = pd.DataFrame({"arm": ["intervention"] * 2 + ["control"] * 2, "x": [4.0, 5.0, 6.0, 7.0]})
    assert abs(balance_table(units, ["x"])[0]["std_diff"]) > 2 * abs(row["std_diff"])
    # an arm with fewer than min_cell students shows neither its mean, its count, nor g
    (small,) = student_balance(frame.iloc[1:], ["x"], min_cell=10)
    assert small["mean_intervention"] is None and small["n_intervention"] is None and small["std_diff"] is None
    assert small["mean_control"] == pytest.approx(6.5)


def test_matched_comparison_pairs_nearest_without_replacement():
    units = pd.DataFrame({"school": ["a", "b", "c", "d", "e", "f"], "treated": [True, True, False, False, False, False],
                          "ses": [0.0, 10.0, 10.2, 0.1, 5.0, 9.9], "size": [1.0, 2.0, 2.1, 1.0, 1.5, 2.0]})
    matched = matched_comparison(units, unit="school", treated="treated", covariates=["ses", "size"], seed=1)
    pairs = {tuple(sorted(g.unit)) for _, g in matched.groupby("pair")}
    assert pairs == {("a", "d"), ("b", "f")} or pairs == {("a", "d"), ("b", "c")}
    assert matched.unit.is_unique and set(matched.arm) == {"intervention", "control"}
    with pytest.raises(ValueError, match="only 1 comparison"):
        matched_comparison(units.assign(treated=[True] * 5 + [False]), unit="school", treated="treated",
                           covariates=["ses"], seed=1)
