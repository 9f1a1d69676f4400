"""Allocation done once by the platform: blocked (stratified) randomisation of schools or classes, a stepped-wedge
schedule, nearest-neighbour matching for difference-in-differences when randomisation is impossible, and the
balance table of baseline characteristics afterwards.

Every allocation is a pure function of the units, the block labels and the stored seed: units are sorted by id
(and blocks by label) before numpy's ``Generator`` (PCG64) shuffles them, so the order in which units arrive never
changes who gets the intervention, and the audit record (``ALGORITHM``, the seed and :func:`input_hash`) is enough
to reproduce it.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from safeschool.trials.protocol import content_hash

ALGORITHM = "safeschool.trials.randomise v1"
INTERVENTION, CONTROL = "intervention", "control"
ARMS = (INTERVENTION, CONTROL)


def _units(units: pd.DataFrame, unit: str, block: str | None) -> pd.DataFrame:
    """(unit, block) as strings, validated and sorted by block then unit id."""
    for column, option in ((unit, "unit"), (block, "block")):
        if column is not None and column not in units.columns:
            raise ValueError(f"{option}: column '{column}' is not in the units")
    if units[unit].isna().any():
        raise ValueError(f"unit: column '{unit}' has missing ids")
    out = pd.DataFrame({"unit": units[unit].astype(str).to_numpy(),
                        "block": units[block].astype(str).to_numpy() if block else ""})
    if block and units[block].isna().any():
        raise ValueError(f"block: column '{block}' has missing labels")
    if out.unit.duplicated().any():
        raise ValueError(f"unit: id '{out.unit[out.unit.duplicated()].iloc[0]}' occurs more than once")
    if out.empty:
        raise ValueError("there are no units to allocate")
    return out.sort_values(["block", "unit"], kind="mergesort").reset_index(drop=True)


def input_hash(units: pd.DataFrame, unit: str, block: str | None = None) -> str:
    """SHA-256 of the sorted (unit, block) pairs: what the allocation was computed from."""
    frame = _units(units, unit, block)
    return content_hash([[u, b] for u, b in zip(frame.unit, frame.block, strict=True)])


def _n_treated(n: int, p: float, rng: np.random.Generator) -> int:
    exact = p * n
    low = math.floor(exact)
    if math.isclose(exact - low, 0.5):  # an odd unit at p = 0.5: the seed decides its arm
        return low + int(rng.integers(2))
    return int(math.floor(exact + 0.5))


def allocate(units: pd.DataFrame, *, unit: str, block: str | None = None, seed: int, p: float = 0.5) -> pd.DataFrame:
    """Blocked randomisation: in each block exactly round(p * n) units get the intervention.

    Returns ``unit, block, arm`` ("intervention"/"control"), sorted by block then unit id (ids and labels as
    strings; block "" when there are none). Reproducible from ``seed``; independent of the input's row order.
    """
    if not 0 < p < 1:
        raise ValueError(f"p: the proportion allocated to the intervention must lie in (0, 1) (got {p})")
    frame = _units(units, unit, block)
    rng = np.random.default_rng(seed)
    arm = np.empty(len(frame), dtype=object)
    for _, rows in frame.groupby("block", sort=True).indices.items():
        n_treated = _n_treated(len(rows), p, rng)
        order = rng.permutation(len(rows))
        arm[rows] = CONTROL
        arm[rows[order[:n_treated]]] = INTERVENTION
    frame["arm"] = arm
    return frame


def stepped_wedge(units: pd.DataFrame, *, unit: str, steps: int, seed: int, block: str | None = None) -> pd.DataFrame:
    """A stepped-wedge schedule: each unit gets a step 1..steps, the period from which it receives the
    intervention; within each block the steps' sizes differ by at most one (which steps take the extra units is
    random too). Returns ``unit, block, step``."""
    if int(steps) != steps or steps < 2:
        raise ValueError(f"steps: a stepped wedge needs at least 2 steps (got {steps})")
    frame = _units(units, unit, block)
    rng = np.random.default_rng(seed)
    step = np.zeros(len(frame), dtype=int)
    for _, rows in frame.groupby("block", sort=True).indices.items():
        slots = rng.permutation(steps)  # which steps receive the first, second, ... unit of each round
        order = rng.permutation(len(rows))
        step[rows[order]] = slots[np.arange(len(rows)) % steps] + 1
    frame["step"] = step
    return frame


def balance_table(units_with_arm: pd.DataFrame, covariates: list[str], *, arm: str = "arm") -> list[dict]:
    """Baseline balance: per covariate the arms' means, the pooled SD and the standardised difference as WWC's
    Hedges' g, (mean_intervention - mean_control) / sd_pooled x (1 - 3/(4N - 9)). Missing values are left out
    per covariate; with fewer than 2 values in an arm the SD and g are None."""
    if arm not in units_with_arm.columns:
        raise ValueError(f"arm: column '{arm}' is not in the data")
    rows = []
    for variable in covariates:
        if variable not in units_with_arm.columns:
            raise ValueError(f"covariates: column '{variable}' is not in the data")
        values = pd.to_numeric(units_with_arm[variable], errors="coerce")
        treated = values[units_with_arm[arm] == INTERVENTION].dropna().to_numpy(dtype=float)
        control = values[units_with_arm[arm] == CONTROL].dropna().to_numpy(dtype=float)
        n1, n0 = len(treated), len(control)
        sd = g = None
        if n1 >= 2 and n0 >= 2:
            pooled = ((n1 - 1) * treated.var(ddof=1) + (n0 - 1) * control.var(ddof=1)) / (n1 + n0 - 2)
            sd = math.sqrt(pooled)
            if sd > 0:
                g = (treated.mean() - control.mean()) / sd * (1 - 3 / (4 * (n1 + n0) - 9))
        rows.append({"variable": variable, "level": "unit",
                     "mean_control": float(control.mean()) if n0 else None,
                     "mean_intervention": float(treated.mean()) if n1 else None,
                     "sd_pooled": sd, "std_diff": None if g is None else float(g),
                     "n_control": n0, "n_intervention": n1})
    return rows


def student_balance(students_with_arm: pd.DataFrame, covariates: list[str], *, arm: str = "arm",
                    min_cell: int = 10) -> list[dict]:
    """Baseline balance of student characteristics in student-level SD units, as the What Works Clearinghouse
    assesses baseline equivalence (WWC Procedures and Standards Handbook v5.0, 2022): from one row per student,
    g = (mean_intervention - mean_control) / s x (1 - 3/(4N - 9)) with s the pooled within-arm student-level SD,
    sqrt(((n1 - 1) s1^2 + (n0 - 1) s0^2) / (n1 + n0 - 2)) — not the SD of the units' means, which is far smaller
    and inflates g. An arm with fewer than `min_cell` students with a value shows no mean (None) and the row
    no SD or g, and its count is None (disclosure rule). Rows as `balance_table`'s with ``level`` = "student" and the counts of students.
    """
    if arm not in students_with_arm.columns:
        raise ValueError(f"arm: column '{arm}' is not in the data")
    rows = []
    for variable in covariates:
        if variable not in students_with_arm.columns:
            raise ValueError(f"covariates: column '{variable}' is not in the data")
        values = pd.to_numeric(students_with_arm[variable], errors="coerce")
        treated = values[students_with_arm[arm] == INTERVENTION].dropna().to_numpy(dtype=float)
        control = values[students_with_arm[arm] == CONTROL].dropna().to_numpy(dtype=float)
        n1, n0 = len(treated), len(control)
        sd = g = None
        if n1 >= min_cell and n0 >= min_cell and n1 >= 2 and n0 >= 2:
            pooled = ((n1 - 1) * treated.var(ddof=1) + (n0 - 1) * control.var(ddof=1)) / (n1 + n0 - 2)
            sd = math.sqrt(pooled)
            g = None if sd == 0 else float((treated.mean() - control.mean()) / sd * (1 - 3 / (4 * (n1 + n0) - 9)))
        rows.append({"variable": variable, "level": "student",
                     "mean_control": float(control.mean()) if n0 >= min_cell else None,
                     "mean_intervention": float(treated.mean()) if n1 >= min_cell else None,
                     "sd_pooled": sd, "std_diff": g, "n_control": n0 if n0 >= min_cell else None,
                     "n_intervention": n1 if n1 >= min_cell else None})
    return rows


def matched_comparison(units: pd.DataFrame, *, unit: str, treated: str, covariates: list[str],
                       seed: int) -> pd.DataFrame:
    """Greedy 1:1 nearest-neighbour matching on the Mahalanobis distance, without replacement, for a comparison
    design when randomisation is impossible. Treated units (``treated`` is a boolean column) take their nearest
    remaining comparison unit in an order shuffled by ``seed`` (after sorting by id); the covariance is that of
    all units. Returns ``unit, pair, arm, distance`` for the matched units only (pair 1..n_treated)."""
    if treated not in units.columns:
        raise ValueError(f"treated: column '{treated}' is not in the units")
    missing = [c for c in covariates if c not in units.columns]
    if missing:
        raise ValueError(f"covariates: column '{missing[0]}' is not in the units")
    if not covariates:
        raise ValueError("covariates: matching needs at least one covariate")
    frame = units[[unit, treated, *covariates]].copy()
    frame["_id"] = frame[unit].astype(str)
    if frame[covariates].isna().any().any():
        raise ValueError("covariates: matching needs complete covariates (a unit misses a value)")
    frame = frame.sort_values("_id", kind="mergesort").reset_index(drop=True)
    is_treated = frame[treated].astype(bool).to_numpy()
    if is_treated.sum() == 0:
        raise ValueError("treated: no unit is marked as treated")
    if (~is_treated).sum() < is_treated.sum():
        raise ValueError(f"treated: {int(is_treated.sum())} treated units but only {int((~is_treated).sum())} "
                         "comparison units to match them without replacement")
    x = frame[covariates].to_numpy(dtype=float)
    cov = np.atleast_2d(np.cov(x, rowvar=False))
    inverse = np.linalg.pinv(cov)
    rng = np.random.default_rng(seed)
    treated_idx = np.flatnonzero(is_treated)[rng.permutation(int(is_treated.sum()))]
    available = list(np.flatnonzero(~is_treated))
    rows = []
    for pair, i in enumerate(treated_idx, start=1):
        diff = x[available] - x[i]
        distance = np.sqrt(np.einsum("ij,jk,ik->i", diff, inverse, diff).clip(0))
        best = int(np.argmin(distance))  # ties go to the lower id (the candidates are in id order)
        j = available.pop(best)
        rows.append({"unit": frame["_id"][i], "pair": pair, "arm": INTERVENTION, "distance": float(distance[best])})
        rows.append({"unit": frame["_id"][j], "pair": pair, "arm": CONTROL, "distance": float(distance[best])})
    return pd.DataFrame(rows, columns=["unit", "pair", "arm", "distance"])
