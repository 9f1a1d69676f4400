"""What every fitted multilevel model exposes, whichever engine fitted it (``MixedModel`` from rows,
``AggregateModel`` from per-cluster sums), and the statistics computed from that alone: likelihood-ratio tests
and Nakagawa's R².
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from safeschool.stats.distributions import chi2_sf
from safeschool.stats.formula import ModelSpecError, ParsedFormula

if TYPE_CHECKING:
    import pandas as pd

LOGISTIC_RESIDUAL = math.pi**2 / 3  # variance of the standard logistic distribution (latent-scale residual)


class SingularFitWarning(UserWarning):
    """A variance component is estimated at (or next to) zero."""


class ConvergenceWarning(UserWarning):
    """The optimiser stopped without meeting its convergence criteria."""


@runtime_checkable
class FittedMultilevelModel(Protocol):
    """A multilevel model after ``fit()``: all that the printer, the JSON, the R², the likelihood-ratio test,
    MAIHDA and the ecological decomposition read from a model.

    ``formula`` is the constructor's option (``fit`` never changes an option); everything ``fit`` decides ends
    in ``_``, as in scikit-learn and lifelines.

    Attributes
    ----------
    formula : str
        The lme4 formula the model was built with; ``parsed`` is it split into response, fixed and random parts.
    family_, method_, engine_ : str
        ``"gaussian"`` or ``"binomial"``; ``"REML"``, ``"ML"``, ``"Laplace"`` or ``"Laplace (nAGQ=0)"`` as used;
        ``"mixedlm"`` or ``"aggregates"``.
    summary : DataFrame
        One row per fixed effect: term, estimate, se, df, statistic, p, ci_low, ci_high.
    params_, vcov_ : Series, DataFrame
        Fixed effects and their covariance, indexed by lme4 term names.
    variance_components_ : DataFrame
        group, term, variance, sd; the linear models' residual as group ``"Residual"``.
    vpc_, ranef_ : DataFrame
        Share of variance per level (level, variance, vpc); conditional modes (group, level, term, estimate, se,
        ci_low, ci_high).
    fixed_variance_ : float
        Var(X beta) over the fitted rows, with R's ``var()`` denominator n - 1 (Nakagawa's R²).
    loglik_, aic_, bic_ : float; df_model_, n_obs_ : int; groups_ : dict of group -> number of levels
    converged_, singular_ : bool
    fallback_ : str or None
        Why the fit fell back to another approximation, if it did.
    """

    formula: str
    family_: str
    method_: str
    engine_: str
    summary: pd.DataFrame
    params_: pd.Series
    vcov_: pd.DataFrame
    variance_components_: pd.DataFrame
    vpc_: pd.DataFrame
    fixed_variance_: float
    loglik_: float
    df_model_: int
    aic_: float
    bic_: float
    n_obs_: int
    groups_: dict[str, int]
    converged_: bool
    singular_: bool
    fallback_: str | None

    @property
    def parsed(self) -> ParsedFormula: ...

    @property
    def ranef_(self) -> pd.DataFrame: ...

    def to_dict(self) -> dict: ...


def likelihood_ratio_test(smaller: FittedMultilevelModel, larger: FittedMultilevelModel) -> dict:
    """LR test of nested models fitted by ML (or Laplace); matches R's ``anova(m0, m1)``."""
    if smaller.method_ == "REML" or larger.method_ == "REML":
        raise ModelSpecError("likelihood-ratio tests of fixed effects need ML fits (reml=False)")
    if smaller.method_ != larger.method_:
        raise ModelSpecError(f"cannot compare a {smaller.method_} fit with a {larger.method_} fit")
    chi2 = max(0.0, 2 * (larger.loglik_ - smaller.loglik_))
    df = larger.df_model_ - smaller.df_model_
    return {"chi2": chi2, "df": df, "p": float(chi2_sf(chi2, df)) if df > 0 else float("nan")}


def nakagawa_r2(model: FittedMultilevelModel) -> dict:
    """Marginal and conditional R² (Nakagawa & Schielzeth 2013; Johnson 2014 for random slopes at x = 0).

    Var(fixed) is the variance of X beta; random variances are the intercept variances; the residual is sigma^2
    for linear models and pi^2/3 for logistic models (latent scale). Matches ``performance::r2_nakagawa`` for
    random-intercept models.
    """
    var_fixed = model.fixed_variance_
    vc = model.variance_components_
    var_random = float(vc[(vc.group != "Residual") & (vc.term == "(Intercept)")].variance.sum())
    residual = LOGISTIC_RESIDUAL if model.family_ == "binomial" else float(vc[vc.group == "Residual"].variance.iloc[0])
    total = var_fixed + var_random + residual
    return {"marginal": var_fixed / total, "conditional": (var_fixed + var_random) / total}
