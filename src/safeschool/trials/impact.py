"""Intention-to-treat impact estimates from the multilevel engines, with effect sizes as the What Works
Clearinghouse and the Education Endowment Foundation report them.

- Continuous outcomes: Hedges' g on the total variance, g = omega x b / sqrt(sum of the variance components)
  with omega = 1 - 3/(4N - 9) (N students analysed), and its CI by the same transform of the impact's CI (WWC
  Procedures and Standards Handbook v4.1/v5.0; EEF, *Statistical analysis guidance for EEF evaluations*). The
  impact b comes from the analysis model, adjusted for the baseline covariates; the variance components come from
  the same model *without* the covariates (the treatment and the same random part, fitted on the same students),
  as the EEF's guidance asks: covariates shrink the residual variance, and an effect size on what they leave
  would grow with every covariate added. Without covariates both are the same model.
- Binary outcomes (logistic model): the WWC's Cox index, omega x log odds ratio / 1.65, CI likewise.
- Attainment outcomes: the EEF's months of additional progress (:func:`months_progress`).

    estimate_impact(frame, formula="y ~ treat + baseline + (1|school_id)", treatment="treat")
"""

from __future__ import annotations

import math
import re
import warnings

import pandas as pd

from safeschool.stats.formula import identifiers, parse_formula
from safeschool.stats.mixed import MixedModel, ModelSpecError

COX_DIVISOR = 1.65

# EEF Teaching and Learning Toolkit, "Additional months' progress" (educationendowmentfoundation.org.uk, Evidence
# summaries > About the Toolkits > Attainment): the largest effect size (2 decimal places) of each month's band,
# 0 months for |ES| <= 0.01, 1 month for 0.02-0.09, ..., 12 months for 0.96 and above. Negative effect sizes take
# the same months, negative. EEF notes that its project reports use a slightly different conversion.
MONTHS_UPPER = (0.01, 0.09, 0.18, 0.26, 0.35, 0.44, 0.52, 0.61, 0.69, 0.78, 0.87, 0.95)
MONTHS_REFERENCE = ("Education Endowment Foundation, Teaching and Learning Toolkit: 'Additional months' progress' "
                    "conversion table (effect size to months).")


def months_progress(effect_size: float) -> int:
    """EEF months of additional progress for an effect size (Teaching and Learning Toolkit table): the effect
    size is rounded to 2 decimals, looked up by its absolute value, and the sign kept; 12 is the largest."""
    if effect_size is None or not math.isfinite(effect_size):
        raise ValueError("months_progress needs a finite effect size")
    size = round(abs(effect_size) + 1e-12, 2)
    months = next((m for m, upper in enumerate(MONTHS_UPPER) if size <= upper + 1e-9), 12)
    return -months if effect_size < 0 else months


def small_sample_correction(n: int) -> float:
    """Hedges' omega = 1 - 3 / (4N - 9) (WWC)."""
    return 1 - 3 / (4 * n - 9)


def _finite(value) -> float | None:
    value = float(value)
    return value if math.isfinite(value) else None


def _treatment_term(model: MixedModel, treatment: str) -> str:
    terms = list(model.params_.index)
    if treatment in terms:
        return treatment
    # a logical or two-level factor reads 'treatTRUE' / 'treatintervention', as lme4 prints it
    candidates = [t for t in terms if t.startswith(treatment) and ":" not in t]
    if len(candidates) == 1:
        return candidates[0]
    raise ModelSpecError(f"treatment '{treatment}' is not a single term of the fixed part (terms: {', '.join(terms)})")


def total_variance_formula(formula: str, treatment: str, covariates: list[str] | tuple[str, ...] | None = None) -> str:
    """The model whose variance components standardise the impact: ``formula`` without the baseline covariates.

    With ``covariates`` named, the fixed terms that use them are dropped and the design's other terms (strata,
    periods) stay; without, only the treatment stays (for a difference-in-differences term ``group:post``,
    ``group * post``). The random part is kept as written."""
    parsed = parse_formula(formula)
    rhs = formula.split("~", 1)[1]
    random = re.findall(r"\([^()|]*\|[^()|]+\)", rhs)
    if covariates is None:
        fixed = [treatment.replace(":", " * ")]
    else:
        fixed = [t.strip() for t in parsed.fixed.split("+") if not set(identifiers(t)) & set(covariates)]
    return f"{parsed.response} ~ {' + '.join(fixed)} + {' + '.join(random)}"


def _components(model: MixedModel) -> list[dict]:
    return [{"group": r.group, "term": r.term, "variance": float(r.variance), "sd": float(r.sd)}
            for r in model.variance_components_.itertuples()]


def estimate_impact(data: pd.DataFrame, *, formula: str, treatment: str, family: str = "gaussian",
                    attainment: bool = False, covariates: list[str] | tuple[str, ...] | None = None) -> dict:
    """Fit ``formula`` (lme4 syntax) by ``MixedModel`` and report the impact of ``treatment``.

    Returns a JSON-safe dict: estimate, se, ci [lo, hi], p, df (Satterthwaite; None for logistic models),
    effect_size, effect_size_ci, effect_size_method ("hedges_g_total_variance" / "cox_index"), months_progress
    (attainment and gaussian only, else None), n (students analysed), clusters {grouping: count},
    variance_components [{group, term, variance, sd}] (the model without covariates, whose total standardises
    g), variance_formula (that model), variance_components_adjusted (the analysis model's), family, formula,
    term, converged, singular and warnings (the engine's advice, one string each). ``covariates`` names the
    baseline covariates the variance model leaves out (default: every fixed term but the treatment; name them to
    keep design terms such as strata or periods). Raises ModelSpecError when the formula or data cannot give the
    model.
    """
    data = data.reset_index(drop=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = MixedModel(formula, family=family).fit(data)
        term = _treatment_term(model, treatment)
        variance_formula = total_variance_formula(formula, treatment, covariates)
        plain = model
        if family == "gaussian" and set(identifiers(parse_formula(variance_formula).fixed)) != \
                set(identifiers(model.parsed.fixed)):
            plain = MixedModel(variance_formula, family=family).fit(data.loc[model.frame_.index])
    row = model.summary.set_index("term").loc[term]
    n = int(model.n_obs_)
    omega = small_sample_correction(n)
    estimate, ci = float(row.estimate), [float(row.ci_low), float(row.ci_high)]
    if family == "binomial":
        method = "cox_index"
        scale = COX_DIVISOR
    else:
        method = "hedges_g_total_variance"
        # intercept variances of every level plus the residual (random slopes have no single variance to add)
        scale = math.sqrt(float(plain.vpc_.variance.sum()))
    effect_size = omega * estimate / scale if scale > 0 else float("nan")
    effect_size_ci = [omega * c / scale for c in ci] if scale > 0 else [float("nan")] * 2
    months = months_progress(effect_size) if attainment and family == "gaussian" and math.isfinite(effect_size) \
        else None
    return {
        "estimate": estimate, "se": float(row.se), "ci": ci, "p": _finite(row.p),
        "df": _finite(row.df) if family == "gaussian" else None,
        "effect_size": _finite(effect_size), "effect_size_ci": [_finite(c) for c in effect_size_ci],
        "effect_size_method": method, "months_progress": months,
        "n": n, "clusters": {k: int(v) for k, v in model.groups_.items()},
        "variance_components": _components(plain), "variance_formula": plain.formula,
        "variance_components_adjusted": _components(model),
        "family": family, "formula": formula, "term": term,
        "converged": bool(model.converged_ and plain.converged_), "singular": bool(model.singular_),
        "warnings": list(dict.fromkeys(str(w.message) for w in caught if issubclass(w.category, UserWarning))),
    }
