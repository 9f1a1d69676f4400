"""The security screen: norm groups fall back when small, z and percentiles against the norm group, and a flag
only when a score is reliably beyond the cut-off (reversed for conflict)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from safeschool.instruments.registry import registry
from safeschool.screening.norms import (
    SCREEN_SCALES,
    NormsError,
    norms,
    reliability_from_items,
    screen_reliabilities,
    security_screen,
)
from safeschool.stats.psychometrics import cronbach_alpha

RELIABILITY = dict.fromkeys(SCREEN_SCALES, 0.9)


def _students(stage, country, scores, prefix):
    return pd.DataFrame({"student_id": [f"{prefix}{i}" for i in range(len(scores))], "stage": stage,
                         "country_id": country, **{s: scores for s in SCREEN_SCALES}})


@pytest.fixture(scope="module")
def groups():
    """primary × IT: 12 students (own norms); primary × ES: 5 (→ primary); lower secondary: 4 + 3 (→ everyone)."""
    return pd.concat([
        _students("primary", "IT", np.linspace(2.0, 4.2, 12), "a"),
        _students("primary", "ES", [1.0, 1.5, 2.0, 2.5, 3.0], "b"),
        _students("lower_secondary", "IT", [3.0, 3.5, 4.0, 4.5], "c"),
        _students("lower_secondary", "ES", [2.0, 2.2, 2.4], "d"),
    ], ignore_index=True)


def test_norm_groups_under_ten_are_left_out(groups):
    table = norms(groups)
    security = table[table["scale"] == "security"].set_index("norm_group")
    assert sorted(security.index) == ["all", "stage", "stage × country_id"]
    assert security.loc["stage × country_id", ["stage", "country_id", "n"]].tolist() == ["primary", "IT", 12]
    assert security.loc["stage", ["stage", "n"]].tolist() == ["primary", 17]
    assert security.loc["stage", "country_id"] is None or pd.isna(security.loc["stage", "country_id"])
    assert security.loc["all", "n"] == 24
    primary = groups[groups["stage"] == "primary"]["security"]
    assert security.loc["stage", "mean"] == pytest.approx(primary.mean())
    assert security.loc["stage", "sd"] == pytest.approx(primary.std(ddof=1))
    assert security.loc["stage", "p15"] == pytest.approx(np.percentile(primary, 15))


def test_students_of_small_groups_are_screened_against_the_next_larger_group(groups):
    screen = security_screen(groups, norms(groups), RELIABILITY)
    used = screen[screen["scale"] == "security"].groupby(screen["student_id"].str[0])["norm_group"].unique()
    assert {k: list(v) for k, v in used.items()} == {"a": ["stage × country_id"], "b": ["stage"], "c": ["all"],
                                                     "d": ["all"]}
    assert len(screen) == len(groups) * len(SCREEN_SCALES)


def _reference(scale_values):
    """A norm group of 100 students scoring 1, 2, …, 100 (mean 50.5, sd 29.01; 15th percentile 15.85)."""
    return pd.DataFrame({"student_id": [f"r{i}" for i in range(100)], "stage": "primary", "country_id": "IT",
                         **{s: scale_values for s in SCREEN_SCALES}})


def test_flagged_only_when_reliably_beyond_the_cutoff():
    values = np.arange(1.0, 101.0)
    table = norms(_reference(values))
    sd = values.std(ddof=1)
    sem = sd * math.sqrt(1 - 0.9)
    cutoff, high_cutoff = np.percentile(values, 15), np.percentile(values, 85)
    students = pd.DataFrame({"student_id": ["within", "reliably", "above"], "stage": "primary", "country_id": "IT",
                             **{s: [cutoff - 0.5 * sem, cutoff - 2 * sem, 50.5] for s in SCREEN_SCALES}})
    screen = security_screen(students, table, RELIABILITY).set_index(["scale", "student_id"])
    security = screen.loc["security"]
    assert security.loc["within", "cutoff"] == pytest.approx(cutoff)
    assert security.loc["within", "sem"] == pytest.approx(sem)
    assert bool(security.loc["within", "below_cutoff"]) and not bool(security.loc["within", "flagged"])
    assert bool(security.loc["reliably", "flagged"])
    assert not bool(security.loc["above", "below_cutoff"]) and not bool(security.loc["above", "flagged"])
    assert security.loc["above", "z"] == pytest.approx(0.0)
    assert security.loc["above", "percentile"] == pytest.approx(50.0, abs=0.5)
    assert security.loc["reliably", "z"] == pytest.approx((cutoff - 2 * sem - 50.5) / sd)
    # conflict: high is worse, so its cut-off is the 85th percentile and low scores are never flagged
    conflict = screen.loc["conflict"]
    assert conflict.loc["within", "cutoff"] == pytest.approx(high_cutoff)
    assert not conflict["flagged"].any()
    reversed_students = students.assign(conflict=[high_cutoff + 0.5 * sem, high_cutoff + 2 * sem, 50.5])
    conflict = security_screen(reversed_students, table, RELIABILITY).query("scale == 'conflict'") \
        .set_index("student_id")
    assert conflict["flagged"].to_dict() == {"within": False, "reliably": True, "above": False}
    # a less reliable scale flags fewer: at reliability 0.6 the SEM doubles, and "reliably" is within one SEM
    looser = security_screen(students, table, dict.fromkeys(SCREEN_SCALES, 0.6)).query("scale == 'security'")
    assert not looser["flagged"].any()


def test_percentiles_within_the_norm_group():
    values = np.arange(1.0, 101.0)
    table = norms(_reference(values))
    students = pd.DataFrame({"student_id": ["low", "p25", "top"], "stage": "primary", "country_id": "IT",
                             **{s: [-5.0, np.percentile(values, 25), 500.0] for s in SCREEN_SCALES}})
    screen = security_screen(students, table, RELIABILITY).query("scale == 'belonging'").set_index("student_id")
    assert screen["percentile"].to_dict() == pytest.approx({"low": 0.5, "p25": 25.0, "top": 99.5})


def test_a_screen_needs_every_reliability_and_norms_for_everyone(groups):
    table = norms(groups)
    with pytest.raises(NormsError, match="no reliability for conflict"):
        security_screen(groups, table, {s: 0.8 for s in SCREEN_SCALES if s != "conflict"})
    with pytest.raises(NormsError, match="no norm group"):
        security_screen(groups, table[table["norm_group"] == "stage × country_id"], RELIABILITY)


def test_reliability_from_items_is_alpha_with_reverse_keys(small_cohort):
    items = small_cohort["student_items"]
    first = items[items["wave"] == items["wave"].min()]
    pssm = registry()["pssm"]
    reliability = reliability_from_items(first, pssm)
    block = first[list(pssm.items)].astype(float)
    reversed_block = block.copy()
    for item in pssm.reverse:
        reversed_block[item] = 6 - block[item]
    assert reliability == {"belonging": pytest.approx(cronbach_alpha(reversed_block)[0])}
    assert reliability["belonging"] > cronbach_alpha(block)[0] + 0.05  # the reverse keys matter
    every = screen_reliabilities(first)
    assert set(every) == set(SCREEN_SCALES)
    assert all(0.6 < a < 1 for a in every.values())
