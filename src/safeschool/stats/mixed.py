"""Linear and logistic multilevel models: a small adapter over the `mixedlm` package (lme4's algorithms).

    MixedModel("achievement ~ ses + security + (1|country/school/class)").fit(data)

matches R's ``lme4::lmer`` (REML or ML, Satterthwaite df as in ``lmerTest``) and ``lme4::glmer(family =
binomial)`` (Laplace). The fixed-effect design is built by ``safeschool.stats.formula`` so that term names read
as lme4 prints them (``(Intercept)``, ``sexM``, ``migrant_backgroundTRUE``) and ``/`` nesting expands as lme4
does (``school:country``); this adapter hands it to the engine and turns boundary fits and non-convergence into
warnings with advice. The printer is ``safeschool.stats.printing``.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats as st

# the CLI and the web layer import these names from here
from safeschool.stats.formula import (
    CrossedGroupingWarning,
    ModelSpecError,
    ParsedFormula,
    identifiers,
    model_frame,
    parse_formula,
)
from safeschool.stats.printing import format_p, json_records, model_dict, render_text
from safeschool.stats.protocol import LOGISTIC_RESIDUAL, ConvergenceWarning, SingularFitWarning

__all__ = ["LOGISTIC_RESIDUAL", "CrossedGroupingWarning", "MixedModel", "ModelSpecError", "format_p", "json_records",
           "render_text"]


@dataclass
class MixedModel:
    """A linear (gaussian) or logistic (binomial) multilevel model in lme4 formula syntax.

    Parameters
    ----------
    formula : str
        lme4 syntax, e.g. ``"y ~ x + sex + (1|country/school/class)"``, ``"y ~ x + (1 + x|school)"`` or, for
        crossed (cross-classified) groupings, ``"y ~ x + (1|primary) + (1|secondary)"``.
    family : {"gaussian", "binomial"}
    reml : bool
        Restricted maximum likelihood (default) or maximum likelihood for linear models; logistic models use
        the Laplace approximation (``nAGQ = 1``) as ``lme4::glmer`` does.

    nagq : int
        1 (Laplace) or 0 for logistic models; ``fit`` falls back to 0 when the Laplace fit fails and says so in
        ``nagq_``, ``method_`` and ``fallback_`` (the option itself is left as given).

    After ``fit`` the model is a ``FittedMultilevelModel`` (``safeschool.stats.protocol``): ``summary`` (term,
    estimate, se, df, statistic, p, ci_low, ci_high), ``params_``, ``vcov_``, ``variance_components_``, ``vpc_``
    (share of variance per level; latent scale with pi^2/3 for logistic models), ``ranef_`` (conditional modes
    with 95 % intervals), ``fixed_variance_``, ``loglik_``, ``df_model_``, ``aic_``, ``bic_``, ``converged_``,
    ``singular_``, ``n_obs_``, ``groups_``, ``family_``, ``method_``, ``engine_``, ``fallback_``;
    ``correlations_`` (group, term1, term2, correlation: between the random effects of one grouping, e.g. a
    school's intercept and its slope, as lme4's ``VarCorr`` prints them); and, from its rows, ``nagq_``, ``frame_`` (the complete rows fitted), ``design_`` (their fixed-effect design) and
    ``linear_predictor()``.

    Matches R's ``lme4::lmer`` / ``lmerTest`` (Satterthwaite df) and ``lme4::glmer(family = binomial)``.
    """

    formula: str
    family: str = "gaussian"
    reml: bool = True
    nagq: int = 1

    def __post_init__(self):
        if self.family not in ("gaussian", "binomial"):
            raise ModelSpecError(f"family '{self.family}' is not supported (choose gaussian or binomial)")
        parse_formula(self.formula)  # a formula error shows when the model is written, not when it is fitted

    def __repr__(self) -> str:
        if not hasattr(self, "loglik_"):
            return f"<MixedModel {self.formula!r} {self.family} {self._method(self.nagq)}: not fitted>"
        state = f"n={self.n_obs_}, loglik={self.loglik_:.2f}"
        return f"<MixedModel {self.formula!r} {self.family} {self.method_}: {state}>"

    @property
    def parsed(self) -> ParsedFormula:
        return parse_formula(self.formula)

    def _method(self, nagq: int) -> str:
        if self.family == "binomial":
            return "Laplace" if nagq == 1 else "Laplace (nAGQ=0)"
        return "REML" if self.reml else "ML"

    # ------------------------------------------------------------------------------------------------ fit
    def fit(self, data: pd.DataFrame) -> MixedModel:
        import mixedlm

        p = self.parsed
        frame, design, names = model_frame(p, data, family=self.family)
        work = pd.DataFrame({f"_x{i}": design.iloc[:, i].to_numpy() for i in range(design.shape[1])},
                            index=frame.index)
        work[p.response] = frame[p.response].to_numpy()
        for term in p.random:
            for col in identifiers(term.expr) + list(term.factors):
                work[col] = frame[col].to_numpy()
        fixed = " + ".join(work.columns[: design.shape[1]])
        random = " + ".join(f"({t.expr}|{t.engine_name})" for t in p.random)
        engine_formula = f"{p.response} ~ 0 + {fixed} + {random}"
        fallback = None
        nagq = self.nagq  # what this fit uses: the option, or 0 if the Laplace fit fails
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            if self.family == "binomial":
                result = mixedlm.glmer(engine_formula, work, family=mixedlm.families.Binomial(), nAGQ=nagq)
                floor = _logistic_loglik(design.to_numpy(), work[p.response].to_numpy())
                if nagq == 1 and not _valid_glmm(result, floor):
                    # mixedlm's Laplace step can fail when many groups have no events (e.g. early leaving in
                    # primary schools); lme4's nAGQ = 0 estimates the same model with fixed effects in PIRLS.
                    result = mixedlm.glmer(engine_formula, work, family=mixedlm.families.Binomial(), nAGQ=0)
                    nagq = 0
                    fallback = ("the Laplace fit (nAGQ=1) failed to converge, so the model was refitted with "
                                "nAGQ=0 (lme4's approximation that estimates fixed effects inside PIRLS); "
                                "compare its log-likelihood only with other nAGQ=0 fits.")
            else:
                result = mixedlm.lmer(engine_formula, work, REML=self.reml)
        del caught  # the engine's own warnings are replaced by ours, which carry advice
        self.fallback_ = fallback
        self.nagq_ = nagq
        self.family_ = self.family
        self.method_ = self._method(nagq)
        self.design_ = design  # the fixed-effect design of the fitted rows (index: frame_'s)
        self.frame_ = frame  # the fitted rows: the formula's complete rows, as the model read them
        self._collect(result, names)
        # R's var() (n - 1), as performance::r2_nakagawa
        self.fixed_variance_ = float(np.var(self.linear_predictor(with_random=False), ddof=1))
        if self.singular_:
            zero = [r.group if r.term == "(Intercept)" else f"{r.group} ({r.term})" for r in self.variance_components_.itertuples()
                    if r.group != "Residual" and r.variance < 1e-8 * max(1.0, self.variance_components_.variance.max())]
            where = ", ".join(zero) if zero else "a random-effect covariance matrix"
            warnings.warn(SingularFitWarning(
                f"singular fit: the variance of {where} is estimated at 0. The data show no variation at that "
                "level beyond what the other terms explain; consider dropping that term (its share is reported "
                "as 0, not hidden), or check that the grouping is coded as intended."), stacklevel=2)
        if fallback:
            warnings.warn(ConvergenceWarning(fallback + " Groups with no events at all (e.g. schools where no one "
                                             "left) make this likelier; consider restricting the analysis to the "
                                             "stages where the outcome occurs."), stacklevel=2)
        if not self.converged_:
            warnings.warn(ConvergenceWarning(
                "the optimiser did not converge: estimates may be unreliable. Consider centring or scaling "
                "continuous predictors, simplifying the random part, or checking for near-empty groups."),
                stacklevel=2)
        return self

    def _collect(self, result, names: list[str]) -> None:
        beta = np.asarray(list(result.fixef().values()), dtype=float)
        vcov = np.asarray(result.vcov(), dtype=float)
        se = np.sqrt(np.diag(vcov))
        tidy = result.tidy()
        tidy = tidy[tidy["effect"] == "fixed"] if "effect" in tidy else tidy
        if self.family == "gaussian":
            df = np.asarray(tidy["df"], dtype=float)
            statistic = beta / se
            p = 2 * st.t.sf(np.abs(statistic), df)
            q = st.t.ppf(0.975, df)
        else:
            df = np.full(len(beta), np.inf)
            statistic = beta / se
            p = 2 * st.norm.sf(np.abs(statistic))
            q = np.full(len(beta), st.norm.ppf(0.975))
        self.summary = pd.DataFrame({
            "term": names, "estimate": beta, "se": se, "df": df, "statistic": statistic, "p": p,
            "ci_low": beta - q * se, "ci_high": beta + q * se,
        })
        self.params_ = pd.Series(beta, index=names)
        self.vcov_ = pd.DataFrame(vcov, index=names, columns=names)
        display = {t.engine_name: t.name for t in self.parsed.random}
        rows, correlations = [], []
        vc = result.VarCorr()
        for engine_name, group in vc.groups.items():
            for term, variance in group.variance.items():
                rows.append({"group": display.get(engine_name, engine_name), "term": term, "variance": float(variance),
                             "sd": math.sqrt(max(float(variance), 0.0))})
            names, corr = list(group.term_names), np.asarray(group.corr, dtype=float)
            correlations += [{"group": display.get(engine_name, engine_name), "term1": names[i], "term2": names[j],
                              "correlation": float(corr[i, j])}
                             for j in range(len(names)) for i in range(j)]
        if self.family == "gaussian":
            residual = float(result.sigma) ** 2 if not callable(result.sigma) else float(result.sigma()) ** 2
            rows.append({"group": "Residual", "term": "", "variance": residual, "sd": math.sqrt(residual)})
        self.variance_components_ = pd.DataFrame(rows, columns=["group", "term", "variance", "sd"])
        self.correlations_ = pd.DataFrame(correlations, columns=["group", "term1", "term2", "correlation"])
        intercepts = self.variance_components_[self.variance_components_.term.isin(["(Intercept)", ""])]
        level_var = dict(zip(intercepts.group, intercepts.variance, strict=True))
        if self.family == "binomial":
            level_var["Residual (latent, pi^2/3)"] = LOGISTIC_RESIDUAL
        total = sum(level_var.values())
        self.vpc_ = pd.DataFrame({"level": list(level_var), "variance": list(level_var.values()),
                                  "vpc": [v / total for v in level_var.values()]})
        loglik = result.logLik()
        self.loglik_ = float(loglik.value if hasattr(loglik, "value") else loglik)
        self.df_model_ = int(getattr(loglik, "df", len(beta) + len(rows)))
        self.n_obs_ = int(result.nobs() if callable(result.nobs) else result.nobs)
        self.aic_ = -2 * self.loglik_ + 2 * self.df_model_
        self.bic_ = -2 * self.loglik_ + math.log(self.n_obs_) * self.df_model_
        self.groups_ = {display.get(k, k): int(v) for k, v in result.ngrps().items()}
        self.converged_ = bool(result.converged)
        self.singular_ = bool(result.isSingular())
        self.engine_ = "mixedlm"
        self._ranef(result, display)
        # Z b, the random part of the linear predictor on the fitted rows (the engine keeps their order)
        self._zb = np.asarray(result.getME("Z") @ np.asarray(result.getME("b"), dtype=float).ravel()).ravel()

    def _ranef(self, result, display: dict[str, str]) -> None:
        ranef = result.ranef(condVar=True)
        levels = {s.grouping_factor: s.level_map for s in result.matrices.random_structures}
        rows = []
        for engine_name, terms in ranef.values.items():
            order = sorted(levels.get(engine_name, {}).items(), key=lambda kv: kv[1])
            # lme4 labels a nested level inner value first: class 'C01' of school 'S1' in 'IT' is 'C01:S1:IT'
            nested = ":" in engine_name  # the engine joins nested levels with '/': 'IT/IT-S001'
            labels = [":".join(reversed(str(k).split("/"))) if nested else str(k) for k, _ in order] or \
                [str(i) for i in range(len(next(iter(terms.values()))))]
            for term, values in terms.items():
                var = ranef.condVar[engine_name][term] if ranef.condVar else np.full(len(values), np.nan)
                var = np.asarray(var, dtype=float)
                if var.ndim > 1:
                    var = np.diagonal(var, axis1=-2, axis2=-1) if var.shape[-1] == var.shape[-2] else var.ravel()
                sd = np.sqrt(np.clip(var.reshape(len(values)), 0, None))
                for label, value, s in zip(labels, values, sd, strict=True):
                    rows.append({"group": display.get(engine_name, engine_name), "level": label, "term": term,
                                 "estimate": float(value), "se": float(s), "ci_low": float(value - 1.96 * s),
                                 "ci_high": float(value + 1.96 * s)})
        self.ranef_ = pd.DataFrame(rows, columns=["group", "level", "term", "estimate", "se", "ci_low", "ci_high"])

    # ------------------------------------------------------------------------------------------- outputs
    def linear_predictor(self, *, with_random: bool = True) -> np.ndarray:
        """X beta (+ Z b) for the rows the model was fitted on: Z b adds every grouping's conditional modes,
        crossed or nested, intercepts and slopes alike (lme4's ``predict(type = "link")``)."""
        fixed = self.design_.to_numpy() @ self.params_.to_numpy()
        return fixed + self._zb if with_random else fixed

    def to_dict(self) -> dict:
        """The JSON `safeschool fit` writes."""
        return model_dict(self)


def _logistic_loglik(X: np.ndarray, y: np.ndarray, iterations: int = 50) -> float:
    """Log-likelihood of the ordinary logistic regression (IRLS): a GLMM with random intercepts nests it, so a
    valid maximum-likelihood GLMM fit can never fall below it."""
    beta = np.zeros(X.shape[1])
    for _ in range(iterations):
        eta = X @ beta
        mu = 1 / (1 + np.exp(-eta))
        w = np.clip(mu * (1 - mu), 1e-10, None)
        step = np.linalg.lstsq(X * w[:, None] ** 0.5, (y - mu) / w ** 0.5, rcond=None)[0]
        beta = beta + step
        if np.max(np.abs(step)) < 1e-10:
            break
    eta = X @ beta
    return float(np.sum(y * eta - np.logaddexp(0, eta)))


def _valid_glmm(result, floor: float) -> bool:
    loglik = result.logLik()
    value = float(loglik.value if hasattr(loglik, "value") else loglik)
    return math.isfinite(value) and value >= floor - 1e-6 * max(1.0, abs(floor))

