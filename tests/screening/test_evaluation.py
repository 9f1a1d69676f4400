"""Evaluation on the held-out cohort: figures equal hand computations, the bootstrap and the verdict behave, and a
drifted cohort shows up as miscalibration in the expected direction."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from safeschool.cohort import CohortConfig, Sizes, simulate
from safeschool.cohort.params import Dropout
from safeschool.screening.data import screening_table, temporal_split
from safeschool.screening.evaluation import (
    TOPK_SHARES,
    bootstrap_weights,
    calibration_table,
    evaluate,
    precision_recall_at_k,
    roc_points,
    select_top_k,
    tier_table,
    topk_curve,
    verdict,
    weighted_auc,
)

SIZES = Sizes(countries=2, schools=12, classes=36, teachers=40, students=4000, cohorts=3)


def _split(drift: float = 0.0):
    config = CohortConfig(sizes=SIZES, dropout=Dropout(drift_per_cohort=drift))
    return temporal_split(screening_table(simulate(config).tables), 2025)


@pytest.fixture(scope="module")
def report():
    train, test = _split()
    return evaluate(train, test, models=("logistic", "boosting"), n_boot=50)


# --- hand computations ---------------------------------------------------------------------------------------

# two schools of ten students; school A's scores 0.95 … 0.05, school B's 0.9 … 0.0
HAND = pd.DataFrame({
    "school_id": ["A"] * 10 + ["B"] * 10,
    "score": [0.95, 0.85, 0.75, 0.65, 0.55, 0.45, 0.35, 0.25, 0.15, 0.05,
              0.90, 0.80, 0.70, 0.60, 0.50, 0.40, 0.30, 0.20, 0.10, 0.00],
    "y": [1, 0, 1, 0, 0, 0, 0, 0, 0, 0,
          0, 0, 1, 1, 0, 0, 0, 0, 0, 1],
})


def test_each_school_selects_its_top_share():
    selected = select_top_k(HAND["score"], HAND["school_id"], capacity=0.2)
    # capacity 0.2 of ten: each school takes its two highest (A: 0.95, 0.85; B: 0.90, 0.80)
    assert HAND.loc[selected, "score"].tolist() == [0.95, 0.85, 0.90, 0.80]
    precision, recall = precision_recall_at_k(HAND["y"], selected)
    assert precision == 1 / 4  # one leaver (A's 0.95) among the four selected
    assert recall == 1 / 5  # of the five leavers


def test_a_school_capacity_overrides_the_default():
    selected = select_top_k(HAND["score"], HAND["school_id"], capacity=0.2, school_capacity={"B": 0.4})
    assert HAND.loc[selected, "score"].tolist() == [0.95, 0.85, 0.90, 0.80, 0.70, 0.60]
    precision, recall = precision_recall_at_k(HAND["y"], selected)
    assert (precision, recall) == (3 / 6, 3 / 5)


def test_capacity_rounds_up_without_floating_point_surprises():
    # 0.1 × 30 is 3.0000000000000004 in floating point: still three, not four
    assert select_top_k(np.arange(30.0), ["S"] * 30, capacity=0.1).sum() == 3
    assert select_top_k(np.arange(31.0), ["S"] * 31, capacity=0.1).sum() == 4
    assert select_top_k(np.arange(5.0), ["S"] * 5, capacity=0.0).sum() == 0
    with pytest.raises(ValueError, match="between 0 and 1"):
        select_top_k(np.arange(5.0), ["S"] * 5, capacity=1.5)


def test_ties_and_missing_scores():
    scores = np.array([0.5] * 10 + [np.nan] * 10)
    selected = select_top_k(scores, ["S"] * 20, capacity=0.5)
    assert selected.sum() == 10 and not selected[10:].any()
    constant = select_top_k(np.zeros(100), ["S"] * 100, capacity=0.1)
    assert constant.sum() == 10 and np.flatnonzero(constant).tolist() != list(range(10))  # not the first ten


def test_tier_rates_equal_hand_counts_and_small_tiers_are_suppressed():
    tiers = np.array(["high"] * 10 + ["moderate"] * 20 + ["low"] * 30 + [])
    y = np.r_[np.ones(6), np.zeros(4), np.ones(5), np.zeros(15), np.ones(3), np.zeros(27)]
    p = np.r_[np.full(10, 0.5), np.full(20, 0.2), np.full(30, 0.1)]
    rows = {r["tier"]: r for r in tier_table(y, p, tiers)}
    assert rows["high"] == {"tier": "high", "n": 10, "observed_rate": 0.6, "mean_predicted": 0.5}
    assert rows["moderate"]["observed_rate"] == 5 / 20 and rows["low"]["observed_rate"] == 3 / 30
    small = {r["tier"]: r for r in tier_table(y[1:], p[1:], tiers[1:])}
    # fewer than 10 students: not even their n; the next smallest tier hidden too, or n_test − the others tells it
    assert small["high"] == {"tier": "high", "n": None, "observed_rate": None, "mean_predicted": None}
    assert small["moderate"] == {"tier": "moderate", "n": None, "observed_rate": None, "mean_predicted": None}
    assert small["low"]["n"] == 30 and small["low"]["observed_rate"] == 3 / 30


def test_small_calibration_bins_hide_their_n():
    p = np.linspace(0.01, 0.99, 95)  # ten bins of 9 or 10 students
    y = np.arange(95) % 3 == 0
    bins = calibration_table(y, p)
    sizes = np.bincount(np.searchsorted(np.unique(np.quantile(p, np.linspace(0, 1, 11)))[1:-1], p, side="right"))
    assert min(sizes) < 10 and len(bins) == 10
    assert all(b["n"] is None or b["n"] >= 10 for b in bins)
    assert all((b["n"] is None) == (b["observed_rate"] is None) for b in bins)
    assert 95 - sum(b["n"] or 0 for b in bins) >= 10  # what is hidden cannot be told from the total


def test_auc_by_ranks_equals_sklearn_with_ties_and_weights():
    rng = np.random.default_rng(3)
    y = rng.random(500) < 0.2
    scores = np.round(rng.random(500) + y * 0.3, 1)  # many ties
    assert weighted_auc(y, scores, np.ones((1, 500)))[0] == pytest.approx(roc_auc_score(y, scores))
    weights = bootstrap_weights(500, 3, seed=1)
    for w in weights:  # a student drawn twice counts twice
        rows = np.repeat(np.arange(500), w.astype(int))
        assert weighted_auc(y, scores, w[None, :])[0] == pytest.approx(roc_auc_score(y[rows], scores[rows]))
    assert weights.sum(axis=1).tolist() == [500.0] * 3


def test_calibration_roc_and_topk_curves():
    rng = np.random.default_rng(0)
    p = rng.random(1000)
    y = rng.random(1000) < p
    bins = calibration_table(y, p)
    assert len(bins) == 10 and sum(b["n"] for b in bins) == 1000
    assert [b["mean_predicted"] for b in bins] == sorted(b["mean_predicted"] for b in bins)
    assert bins[-1]["observed_rate"] == pytest.approx(y[p >= np.quantile(p, 0.9)].mean())
    assert len(calibration_table(y, np.full(1000, 0.3))) == 1  # tied predictions stay in one bin
    roc = roc_points(y, p)
    assert len(roc) <= 101 and roc[0] == {"fpr": 0.0, "tpr": 0.0} and roc[-1] == {"fpr": 1.0, "tpr": 1.0}
    assert all(a["tpr"] <= b["tpr"] and a["fpr"] <= b["fpr"] for a, b in zip(roc, roc[1:], strict=False))
    curve = topk_curve(y, p)
    assert [c["share"] for c in curve] == list(TOPK_SHARES) and TOPK_SHARES[0] == 0.01 and TOPK_SHARES[-1] == 0.5
    top = np.argsort(-p)[:100]
    assert curve[9]["precision"] == y[top].mean() and curve[9]["recall"] == y[top].sum() / y.sum()


def test_verdict_says_plainly_whether_it_beats_the_school():
    best = {"name": "logistic", "auc": 0.84, "auc_ci": [0.82, 0.86]}
    school = {"auc": 0.71}
    yes = verdict(best, school, 0.13, [0.10, 0.15])
    assert yes["beats_school_only"] is True
    assert yes["sentence"] == ("The individual model (logistic regression, AUC 0.84, 95 % CI 0.82–0.86) beats the "
                               "school-only baseline (AUC 0.71) by 0.13 (95 % CI 0.10–0.15).")
    unclear = verdict(best, school, 0.01, [-0.01, 0.03])
    assert unclear["beats_school_only"] is False and "does not clearly beat" in unclear["sentence"]
    assert "does worse than" in verdict(best, school, -0.05, [-0.08, -0.02])["sentence"]
    # no bootstrap (n_boot=0): no interval is claimed, and nothing is said to be beaten or not
    none = verdict(best | {"auc_ci": [None, None]}, school, 0.13, [None, None])
    assert none["beats_school_only"] is False and "CI" not in none["sentence"]
    assert "no confidence interval was computed" in none["sentence"] and "includes zero" not in none["sentence"]


# --- on a simulated cohort -----------------------------------------------------------------------------------

def test_report_shape_is_json_ready(report):
    assert json.loads(json.dumps(report)) == report
    names = [m["name"] for m in report["models"]]
    assert names == ["logistic", "boosting", "abc", "school_only", "chance", "oracle"]
    assert {m["kind"] for m in report["models"]} == {"model", "baseline", "oracle"}
    assert report["train_cohorts"] == [2023, 2024] and report["test_cohort"] == 2025
    assert report["n_train"] + report["n_test"] == SIZES.students
    for m in report["models"]:
        assert [t["tier"] for t in m["tiers"]] == ["high", "moderate", "low"]
        assert sum(t["n"] for t in m["tiers"]) == report["n_test"]


def test_bootstrap_ci_contains_the_point_auc(report):
    for m in report["models"]:
        lo, hi = m["auc_ci"]
        assert lo <= m["auc"] <= hi, m["name"]
    logistic = report["models"][0]
    assert logistic["auc_ci"][1] - logistic["auc_ci"][0] < 0.1


def test_models_beat_baselines_and_stay_below_the_oracle(report):
    auc = {m["name"]: m["auc"] for m in report["models"]}
    assert auc["chance"] == 0.5
    assert auc["oracle"] == report["oracle_auc"]
    assert auc["oracle"] - 0.05 < auc["logistic"] < auc["oracle"]
    assert auc["logistic"] > auc["school_only"] > auc["chance"]
    v = report["verdict"]
    assert v["best_model"] in ("logistic", "boosting") and v["beats_school_only"] is True
    assert v["difference"] == pytest.approx(auc[v["best_model"]] - auc["school_only"])
    assert v["difference_ci"][0] > 0 and "beats the school-only baseline" in v["sentence"]


def test_precision_at_k_matches_the_per_school_selection(report):
    # k: every school selects ceil(0.1 × its students); at k the model finds more leavers than chance
    by_name = {m["name"]: m for m in report["models"]}
    assert by_name["logistic"]["precision_at_k"] > 2 * report["base_rate"]
    assert by_name["chance"]["precision_at_k"] < 1.6 * report["base_rate"]
    assert report["k"] >= 0.1 * report["n_test"]
    # the high tier holds more leavers than the low tier (EWIS: the tier's observed rate)
    tiers = {t["tier"]: t["observed_rate"] for t in by_name["logistic"]["tiers"]}
    assert tiers["high"] > tiers["moderate"] > tiers["low"]


def test_drift_shows_up_as_calibration_in_the_large(report):
    """Later cohorts leaving more (drift +0.5 logit per cohort): a model of earlier cohorts under-predicts the
    test cohort (observed − predicted > 0); leaving less (−0.5): it over-predicts."""
    no_drift = report["models"][0]["calibration_in_the_large"]
    more = evaluate(*_split(0.5), n_boot=10)["models"][0]["calibration_in_the_large"]
    less = evaluate(*_split(-0.5), n_boot=10)["models"][0]["calibration_in_the_large"]
    assert abs(no_drift) < 0.02
    assert more > no_drift + 0.03
    assert less < no_drift - 0.01


def test_unknown_model_is_refused():
    with pytest.raises(ValueError, match="models must be among logistic, boosting"):
        evaluate(pd.DataFrame(), pd.DataFrame(), models=("forest",))
