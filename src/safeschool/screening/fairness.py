"""The fairness audit of a risk model's selection and the gate a model must pass before schools see its scores.

`audit` computes, per value of each protected attribute and per intersectional stratum (the combinations of
`STRATA`, as MAIHDA forms them), on the students whose outcome is known:

* selection rate = selected / n;
* false-positive rate (FPR) = selected among students who did not reach the outcome / those students;
* false-negative rate (FNR) = not selected among students who reached the outcome / those students;
* precision = reached the outcome among the selected / the selected;
* observed rate = reached the outcome / n;
* calibration-in-the-large = observed rate − mean predicted probability (negative: the model over-predicts for
  the group).

fairlearn's `MetricFrame` groups the students and counts per group (Weerts et al., 2023, JMLR 24(257)); every
rate is a ratio of two counts.

Suppression (DESIGN.md, data protection; `stats.disclosure`):

1. A group of fewer than `min_n` (MIN_CELL, 10) students shows nothing: `n` and every figure are None.
2. Complementary suppression: the test cohort's size and its overall rates are published beside the audit, so
   within one attribute (and across the strata) the hidden groups together must hold 0 or at least 10 students,
   otherwise the next-smallest group is hidden too (`stats.disclosure.protect`); `suppressed` says why
   ("small" or "protects"; None when shown).
3. A rate whose own denominator is under `min_n` is None even when the group is shown: FPR needs 10 students
   who did not reach the outcome, FNR 10 who did, precision 10 selected (selection rate and calibration are over
   the group's n, as is the observed rate).

Figures are plain floats rounded to 4 decimals (JSON-ready). The gate (`gate`, `GateSettings`) compares these
figures across groups; its defaults and why are documented on `GateSettings`.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from statistics import NormalDist

import numpy as np
import pandas as pd
from fairlearn.metrics import MetricFrame

from safeschool.screening.data import PROTECTED
from safeschool.stats.disclosure import protect
from safeschool.vocabulary import GROUPS, MIN_CELL

# The intersectional strata: the same attributes as the platform's MAIHDA (gender × migrant × Roma/minority ×
# SES band × SEN).
STRATA: tuple[str, ...] = ("gender", "migrant_background", "roma_minority", "ses_band", "sen")
DIGITS = 4
RATES = ("selection_rate", "fpr", "fnr", "precision", "observed_rate", "calibration")
# the denominator each rate needs at least MIN_CELL of (selection rate and calibration: the group's n)
_DENOMINATOR = {"fpr": "negatives", "fnr": "positives", "precision": "n_selected"}


def _counts(y_true, y_pred, p) -> dict[str, float]:
    """One group's counts; every rate is a ratio of two of them, so a figure can be checked by hand and its
    denominator is known for suppression. (One metric returning all counts: MetricFrame's cost grows with the
    number of metrics times the number of students.)"""
    y, chosen = np.asarray(y_true) == 1, np.asarray(y_pred, dtype=bool)
    return {"n": len(y), "positives": int(y.sum()), "negatives": int((~y).sum()), "n_selected": int(chosen.sum()),
            "true_positives": int((y & chosen).sum()), "false_positives": int((~y & chosen).sum()),
            "predicted": float(np.sum(p))}


def _figures(c: dict) -> dict[str, float]:
    """The audit's rates from one group's counts (NaN where the denominator is 0)."""
    def ratio(a, b):
        return a / b if b else float("nan")
    observed = ratio(c["positives"], c["n"])
    return {"selection_rate": ratio(c["n_selected"], c["n"]),
            "fpr": ratio(c["false_positives"], c["negatives"]),
            "fnr": ratio(c["positives"] - c["true_positives"], c["positives"]),
            "precision": ratio(c["true_positives"], c["n_selected"]),
            "observed_rate": observed,
            "calibration": observed - ratio(c["predicted"], c["n"])}


def stratum_value(columns, values) -> str:
    """The audit's name of one stratum: "gender=F, migrant_background=True, …" (stored values, not labels)."""
    return ", ".join(f"{c}={v}" for c, v in zip(columns, values, strict=True))


def _as_text(series: pd.Series) -> pd.Series:
    """Stored values as the text the vocabulary keys them by (booleans "True"/"False"); missing stays missing."""
    out = series.astype(object).where(series.notna())
    return out.map(lambda v: v if v is None or (isinstance(v, float) and math.isnan(v)) else str(v))


def _order(attribute: str, values) -> list[str]:
    known = list(GROUPS.get(attribute, ("", {}))[1])
    return sorted(values, key=lambda v: (known.index(v) if v in known else len(known), v))


def _rounded(value) -> float | None:
    if value is None:
        return None
    value = float(value)
    return None if math.isnan(value) else round(value, DIGITS)


def _rows(group: str, sensitive: pd.Series, y: np.ndarray, chosen: np.ndarray, p: np.ndarray,
          min_n: int, order: list[str]) -> list[dict]:
    if sensitive.empty:
        return []
    frame = MetricFrame(metrics={"counts": _counts}, y_true=y, y_pred=chosen,
                        sensitive_features=sensitive.rename(group), sample_params={"counts": {"p": p}})
    by = {str(value): c for value, c in frame.by_group["counts"].items()}
    counts = {value: c["n"] for value, c in by.items()}
    protection = protect(counts, k=min_n)
    rows = []
    for value in order:
        if value not in counts:
            continue
        reason = protection.reasons[value]
        row = {"group": group, "value": value, "n": None, **dict.fromkeys(RATES), "suppressed": reason}
        if reason is None:
            stats = by[value]
            figures = _figures(stats)
            row["n"] = counts[value]
            for rate in RATES:
                need = _DENOMINATOR.get(rate)
                enough = need is None or int(stats[need]) >= min_n
                row[rate] = _rounded(figures[rate]) if enough else None
        rows.append(row)
    return rows


def audit(table: pd.DataFrame, *, scores, selected, outcome: str = "dropped_out",
          attributes: tuple[str, ...] = PROTECTED, strata: tuple[str, ...] = STRATA,
          min_n: int = MIN_CELL) -> list[dict]:
    """The audit rows `{"group", "value", "n", "selection_rate", "fpr", "fnr", "precision", "observed_rate",
    "calibration", "suppressed"}`: one per value of each attribute in `attributes` (group = the attribute), then one per
    intersectional stratum of `strata` (group = "stratum", value = `stratum_value`); strata are left out when
    `strata` is empty.

    Parameters
    ----------
    table : the screening table (rows aligned with `scores` and `selected`).
    scores : predicted probabilities (0–1), for calibration-in-the-large.
    selected : bool per student, e.g. `evaluation.select_top_k` (the counsellors' lists).
    outcome : the outcome column (0/1; rows where it is missing are left out).
    min_n : suppression threshold (see the module docstring).
    """
    scores = np.asarray(scores, dtype=float)
    selected = np.asarray(selected, dtype=bool)
    if len(scores) != len(table) or len(selected) != len(table):
        raise ValueError(f"scores ({len(scores)}) and selected ({len(selected)}) must have one value per row of "
                         f"the table ({len(table)})")
    known = table[outcome].notna().to_numpy()
    data = table.loc[known].reset_index(drop=True)
    y = data[outcome].to_numpy(dtype=float).astype(int)
    chosen, p = selected[known], scores[known]
    rows: list[dict] = []
    for attribute in attributes:
        values = _as_text(data[attribute])
        keep = values.notna().to_numpy()
        sensitive = values[keep].reset_index(drop=True)
        rows += _rows(attribute, sensitive, y[keep], chosen[keep], p[keep], min_n,
                      _order(attribute, sensitive.unique()))
    if strata:
        block = pd.DataFrame({c: _as_text(data[c]) for c in strata})
        keep = block.notna().all(axis=1).to_numpy()
        labels = pd.Series([stratum_value(strata, v) for v in block[keep].itertuples(index=False)], dtype=object)
        rows += _rows("stratum", labels, y[keep], chosen[keep], p[keep], min_n, sorted(labels.unique()))
    return rows


@dataclass(frozen=True)
class GateSettings:
    """What a model must meet before its scores may reach schools (the defaults and why).

    The groups of an attribute differ in how often their students leave (in the simulation Roma/minority students
    about 28 % against 10 %). No calibrated score can then give every group the same error rates (Chouldechova,
    2017; Kleinberg, Mullainathan & Raghavan, 2017): a well-calibrated model without protected inputs flags more
    non-leavers of the group that leaves more often (raw FPR ratio 3.3 for Roma/minority on the default cohort).
    So the gate asks for calibration within every group, false positives in proportion to need, and leavers
    missed equally often. Each figure is a sample estimate: a check fails only when its one-sided lower
    `confidence` bound lies beyond the limit (the data show the disparity, not just noise in a small group).

    Experiment: default cohort (18,000 students, test cohort 2025), logistic model without
    protected inputs, each school's top 10 % selected; seeds 2026 and 1–11. The fair model passes on 10 of 12
    seeds (the two refusals are real in the simulation: SEN students' FPR per unit of need 1.99 times others',
    and Roma/minority students' risk under-predicted by 0.106, whose own effect the model does not see); scores
    raised by 0.2 for migrant students, or by 0.1 for Roma/minority students, are refused on 12 of 12.

    max_fpr_ratio : 1.5
        Each group's false-positive rate over its observed outcome rate ("false flags per unit of need"), largest
        over smallest, across the groups of each attribute (and strata). The four-fifths rule (1.25) was written
        for selection rates; audits of error rates use 1.25–2.0. Fair model: 1.39–2.21 (point), unfair: 3.6–17.
    max_fnr_ratio : 1.5
        False-negative rates (leavers the list misses; equal opportunity, Hardt et al., 2016), largest over
        smallest. Fair model: 1.39–1.74 (point, below the limit at 95 %), unfair: 1.88–2.88.
    max_calibration_gap : 0.05
        |observed rate − mean predicted| per group, in probability (half the base rate of early leaving): a school
        reading "20 %" for a group whose students leave at 30 % is misled. Fair: up to 0.106, unfair: 0.16–0.20.
    min_group_n : 100
        Groups of an attribute with fewer students are audited and shown but not compared: their rates rest on a
        handful of errors (with 10 % selected, 100 students give about 9 false positives).
    min_stratum_n : 300
        The same for strata, which are many (54 in the default cohort, 9 of them with 100–830 students).
    min_rate_difference : 0.02
        A ratio fails only when the two rates also differ by more than this: a ratio of two tiny rates (0.004
        vs 0.010) says little.
    fpr_per_need : True
        Compare false-positive rates relative to each group's observed outcome rate (above). False: compare the
        raw false-positive rates, as a network that wants equal false-alarm rates whatever the need may ask; on
        the default cohort no calibrated model without protected inputs then passes at 1.5.
    confidence : 0.95
        One-sided confidence of the bound compared with each limit (0.5: the point estimates themselves).
    monotone_tiers : True
        The observed outcome rate must rise from the low to the moderate to the high tier (Massachusetts EWIS
        reports each tier by what actually happened).
    """

    max_fpr_ratio: float = 1.5
    max_fnr_ratio: float = 1.5
    max_calibration_gap: float = 0.05
    min_group_n: int = 100
    min_stratum_n: int = 300
    min_rate_difference: float = 0.02
    confidence: float = 0.95
    monotone_tiers: bool = True
    fpr_per_need: bool = True


@dataclass
class GateResult:
    passed: bool
    reasons: list[str] = field(default_factory=list)
    checks: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


TIER_ORDER = ("low", "moderate", "high")


def _attribute_name(group: str) -> str:
    return "the intersectional strata" if group == "stratum" else group


def _log_var(rate: float, denominator: float) -> float:
    """Variance of log(rate) for a proportion of `denominator` (delta method; half a count added to an empty
    numerator so that a rate of 0 has a finite bound)."""
    count = max(rate * denominator, 0.5)
    return max(1 - count / denominator, 0.0) / count


def _counts_of(row: dict) -> tuple[float, float]:
    """(students who reached the outcome, who did not) in a shown group, from its n and observed rate."""
    positives = round(row["observed_rate"] * row["n"])
    return positives, row["n"] - positives


def _fpr_index(row: dict) -> tuple[float, float]:
    """FPR per unit of need, and the variance of its log."""
    positives, negatives = _counts_of(row)
    return row["fpr"] / row["observed_rate"], _log_var(row["fpr"], negatives) + _log_var(row["observed_rate"],
                                                                                        row["n"])


def _fnr_index(row: dict) -> tuple[float, float]:
    positives, _ = _counts_of(row)
    return row["fnr"], _log_var(row["fnr"], positives)


def _raw_fpr_index(row: dict) -> tuple[float, float]:
    """The plain false-positive rate, and the variance of its log."""
    _, negatives = _counts_of(row)
    return row["fpr"], _log_var(row["fpr"], negatives)


def _ratio_check(kind: str, group: str, rows: list[dict], limit: float, z: float, min_difference: float,
                 per_need: bool = True) -> dict | None:
    """The largest over the smallest index among the groups; it fails when the ratio's one-sided lower confidence
    bound lies above `limit` and the two rates differ by more than `min_difference`."""
    rate, index_of = ("fpr", _fpr_index if per_need else _raw_fpr_index) if kind == "fpr" else ("fnr", _fnr_index)
    usable = [r for r in rows if r[rate] is not None and r["observed_rate"]]
    if len(usable) < 2:
        return None
    index = {r["value"]: index_of(r) for r in usable}
    high = max(usable, key=lambda r: (index[r["value"]][0], r["value"]))
    low = min(usable, key=lambda r: (index[r["value"]][0], r["value"]))
    (hi, var_hi), (lo, var_lo) = index[high["value"]], index[low["value"]]
    if hi == 0:
        ratio, lower = 1.0, 1.0
    else:
        lo_safe = lo if lo > 0 else 0.5 / max(_counts_of(low)[1 if kind == "fpr" else 0], 1)
        ratio = math.inf if lo == 0 else hi / lo
        lower = math.exp(math.log(hi / lo_safe) - z * math.sqrt(var_hi + var_lo))
    passed = lower <= limit or high[rate] - low[rate] <= min_difference
    shown = "infinite" if math.isinf(ratio) else f"{ratio:.2f}"
    if kind == "fpr":
        what = f"False-positive rate ratio for {_attribute_name(group)}" + (
            ", relative to the observed rates," if per_need else "")
        pair = (f"{high['value']} {high['fpr']:.3f} at observed {high['observed_rate']:.3f} vs {low['value']} "
                f"{low['fpr']:.3f} at observed {low['observed_rate']:.3f}")
    else:
        what = f"False-negative rate ratio for {_attribute_name(group)}"
        pair = f"{high['value']} {high['fnr']:.3f} vs {low['value']} {low['fnr']:.3f}"
    reason = None if passed else (
        f"{what} is {shown} ({pair}; lower confidence bound {lower:.2f}), above the limit {limit:.2f}.")
    return {"check": f"{kind}_ratio", "group": group, "value": None if math.isinf(ratio) else round(ratio, DIGITS),
            "lower": round(lower, DIGITS), "limit": limit, "passed": passed, "high": high["value"],
            "low": low["value"], "reason": reason}


def _calibration_checks(group: str, rows: list[dict], limit: float, z: float) -> list[dict]:
    """Each group's |calibration-in-the-large|; it fails when the gap less its sampling error (z standard errors of
    the observed rate) still exceeds `limit`."""
    out = []
    for r in rows:
        if r["calibration"] is None:
            continue
        observed = min(max(r["observed_rate"], 0.5 / r["n"]), 1 - 0.5 / r["n"])
        lower = max(abs(r["calibration"]) - z * math.sqrt(observed * (1 - observed) / r["n"]), 0.0)
        passed = lower <= limit
        direction = "over-predicts" if r["calibration"] < 0 else "under-predicts"
        reason = None if passed else (
            f"Calibration for {_attribute_name(group)} = {r['value']} is {r['calibration']:+.3f} (the model "
            f"{direction} by {abs(r['calibration']):.3f}; lower confidence bound {lower:.3f}), beyond the limit "
            f"{limit:.2f}.")
        out.append({"check": "calibration", "group": group, "value": r["calibration"], "lower": round(lower, DIGITS),
                    "limit": limit, "passed": passed, "high": r["value"], "low": None, "reason": reason})
    return out


def _tier_check(model_entry: dict) -> dict:
    tiers = {t["tier"]: t.get("observed_rate") for t in model_entry.get("tiers", [])}
    rates = [tiers.get(t) for t in TIER_ORDER]
    if any(r is None for r in rates):
        missing = ", ".join(t for t, r in zip(TIER_ORDER, rates, strict=True) if r is None)
        return {"check": "monotone_tiers", "group": None, "value": None, "limit": None, "passed": False,
                "lower": None, "high": None, "low": None,
                "reason": f"Tiers cannot be checked: no observed rate for {missing} (fewer than {MIN_CELL} "
                          f"students or none)."}
    passed = rates[0] < rates[1] < rates[2]
    figures = ", ".join(f"{t} {r:.3f}" for t, r in zip(TIER_ORDER, rates, strict=True))
    return {"check": "monotone_tiers", "group": None, "value": None, "lower": None, "limit": None, "passed": passed,
            "high": None, "low": None,
            "reason": None if passed else f"Observed rates do not rise from low to high tier ({figures})."}


def gate(audit_rows: list[dict], model_entry: dict, settings: GateSettings | None = None) -> GateResult:
    """Whether a model may be published: its audit (`audit` rows) and its evaluation entry (one of
    `evaluate()["models"]`, for the tiers) against `settings`.

    Across the shown groups of each attribute with at least `min_group_n` students (and across strata with at
    least `min_stratum_n`): the FPR-per-need and FNR ratios (largest over smallest) and every group's
    |calibration-in-the-large|, each judged by its lower confidence bound; then the tiers. The
    model's gain over the school-only baseline is reported by the evaluation, not gated. `reasons` holds one
    English sentence per failed check, naming the attribute, the groups and the figures.
    """
    settings = settings or GateSettings()
    z = NormalDist().inv_cdf(settings.confidence)
    checks: list[dict] = []
    groups: dict[str, list[dict]] = {}
    for row in audit_rows:
        least = settings.min_stratum_n if row["group"] == "stratum" else settings.min_group_n
        if row.get("n") is not None and row["n"] >= least:
            groups.setdefault(row["group"], []).append(row)
    for group, rows in groups.items():
        for kind, limit in (("fpr", settings.max_fpr_ratio), ("fnr", settings.max_fnr_ratio)):
            check = _ratio_check(kind, group, rows, limit, z, settings.min_rate_difference,
                                 per_need=settings.fpr_per_need)
            if check:
                checks.append(check)
        checks += _calibration_checks(group, rows, settings.max_calibration_gap, z)
    if settings.monotone_tiers:
        checks.append(_tier_check(model_entry))
    reasons = [c["reason"] for c in checks if not c["passed"]]
    return GateResult(passed=not reasons, reasons=reasons, checks=checks)
