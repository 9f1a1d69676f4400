"""Attrition against the What Works Clearinghouse boundaries, and the CONSORT flow's counts.

Overall attrition is the share of assigned units not analysed; differential attrition the absolute difference
between the arms' rates. A trial has *low* attrition when its differential attrition does not exceed the
boundary for its overall rate: What Works Clearinghouse, *Standards Handbook*, Version 4.1 (2020), Table II.1
"Highest differential attrition rate for a sample to maintain low attrition, by overall attrition rate, under
'optimistic' and 'cautious' assumptions". The *cautious* boundary applies
when the intervention could itself affect who stays (e.g. a dropout-prevention programme), the *optimistic* one
when that is unlikely; the protocol should fix which, before the results.

The table is given for whole percentages of overall attrition (0-65 %); the overall rate is rounded to the
nearest whole percent to look it up (the table's resolution) and the differential rate is compared
unrounded. Beyond the table (cautious: over 57 %; optimistic: over 65 %) attrition is high whatever the
differential.
"""

from __future__ import annotations

import math

import pandas as pd

# WWC Standards Handbook v4.1, Table II.1: maximum differential attrition (percentage points) for overall attrition
# 0, 1, ..., 57 % (cautious) and 0, 1, ..., 65 % (optimistic).
CAUTIOUS = (5.7, 5.8, 5.9, 5.9, 6.0, 6.1, 6.2, 6.3, 6.3, 6.3, 6.3, 6.2, 6.2, 6.1, 6.0, 5.9, 5.9, 5.8, 5.7, 5.5,
            5.4, 5.3, 5.2, 5.1, 4.9, 4.8, 4.7, 4.5, 4.4, 4.3, 4.1, 4.0, 3.8, 3.6, 3.5, 3.3, 3.2, 3.1, 2.9, 2.8,
            2.6, 2.5, 2.3, 2.1, 2.0, 1.8, 1.6, 1.5, 1.3, 1.2, 1.0, 0.9, 0.7, 0.6, 0.4, 0.3, 0.2, 0.0)
OPTIMISTIC = (10.0, 10.1, 10.2, 10.3, 10.4, 10.5, 10.7, 10.8, 10.9, 10.9, 10.9, 10.9, 10.9, 10.8, 10.8, 10.7, 10.6,
              10.5, 10.3, 10.2, 10.0, 9.9, 9.7, 9.5, 9.4, 9.2, 9.0, 8.8, 8.6, 8.4, 8.2, 8.0, 7.8, 7.6, 7.4, 7.2,
              7.0, 6.7, 6.5, 6.3, 6.0, 5.8, 5.6, 5.3, 5.1, 4.9, 4.6, 4.4, 4.2, 3.9, 3.7, 3.5, 3.2, 3.0, 2.8, 2.6,
              2.3, 2.1, 1.9, 1.6, 1.4, 1.1, 0.9, 0.7, 0.5, 0.3)
BOUNDARIES = {"cautious": CAUTIOUS, "optimistic": OPTIMISTIC}
REFERENCE = ("What Works Clearinghouse (2020). Standards Handbook, Version 4.1, Table II.1. "
             "U.S. Department of Education, Institute of Education Sciences.")


def max_differential(overall: float, assumption: str) -> float | None:
    """The highest differential attrition (a proportion) that is still low for this overall rate (a proportion),
    or None when the overall rate alone makes attrition high."""
    table = BOUNDARIES[assumption]
    percent = math.floor(overall * 100 + 0.5 + 1e-9)  # nearest whole percent, halves up
    if percent < 0:
        raise ValueError(f"overall attrition cannot be negative (got {overall})")
    return table[percent] / 100 if percent < len(table) else None


def attrition(assigned: dict[str, int], analysed: dict[str, int]) -> dict:
    """Overall and differential attrition of a two-arm trial and the WWC verdict under both boundaries.

    ``assigned`` and ``analysed`` count units (clusters, or students) per arm. Returns ``overall``,
    ``differential`` (proportions), ``by_arm`` {arm: {assigned, analysed, lost, rate}}, ``boundary``
    {"cautious": "low"/"high", "optimistic": ...}, ``cautious_max`` and ``optimistic_max`` (the boundary for this
    overall rate, None when there is none) and ``reference``.
    """
    if set(assigned) != set(analysed) or len(assigned) != 2:
        raise ValueError("attrition needs the same two arms in 'assigned' and 'analysed'")
    by_arm = {}
    for arm in sorted(assigned):
        n, kept = int(assigned[arm]), int(analysed[arm])
        if n <= 0 or not 0 <= kept <= n:
            raise ValueError(f"arm '{arm}': analysed ({kept}) must lie between 0 and assigned ({n}), assigned > 0")
        by_arm[arm] = {"assigned": n, "analysed": kept, "lost": n - kept, "rate": (n - kept) / n}
    total = sum(a["assigned"] for a in by_arm.values())
    overall = sum(a["lost"] for a in by_arm.values()) / total
    first, second = (a["rate"] for a in by_arm.values())
    differential = abs(first - second)
    out = {"overall": overall, "differential": differential, "by_arm": by_arm, "boundary": {},
           "reference": REFERENCE}
    for assumption in BOUNDARIES:
        limit = max_differential(overall, assumption)
        out[f"{assumption}_max"] = limit
        low = limit is not None and differential <= limit + 1e-9
        out["boundary"][assumption] = "low" if low else "high"
    return out


def consort(frame_assigned: pd.DataFrame, *, unit_cols: str | list[str], arm: str, analysed_col: str) -> dict:
    """The CONSORT flow's counts per arm: clusters and students assigned, lost and analysed.

    ``frame_assigned`` has one row per student assigned; ``unit_cols`` names the cluster (the unit of assignment,
    e.g. "school_id", or ["school_id", "class_id"] for classes); ``analysed_col`` is true for students in the
    analysis. A cluster is analysed when any of its students is. Returns {arm: {clusters_assigned,
    clusters_lost, clusters_analysed, students_assigned, students_lost, students_analysed}} with the arms sorted.
    Small counts are not suppressed here: the pages that show them apply MIN_CELL.
    """
    cols = [unit_cols] if isinstance(unit_cols, str) else list(unit_cols)
    for column in [*cols, arm, analysed_col]:
        if column not in frame_assigned.columns:
            raise ValueError(f"column '{column}' is not in the data")
    kept = frame_assigned[analysed_col].fillna(False).astype(bool)
    out = {}
    for label, rows in frame_assigned.groupby(arm, sort=True):
        analysed = kept.loc[rows.index]
        clusters = rows.assign(_kept=analysed).groupby(cols, sort=False)["_kept"].any()
        out[str(label)] = {
            "clusters_assigned": int(len(clusters)), "clusters_lost": int((~clusters).sum()),
            "clusters_analysed": int(clusters.sum()), "students_assigned": int(len(rows)),
            "students_lost": int((~analysed).sum()), "students_analysed": int(analysed.sum()),
        }
    return out
