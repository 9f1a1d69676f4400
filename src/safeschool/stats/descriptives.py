"""Descriptive summaries for school and country profiles, with small-cell suppression built in.

Each function takes a tidy DataFrame (one row per student and wave) and returns a tidy DataFrame in which any
statistic over fewer than `k` students is None and flagged `suppressed`, with its `reason` and no count (the
rules: stats/disclosure.py).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from safeschool.stats.disclosure import BELOW_MIN, MIN_CELL, protect, rounded, suppress_groups
from safeschool.vocabulary import gettext_noop

# band labels are marked for translation (pages translate them with gettext() when they show them)
ACHIEVEMENT_BANDS = ((-math.inf, 400, gettext_noop("below 400")), (400, 450, "400-449"), (450, 500, "450-499"),
                     (500, 550, "500-549"), (550, 600, "550-599"), (600, math.inf, gettext_noop("600 and above")))
ATTENDANCE_BANDS = ((-math.inf, 0.80, gettext_noop("below 80 % (persistent absence)")), (0.80, 0.90, "80-89 %"),
                    (0.90, 0.95, "90-94 %"), (0.95, math.inf, gettext_noop("95 % and above")))


def hidden(reason: str = BELOW_MIN) -> dict:
    """A suppressed statistic: its reason and nothing else (no n, no mean, no interval)."""
    return {"n": None, "mean": None, "ci_low": None, "ci_high": None, "suppressed": True, "reason": reason}


def _published(n: int, mean: float, low: float, high: float, digits: int | None) -> dict:
    if digits is not None:
        mean, low, high = rounded(mean, digits), rounded(low, digits), rounded(high, digits)
    return {"n": n, "mean": mean, "ci_low": low, "ci_high": high, "suppressed": False, "reason": None}


def mean_ci(values: pd.Series, k: int = MIN_CELL, digits: int | None = None) -> dict:
    """Mean with a normal-approximation 95 % CI over non-missing values; suppressed when n < k (then no n).
    `digits` rounds the published figures as they are displayed."""
    v = pd.to_numeric(values, errors="coerce").dropna().to_numpy(dtype=float)
    n = len(v)
    if n < k or n == 0:
        return hidden()
    mean = float(v.mean())
    half = 1.96 * float(v.std(ddof=1)) / math.sqrt(n) if n > 1 else 0.0
    return _published(n, mean, mean - half, mean + half, digits)


def share_ci(flags: pd.Series, k: int = MIN_CELL, digits: int | None = None) -> dict:
    """Proportion with a Wilson 95 % CI; suppressed (no n) when computed over fewer than k students."""
    v = flags.dropna().astype(bool).to_numpy()
    n = len(v)
    if n < k or n == 0:
        return hidden()
    p = float(v.mean())
    z = 1.96
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return _published(n, p, max(0.0, centre - half), min(1.0, centre + half), digits)


def wave_summary(frame: pd.DataFrame, measures: dict[str, str], k: int = MIN_CELL,
                 digits: dict[str, int] | None = None) -> pd.DataFrame:
    """Per wave and measure: n, mean, 95 % CI. `measures` maps column -> label; `dropped_out` is a share;
    `digits` maps column -> the decimals it is published with."""
    rows = []
    for wave, group in frame.groupby("wave", sort=True):
        for column, label in measures.items():
            places = (digits or {}).get(column)
            stats = share_ci(group[column], k, places) if column == "dropped_out" else \
                mean_ci(group[column], k, places)
            rows.append({"wave": int(wave), "measure": column, "label": label, **stats})
    return pd.DataFrame(rows, columns=["wave", "measure", "label", "n", "mean", "ci_low", "ci_high", "suppressed",
                                       "reason"])


def breakdown_means(values: dict[str, pd.Series], *, k: int = MIN_CELL, share: bool = False,
                    digits: int | None = None) -> dict[str, dict]:
    """The mean (or share) of each cell of a breakdown whose parent mean is published (e.g. the classes of a
    school): primary and complementary suppression on the cells' numbers of values, so that no hidden cell's
    mean can be recovered from the parent's."""
    clean = {key: (v.dropna().astype(bool) if share else pd.to_numeric(v, errors="coerce").dropna())
             for key, v in values.items()}
    protection = protect({key: len(v) for key, v in clean.items()}, k=k, total_shown=True)
    out = {}
    for key, v in clean.items():
        if protection.hidden(key):
            out[key] = hidden(protection.reasons[key])
        else:
            out[key] = share_ci(v, k, digits) if share else mean_ci(v, k, digits)
    return out


def banded_counts(values: pd.Series, bands, k: int = MIN_CELL) -> pd.DataFrame:
    """Counts per band with primary and complementary suppression (the total is shown beside them)."""
    v = pd.to_numeric(values, errors="coerce").dropna()
    counts = {}
    for low, high, label in bands:
        counts[label] = int(((v >= low) & (v < high)).sum())
    reasons = protect(counts, k=k, total_shown=True).reasons
    total = int(len(v))
    return pd.DataFrame([
        {"band": label, "order": i, "count": None if reasons[label] else counts[label],
         "share": None if reasons[label] or total == 0 else rounded(counts[label] / total, 3),
         "suppressed": reasons[label] is not None, "reason": reasons[label]}
        for i, (_l, _h, label) in enumerate(bands)
    ], columns=["band", "order", "count", "share", "suppressed", "reason"])


def group_breakdown(frame: pd.DataFrame, by: str, column: str, *, labels: dict | None = None,
                    share: bool = False, k: int = MIN_CELL, digits: int | None = None) -> pd.DataFrame:
    """A statistic of `column` for each category of `by`, suppressing groups of fewer than k students and,
    when exactly one group is hidden, the next-smallest (the overall value is shown beside the groups).
    Groups come in the order of `labels` when given (e.g. school stages from early childhood upwards)."""
    groups = {}
    for key, group in frame.groupby(by, sort=True, observed=True):
        v = group[column].dropna()
        mean = (v.astype(bool).mean() if share else pd.to_numeric(v, errors="coerce").mean()) if len(v) else None
        groups[str(key)] = (len(v), None if mean is None else float(mean))
    if labels:
        order = list(labels)
        groups = dict(sorted(groups.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else len(order)))
    cells = suppress_groups(groups, k=k, total_shown=True)
    return pd.DataFrame([
        {"group": (labels or {}).get(key, key), "key": key, "n": cell.n,
         "value": cell.value if digits is None else rounded(cell.value, digits), "suppressed": cell.suppressed,
         "reason": cell.reason}
        for key, cell in cells.items()
    ], columns=["group", "key", "n", "value", "suppressed", "reason"])


def ses_band(ses: pd.Series) -> pd.Series:
    """Low / middle / high SES by the tertile cut-points of a standard normal (-0.43, 0.43)."""
    return pd.Series(np.select([ses < -0.43, ses > 0.43], ["low", "high"], "middle"), index=ses.index)
