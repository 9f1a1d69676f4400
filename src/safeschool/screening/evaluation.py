"""Evaluation on a later cohort that tells the truth: AUC with a bootstrap CI, the Brier score, calibration by
decile and per tier (Massachusetts EWIS), precision and recall when each school selects as many students as it can
support (Lakkaraju et al., 2015), and a plain sentence on whether the individual model beats the school-only one.

The bootstrap resamples students of the test cohort; every model is scored on the same resamples, so the CI of the
AUC difference is paired. AUCs are computed from rank sums on bootstrap weights (a student drawn twice counts twice),
in numpy, for all replicates at once. Figures about fewer than `MIN_CELL` students are suppressed (None).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from safeschool.screening.models import (
    BASELINES,
    CANDIDATES,
    ORACLE,
    RiskModel,
    assign_tiers,
    baseline,
    labelled,
    tier_cutoffs,
)
from safeschool.stats.disclosure import protect
from safeschool.vocabulary import MIN_CELL, gettext_noop

TOPK_SHARES = tuple(round(s / 100, 2) for s in range(1, 51))
ALGORITHM_NAMES = {"logistic": gettext_noop("logistic regression"), "boosting": gettext_noop("gradient boosting")}
# The verdict, with named fields so a translated template can be filled the same way (web: gettext(template)).
VERDICT_BEATS = gettext_noop(
    "The individual model ({model}, AUC {auc}, 95 % CI {auc_lo}–{auc_hi}) beats the school-only baseline "
    "(AUC {school_auc}) by {difference} (95 % CI {lo}–{hi}).")
VERDICT_WORSE = gettext_noop(
    "The individual model ({model}, AUC {auc}, 95 % CI {auc_lo}–{auc_hi}) does worse than the school-only "
    "baseline (AUC {school_auc}): the difference is {difference} (95 % CI {lo}–{hi}).")
VERDICT_UNCLEAR = gettext_noop(
    "The individual model ({model}, AUC {auc}, 95 % CI {auc_lo}–{auc_hi}) does not clearly beat the school-only "
    "baseline (AUC {school_auc}): the difference is {difference} (95 % CI {lo}–{hi}), which includes zero.")
VERDICT_NO_INTERVAL = gettext_noop(
    "The individual model ({model}, AUC {auc}) differs from the school-only baseline (AUC {school_auc}) by "
    "{difference}; no confidence interval was computed (no bootstrap), so whether it beats the baseline is not "
    "known.")


def _float(x) -> float | None:
    return None if x is None or not np.isfinite(x) else float(x)


# --- AUC -------------------------------------------------------------------------------------------------------

def weighted_auc(y: np.ndarray, scores: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """AUC (Mann–Whitney, ties count half) for each row of `weights` (replicates × students); NaN when a
    replicate has no positive or no negative student. With weights of ones it equals sklearn's roc_auc_score."""
    y = np.asarray(y, bool)
    scores = np.asarray(scores, float)
    weights = np.atleast_2d(np.asarray(weights, float))
    levels, level = np.unique(scores, return_inverse=True)
    n_levels = len(levels)
    reps = weights.shape[0]
    offsets = (np.arange(reps)[:, None] * n_levels + level[None, :]).ravel()
    pos = np.bincount(offsets, weights=(weights * y).ravel(), minlength=reps * n_levels).reshape(reps, n_levels)
    neg = np.bincount(offsets, weights=(weights * ~y).ravel(), minlength=reps * n_levels).reshape(reps, n_levels)
    below = np.cumsum(neg, axis=1) - neg
    wins = (pos * (below + 0.5 * neg)).sum(axis=1)
    total = pos.sum(axis=1) * neg.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, wins / np.where(total > 0, total, 1), np.nan)


def auc(y: np.ndarray, scores: np.ndarray) -> float:
    return float(weighted_auc(y, scores, np.ones((1, len(y))))[0])


def bootstrap_weights(n: int, n_boot: int, seed: int = 0) -> np.ndarray:
    """How often each of n students is drawn in each of n_boot resamples (n_boot × n)."""
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, n, size=(n_boot, n))
    offsets = (np.arange(n_boot)[:, None] * n + draws).ravel()
    return np.bincount(offsets, minlength=n_boot * n).reshape(n_boot, n).astype(float)


def percentile_ci(values: np.ndarray, level: float = 0.95) -> list[float | None]:
    values = np.asarray(values, float)
    values = values[np.isfinite(values)]
    if values.size == 0:
        return [None, None]
    tail = (1 - level) / 2 * 100
    return [float(np.percentile(values, tail)), float(np.percentile(values, 100 - tail))]


# --- selection at capacity -------------------------------------------------------------------------------------

def _school_k(n: int, share: float) -> int:
    if not 0 <= share <= 1:
        raise ValueError(f"a capacity is a share between 0 and 1 (got {share})")
    return int(math.ceil(round(share * n, 9)))  # round: 0.1 × 30 is 3.0000000000000004 in floating point


def select_top_k(scores, school_ids, capacity: float = 0.1, school_capacity: dict | None = None,
                 seed: int = 0) -> np.ndarray:
    """Which students each school selects when it supports its top ceil(capacity_s × n_s) by score.

    `capacity_s` is `school_capacity[school_id]` when given (looked up as given, then as text), else `capacity`.
    Ties are broken by a seeded random order (so a constant score selects an arbitrary, not a sorted, subset);
    a missing score is never selected.
    """
    scores = np.asarray(scores, float)
    schools = pd.Series(np.asarray(school_ids, dtype=object))
    codes, uniques = pd.factorize(schools)
    school_capacity = school_capacity or {}
    n = np.bincount(codes, minlength=len(uniques))
    k = np.array([_school_k(int(n[i]), float(school_capacity.get(s, school_capacity.get(str(s), capacity))))
                  for i, s in enumerate(uniques)], dtype=int)
    tiebreak = np.random.default_rng(seed).permutation(len(scores))
    ranked = np.where(np.isnan(scores), -np.inf, scores)
    order = np.lexsort((tiebreak, -ranked, codes))
    first = np.searchsorted(codes[order], np.arange(len(uniques)))
    rank = np.empty(len(scores), int)
    rank[order] = np.arange(len(scores)) - first[codes[order]]
    return (rank < k[codes]) & ~np.isnan(scores)


def precision_recall_at_k(y, selected) -> tuple[float | None, float | None]:
    """Precision (share of the selected who have the outcome) and recall (share of those with it selected)."""
    y = np.asarray(y, bool)
    selected = np.asarray(selected, bool)
    precision = float(y[selected].mean()) if selected.any() else None
    recall = float(y[selected].sum() / y.sum()) if y.any() else None
    return precision, recall


# --- tables ----------------------------------------------------------------------------------------------------

def tier_table(y, p, tiers) -> list[dict]:
    """Per tier (high, moderate, low): n, the observed outcome rate and the mean predicted probability. A tier of
    fewer than `MIN_CELL` students shows none of them, nor its n; another tier is hidden too when the test
    cohort's n would give it away (complementary suppression, stats.disclosure.protect)."""
    y, p, tiers = np.asarray(y, float), np.asarray(p, float), np.asarray(tiers)
    names = ("high", "moderate", "low")
    counts = {tier: int((tiers == tier).sum()) for tier in names}
    protection = protect(counts)
    rows = []
    for tier in names:
        inside = tiers == tier
        shown = counts[tier] >= MIN_CELL and not protection.hidden(tier)
        rows.append({"tier": tier, "n": counts[tier] if shown or counts[tier] == 0 else None,
                     "observed_rate": float(y[inside].mean()) if shown else None,
                     "mean_predicted": float(p[inside].mean()) if shown else None})
    return rows


def calibration_table(y, p, bins: int = 10) -> list[dict]:
    """Observed rate against mean prediction in (up to) `bins` quantile bins of the prediction; tied
    predictions stay in one bin, so a rule with four values has at most four."""
    y, p = np.asarray(y, float), np.asarray(p, float)
    if len(p) == 0:
        return []
    edges = np.unique(np.quantile(p, np.linspace(0, 1, bins + 1)))
    index = np.searchsorted(edges[1:-1], p, side="right")
    counts = {b: int((index == b).sum()) for b in range(len(edges) - 1 if len(edges) > 1 else 1)}
    counts = {b: n for b, n in counts.items() if n}
    protection = protect(counts)  # a small bin hides its n too, and another bin's when the total would tell it
    rows = []
    for b, n in counts.items():
        inside = index == b
        shown = n >= MIN_CELL and not protection.hidden(b)
        rows.append({"mean_predicted": float(p[inside].mean()) if shown else None,
                     "observed_rate": float(y[inside].mean()) if shown else None, "n": n if shown else None})
    return rows


def roc_points(y, p, max_points: int = 101) -> list[dict]:
    """The ROC curve (false- and true-positive rates) with at most `max_points` points."""
    y, p = np.asarray(y, bool), np.asarray(p, float)
    if not y.any() or y.all():
        return []
    order = np.argsort(-p, kind="stable")
    ps, ys = p[order], y[order]
    last = np.r_[np.flatnonzero(np.diff(ps)), len(ps) - 1]  # the last student of each distinct score
    tpr = np.r_[0.0, np.cumsum(ys)[last] / ys.sum()]
    fpr = np.r_[0.0, np.cumsum(~ys)[last] / (~ys).sum()]
    if len(fpr) > max_points:  # keep real points, evenly spread along the curve, the first and the last
        keep = np.unique(np.round(np.linspace(0, len(fpr) - 1, max_points)).astype(int))
        fpr, tpr = fpr[keep], tpr[keep]
    return [{"fpr": float(f), "tpr": float(t)} for f, t in zip(fpr, tpr, strict=True)]


def topk_curve(y, p, shares=TOPK_SHARES, seed: int = 0) -> list[dict]:
    """Precision and recall when the top share of the whole test cohort is selected (ties broken at random)."""
    y, p = np.asarray(y, bool), np.asarray(p, float)
    tiebreak = np.random.default_rng(seed).permutation(len(p))
    order = np.lexsort((tiebreak, -p))
    hits = np.cumsum(y[order])
    rows = []
    for share in shares:
        k = _school_k(len(p), share)
        shown = k >= MIN_CELL
        rows.append({"share": share, "precision": float(hits[k - 1] / k) if shown else None,
                     "recall": float(hits[k - 1] / y.sum()) if shown and y.any() else None})
    return rows


# --- the evaluation --------------------------------------------------------------------------------------------

def _fitted(name: str, train: pd.DataFrame, outcome: str, seed: int):
    if name in CANDIDATES:
        return RiskModel(name, outcome, random_state=seed).fit(train)
    return baseline(name, outcome, random_state=seed).fit(train)


def _entry(name, kind, y, p, train_p, selected, boot, shares) -> dict:
    cutoffs = tier_cutoffs(train_p, shares)
    precision, recall = precision_recall_at_k(y, selected)
    k = int(selected.sum())
    if k < MIN_CELL:
        precision = recall = None
    return {"name": name, "kind": kind, "auc": _float(auc(y, p)), "auc_ci": percentile_ci(boot),
            "brier": float(np.mean((p - y) ** 2)), "calibration_in_the_large": float(y.mean() - p.mean()),
            "precision_at_k": precision, "recall_at_k": recall,
            "tiers": tier_table(y, p, assign_tiers(p, cutoffs)), "calibration": calibration_table(y, p),
            "roc": roc_points(y, p), "topk": topk_curve(y, p)}


def _round(x: float | None) -> str:
    return "–" if x is None else f"{x:.2f}"


def verdict(best: dict, school_only: dict, difference: float | None, ci: list) -> dict:
    """Whether the best individual model beats the school-only baseline: only when the paired CI of the AUC
    difference lies above zero."""
    lo, hi = ci
    beats = lo is not None and lo > 0
    worse = hi is not None and hi < 0
    if lo is None or hi is None:  # no bootstrap (n_boot=0) or no usable replicate: claim no interval
        template = VERDICT_NO_INTERVAL
    else:
        template = VERDICT_BEATS if beats else VERDICT_WORSE if worse else VERDICT_UNCLEAR
    fields = {"model": ALGORITHM_NAMES.get(best["name"], best["name"]), "auc": _round(best["auc"]),
              "auc_lo": _round(best["auc_ci"][0]), "auc_hi": _round(best["auc_ci"][1]),
              "school_auc": _round(school_only["auc"]), "difference": _round(difference),
              "lo": _round(lo), "hi": _round(hi)}
    return {"best_model": best["name"], "best_auc": best["auc"], "school_only_auc": school_only["auc"],
            "difference": difference, "difference_ci": [lo, hi], "beats_school_only": bool(beats),
            "sentence": template.format(**fields), "template": template, "fields": fields}


def evaluate(train: pd.DataFrame, test: pd.DataFrame, *, outcome: str = "dropped_out", models=("logistic",),
             capacity: float = 0.1, school_capacity: dict | None = None, n_boot: int = 200, seed: int = 0,
             tier_shares: tuple[float, float] = (0.10, 0.15)) -> dict:
    """Fit each candidate in `models` and the baselines on `train`, and evaluate them on `test` (JSON-ready)."""
    unknown = [m for m in models if m not in CANDIDATES]
    if unknown or not models:
        raise ValueError(f"models must be among {', '.join(CANDIDATES)} (got {', '.join(unknown) or 'none'})")
    train, test = labelled(train, outcome), labelled(test, outcome)
    if test.empty:
        raise ValueError(f"{outcome}: no student of the test cohort has it recorded")
    y = test[outcome].to_numpy(float)
    weights = bootstrap_weights(len(test), n_boot, seed)
    school_ids = test["school_id"].to_numpy(object)
    entries, boots = [], {}
    runs = [(m, "model") for m in models] + [(b, "baseline") for b in BASELINES]
    for name, kind in runs:
        fitted = _fitted(name, train, outcome, seed)
        p = fitted.predict_proba(test)
        train_p = fitted.predict_proba(train)
        boots[name] = weighted_auc(y, p, weights)
        selected = select_top_k(p, school_ids, capacity, school_capacity, seed)
        entries.append(_entry(name, kind, y, p, train_p, selected, boots[name], tier_shares))
    oracle_auc = None
    if outcome == "dropped_out" and "p_true" in test and test["p_true"].notna().all():
        p = test["p_true"].to_numpy(float)
        train_p = train["p_true"].to_numpy(float) if "p_true" in train and train["p_true"].notna().all() else p
        selected = select_top_k(p, school_ids, capacity, school_capacity, seed)
        entries.append(_entry(ORACLE, "oracle", y, p, train_p, selected, weighted_auc(y, p, weights), tier_shares))
        oracle_auc = entries[-1]["auc"]
    by_name = {e["name"]: e for e in entries}
    best = max((by_name[m] for m in models), key=lambda e: -1 if e["auc"] is None else e["auc"])
    school_only = by_name["school_only"]
    difference = None if best["auc"] is None or school_only["auc"] is None else best["auc"] - school_only["auc"]
    k = int(select_top_k(np.zeros(len(test)), school_ids, capacity, school_capacity, seed).sum())
    cohorts = sorted(int(c) for c in train["cohort"].dropna().unique()) if "cohort" in train else []
    test_cohorts = sorted(int(c) for c in test["cohort"].dropna().unique()) if "cohort" in test else []
    return {
        "outcome": outcome, "train_cohorts": cohorts,
        "test_cohort": test_cohorts[0] if len(test_cohorts) == 1 else (test_cohorts or None),
        "n_train": int(len(train)), "n_test": int(len(test)),
        "base_rate": float(y.mean()), "train_base_rate": float(train[outcome].mean()),
        "capacity": float(capacity), "k": k, "models": entries,
        "verdict": verdict(best, school_only, difference,
                           percentile_ci(boots[best["name"]] - boots["school_only"])),
        "oracle_auc": oracle_auc,
    }
