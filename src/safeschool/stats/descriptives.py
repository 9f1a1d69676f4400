"""Descriptive summaries for school and country profiles, with small-cell suppression built in.

Each function takes a tidy DataFrame (one row per student and wave) and returns a tidy DataFrame in which any
statistic over fewer than `k` students is None and flagged `suppressed`.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from safeschool.stats.disclosure import MIN_CELL, suppress_counts, suppress_groups

ACHIEVEMENT_BANDS = ((-math.inf, 400, "below 400"), (400, 450, "400-449"), (450, 500, "450-499"),
                     (500, 550, "500-549"), (550, 600, "550-599"), (600, math.inf, "600 and above"))
ATTENDANCE_BANDS = ((-math.inf, 0.80, "below 80 % (persistent absence)"), (0.80, 0.90, "80-89 %"),
                    (0.90, 0.95, "90-94 %"), (0.95, math.inf, "95 % and above"))


def mean_ci(values: pd.Series, k: int = MIN_CELL) -> dict:
    """Mean with a normal-approximation 95 % CI over non-missing values; suppressed when n < k."""
    v = pd.to_numeric(values, errors="coerce").dropna().to_numpy(dtype=float)
    n = len(v)
    if n < k:
        return {"n": n, "mean": None, "ci_low": None, "ci_high": None, "suppressed": True}
    mean = float(v.mean())
    half = 1.96 * float(v.std(ddof=1)) / math.sqrt(n) if n > 1 else 0.0
    return {"n": n, "mean": mean, "ci_low": mean - half, "ci_high": mean + half, "suppressed": False}


def share_ci(flags: pd.Series, k: int = MIN_CELL) -> dict:
    """Proportion with a Wilson 95 % CI; suppressed when computed over fewer than k students."""
    v = flags.dropna().astype(bool).to_numpy()
    n = len(v)
    if n < k:
        return {"n": n, "mean": None, "ci_low": None, "ci_high": None, "suppressed": True}
    p = float(v.mean())
    z = 1.96
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return {"n": n, "mean": p, "ci_low": max(0.0, centre - half), "ci_high": min(1.0, centre + half),
            "suppressed": False}


def wave_summary(frame: pd.DataFrame, measures: dict[str, str], k: int = MIN_CELL) -> pd.DataFrame:
    """Per wave and measure: n, mean, 95 % CI. `measures` maps column -> label; `dropped_out` is a share."""
    rows = []
    for wave, group in frame.groupby("wave", sort=True):
        for column, label in measures.items():
            stats = share_ci(group[column], k) if column == "dropped_out" else mean_ci(group[column], k)
            rows.append({"wave": int(wave), "measure": column, "label": label, **stats})
    return pd.DataFrame(rows, columns=["wave", "measure", "label", "n", "mean", "ci_low", "ci_high", "suppressed"])


def banded_counts(values: pd.Series, bands, k: int = MIN_CELL) -> pd.DataFrame:
    """Counts per band with primary and complementary suppression (the total is shown beside them)."""
    v = pd.to_numeric(values, errors="coerce").dropna()
    counts = {}
    for low, high, label in bands:
        counts[label] = int(((v >= low) & (v < high)).sum())
    kept = suppress_counts(counts, k=k, total_shown=True)
    total = int(len(v))
    return pd.DataFrame([
        {"band": label, "order": i, "count": kept[label], "share": None if kept[label] is None or total == 0
         else kept[label] / total, "suppressed": kept[label] is None}
        for i, (_l, _h, label) in enumerate(bands)
    ])


def group_breakdown(frame: pd.DataFrame, by: str, column: str, *, labels: dict | None = None,
                    share: bool = False, k: int = MIN_CELL) -> pd.DataFrame:
    """A statistic of `column` for each category of `by`, suppressing groups of fewer than k students and,
    when exactly one group is hidden, the next-smallest (the overall value is shown beside the groups).
    Groups come in the order of `labels` when given (e.g. school stages from early childhood upwards)."""
    groups = {}
    for key, group in frame.groupby(by, sort=True, observed=True):
        stats = share_ci(group[column], 0) if share else mean_ci(group[column], 0)
        groups[str(key)] = (stats["n"], stats["mean"])
    if labels:
        order = list(labels)
        groups = dict(sorted(groups.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else len(order)))
    cells = suppress_groups(groups, k=k, total_shown=True)
    return pd.DataFrame([
        {"group": (labels or {}).get(key, key), "key": key, "n": cell.n if not cell.suppressed else None,
         "value": cell.value, "suppressed": cell.suppressed}
        for key, cell in cells.items()
    ], columns=["group", "key", "n", "value", "suppressed"])


def ses_band(ses: pd.Series) -> pd.Series:
    """Low / middle / high SES by the tertile cut-points of a standard normal (-0.43, 0.43)."""
    return pd.Series(np.select([ses < -0.43, ses > 0.43], ["low", "high"], "middle"), index=ses.index)
