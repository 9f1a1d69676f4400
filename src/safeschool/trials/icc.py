"""ICCs and covariate R² per level from the network's own data: the numbers a trial's power depends on.

For the chosen outcome, stages and countries, a null random-intercept model ``y ~ 1 + (1|school_id/class_id)``
(or ``(1|school_id)`` with ``levels=("school",)``) gives the variance at each level; the ICC of a level is its
share of the total. With covariates, the same model plus the covariates gives R² per level as the proportional
change in that level's variance (PCV, Raudenbush & Bryk 2002 ch. 4), clipped to [0, 1) for the power formulas.
Both are fitted on the same complete rows by the exact aggregate engine (``stats.aggregates.AggregateModel``,
REML, as ``lme4::lmer``), and the uncertainty is a cluster bootstrap over schools (schools drawn with
replacement with all their classes and students, percentile intervals), which re-uses the per-class sufficient
statistics, so one replicate is one small fit.

Binary outcomes (exclusion, dropout): the ICCs and R² given are on the observed (0/1, linear-probability) scale
— the scale of the standardised MDES and of the design effect 1 + (n - 1) rho for proportions (Donner & Klar
2000), and so what ``trials.power`` uses. The latent-scale ICCs of the logistic model (residual pi^2/3, as
``stats.mixed.MixedModel`` reports them) are given too, under "latent", as point estimates.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd

from safeschool.stats.aggregates import AggregateModel
from safeschool.stats.cluster_stats import ClusterStats, stats_from_frame
from safeschool.stats.formula import ModelSpecError
from safeschool.stats.protocol import LOGISTIC_RESIDUAL, SingularFitWarning
from safeschool.trials import outcomes as registry
from safeschool.vocabulary import MIN_CELL

LEVEL_COLUMNS = {"school": "school_id", "class": "class_id"}
# fewer schools than this give no usable school variance (and no figure rests on fewer than MIN_CELL units)
MIN_SCHOOLS = MIN_CELL
R2_CAP = 0.99


def estimate(frame: pd.DataFrame, *, outcome: str, stages=None, countries=None, covariates=(),
             levels=("school", "class"), n_boot: int = 100, seed: int = 0) -> dict:
    """ICCs (school, class) with bootstrap intervals and R² per level for `outcome` in `frame` (one row per
    student, as ``safeschool.ingest.cohort_files.analysis_frame`` returns it).

    R² keys follow the power formulas' levels: with ``levels=("school", "class")`` r2_1 is the student level,
    r2_2 the class and r2_3 the school; with ``levels=("school",)`` r2_1 the student and r2_2 the school level
    (r2_3 None). Without covariates every R² is 0. Raises ModelSpecError with fewer than MIN_SCHOOLS (10)
    schools or fewer than 10 students per school on average, ValueError for an unknown outcome, level or column.
    """
    spec = registry.outcome(outcome)
    levels = tuple(levels)
    if levels not in (("school", "class"), ("school",)):
        raise ValueError(f"levels must be ('school', 'class') or ('school',) (got {levels})")
    groups = [LEVEL_COLUMNS[level] for level in levels]
    covariates = list(covariates)
    data = _rows(frame, spec, stages, countries, covariates, groups)
    n_schools = int(data["school_id"].nunique())
    if n_schools < MIN_SCHOOLS:
        raise ModelSpecError(f"{n_schools} schools have {spec.code} data for this selection: the school variance "
                             f"needs at least {MIN_SCHOOLS}")
    if len(data) < MIN_CELL * n_schools:
        raise ModelSpecError(f"{len(data)} students in {n_schools} schools: too few per school (fewer than "
                             f"{MIN_CELL} on average) to separate the levels")
    nesting = "/".join(groups)
    null_stats = stats_from_frame(f"{spec.column} ~ 1 + (1|{nesting})", data)
    full_stats = (stats_from_frame(f"{spec.column} ~ {' + '.join(covariates)} + (1|{nesting})", data)
                  if covariates else None)
    point = _components(null_stats, full_stats)
    boot = _bootstrap(null_stats, full_stats, n_boot, seed)
    n_classes = int(data["class_id"].nunique())
    out = {
        "outcome": spec.code, "family": spec.family, "scale": "observed",
        "levels": list(levels), "covariates": covariates,
        "n_students": int(len(data)), "n_classes": n_classes, "n_schools": n_schools,
        "mean_class_size": len(data) / n_classes, "mean_school_size": len(data) / n_schools,
        "mean_classes_per_school": n_classes / n_schools,
        "icc_school": point["icc_school"], "icc_school_ci": _interval(boot, "icc_school"),
        "icc_class": point.get("icc_class"), "icc_class_ci": _interval(boot, "icc_class") if "class" in levels else None,
        "icc_student": point["icc_student"], "icc_student_ci": _interval(boot, "icc_student"),
        "r2_1": point["r2_1"], "r2_2": point["r2_2"], "r2_3": point.get("r2_3"),
        "variance": point["variance"], "n_boot": int(n_boot), "latent": None,
    }
    if spec.binary:
        out["base_rate"] = float(data[spec.column].mean())
        out["latent"] = _latent(data, spec.column, nesting, levels)
    return out


def _rows(frame, spec, stages, countries, covariates, groups) -> pd.DataFrame:
    data = registry.outcome_frame(frame, spec.code)
    missing = [c for c in [*covariates, *groups] if c not in data]
    if missing:
        raise ValueError(f"the data have no column '{missing[0]}'")
    if stages:
        data = data[data["stage"].isin(list(stages))]
    if countries:
        data = data[data["country_id"].astype(str).isin([str(c) for c in countries])]
    data = data.dropna(subset=[spec.column, *covariates, "school_id", "class_id"])
    return data


def _fit(stats: ClusterStats) -> dict[str, float]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SingularFitWarning)  # a zero class variance is an answer here
        model = AggregateModel(_formula(stats)).fit(stats)
    vc = model.variance_components_
    by_group = dict(zip(vc.group, vc.variance, strict=True))
    out = {"student": by_group.pop("Residual")}
    for name, value in by_group.items():
        out["class" if name.startswith("class_id") else "school"] = value
    return out


def _formula(stats: ClusterStats) -> str:
    fixed = " + ".join(t for t in stats.terms if t != "(Intercept)") or "1"
    return f"{stats.response} ~ {fixed} + (1|{'/'.join(stats.levels)})"


def _components(null_stats: ClusterStats, full_stats: ClusterStats | None) -> dict:
    null = _fit(null_stats)
    total = sum(null.values())
    out = {"icc_school": null["school"] / total, "icc_student": null["student"] / total, "variance": dict(null)}
    if "class" in null:
        out["icc_class"] = null["class"] / total
    order = ["student", "class", "school"] if "class" in null else ["student", "school"]
    full = _fit(full_stats) if full_stats is not None else null
    for i, level in enumerate(order, start=1):
        pcv = 1 - full[level] / null[level] if null[level] > 0 else 0.0
        out[f"r2_{i}"] = float(min(max(pcv, 0.0), R2_CAP))
    if full_stats is not None:
        out["variance_adjusted"] = dict(full)
    return out


def _bootstrap(null_stats: ClusterStats, full_stats: ClusterStats | None, n_boot: int, seed: int) -> list[dict]:
    """Cluster bootstrap over schools: each replicate draws schools with replacement (a school drawn twice counts
    as two schools) and refits from the per-class statistics."""
    if n_boot < 1:
        return []
    codes, uniques = pd.factorize(np.asarray(null_stats.ids["school_id"]))
    members = [np.flatnonzero(codes == k) for k in range(len(uniques))]
    rng = np.random.default_rng(seed)
    replicates = []
    for _ in range(n_boot):
        draw = rng.integers(0, len(uniques), len(uniques))
        rows = np.concatenate([members[k] for k in draw])
        copy = np.repeat(np.arange(len(draw)), [len(members[k]) for k in draw])
        try:
            replicates.append(_components(_resample(null_stats, rows, copy),
                                          _resample(full_stats, rows, copy) if full_stats is not None else None))
        except (ModelSpecError, np.linalg.LinAlgError):
            continue  # a replicate with one school: nothing to estimate
    return replicates


def _resample(stats: ClusterStats, rows: np.ndarray, copy: np.ndarray) -> ClusterStats:
    ids = {level: np.asarray(values)[rows] for level, values in stats.ids.items()}
    ids["school_id"] = copy.astype(str).astype(object)  # every draw of a school is a school of its own
    return ClusterStats(stats.response, stats.terms, stats.levels, ids, stats.n[rows], stats.sx[rows],
                        stats.sy[rows], stats.xtx[rows], stats.xty[rows], stats.yty[rows], stats.encodings,
                        stats.center_x, stats.center_y)


def _interval(replicates: list[dict], key: str) -> list[float] | None:
    values = [r[key] for r in replicates if r.get(key) is not None]
    if len(values) < 2:
        return None
    lo, hi = np.percentile(values, [2.5, 97.5])
    return [float(lo), float(hi)]


def _latent(data: pd.DataFrame, column: str, nesting: str, levels: tuple) -> dict | None:
    """Latent-scale ICCs of the logistic null model (residual pi^2/3); None when the model cannot be fitted."""
    from safeschool.stats.mixed import MixedModel

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = MixedModel(f"{column} ~ 1 + (1|{nesting})", family="binomial").fit(data)
    except (ModelSpecError, ValueError, np.linalg.LinAlgError):
        return None
    vc = model.variance_components_
    school = float(vc[vc.group == "school_id"].variance.sum())
    klass = float(vc[vc.group.str.startswith("class_id")].variance.sum()) if "class" in levels else 0.0
    total = school + klass + LOGISTIC_RESIDUAL
    out = {"icc_school": school / total, "residual": LOGISTIC_RESIDUAL, "method": model.method_}
    if "class" in levels:
        out["icc_class"] = klass / total
    return out if math.isfinite(out["icc_school"]) else None
