"""Linear and logistic multilevel models: a small adapter over the `mixedlm` package (lme4's algorithms).

    MixedModel("achievement ~ ses + security + (1|country/school/class)").fit(data)

matches R's ``lme4::lmer`` (REML or ML, Satterthwaite df as in ``lmerTest``) and ``lme4::glmer(family =
binomial)`` (Laplace). We build the fixed-effect design ourselves so that term names read as lme4 prints them
(``(Intercept)``, ``sexM``, ``migrant_backgroundTRUE``), expand ``/`` nesting as lme4 does (``school:country``),
validate the data with one-line errors, and turn boundary fits and non-convergence into warnings with advice.
"""

from __future__ import annotations

import math
import re
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats as st

LOGISTIC_RESIDUAL = math.pi**2 / 3  # variance of the standard logistic distribution (latent-scale residual)


class ModelSpecError(ValueError):
    """The formula or the data cannot give this model; the message names the term, column or group."""


class SingularFitWarning(UserWarning):
    """A variance component is estimated at (or next to) zero."""


class ConvergenceWarning(UserWarning):
    """The optimiser stopped without meeting its convergence criteria."""


@dataclass(frozen=True)
class RandomTerm:
    expr: str  # "1" or "1 + x"
    factors: tuple[str, ...]  # ("country", "school") for the school-in-country grouping
    name: str  # as lme4 prints it: "school:country"

    @property
    def engine_name(self) -> str:
        return ":".join(self.factors)


@dataclass(frozen=True)
class ParsedFormula:
    response: str
    fixed: str
    random: tuple[RandomTerm, ...]

    def columns(self) -> list[str]:
        cols = [self.response, *_identifiers(self.fixed)]
        for term in self.random:
            cols += _identifiers(term.expr) + list(term.factors)
        return list(dict.fromkeys(c for c in cols if c))


_BAR = re.compile(r"\(([^()|]*)\|([^()|]+)\)")
_IDENT = re.compile(r"(?<![\w.])([A-Za-z_][\w.]*)(?!\s*\()")
_KEYWORDS = {"C", "I", "log", "exp", "np", "scale", "center", "poly", "T", "Treatment", "TRUE", "FALSE", "True", "False"}


def _identifiers(expr: str) -> list[str]:
    return [m for m in _IDENT.findall(expr) if m not in _KEYWORDS]


def _lme4_nested_name(factors: tuple[str, ...]) -> str:
    """lme4's label for a grouping nested by '/': a/b -> 'b:a', a/b/c -> 'c:(b:a)'."""
    name = factors[0]
    for i, factor in enumerate(factors[1:], start=1):
        name = f"{factor}:{name}" if i == 1 else f"{factor}:({name})"
    return name


def parse_formula(formula: str) -> ParsedFormula:
    """Split an lme4 formula into response, fixed part and random terms (expanding a/b/c nesting)."""
    if formula.count("~") != 1:
        raise ModelSpecError(f"formula '{formula}' needs exactly one '~' (e.g. 'y ~ x + (1|school)')")
    lhs, rhs = (part.strip() for part in formula.split("~"))
    if not re.fullmatch(r"[A-Za-z_][\w.]*", lhs):
        raise ModelSpecError(f"formula response '{lhs}' must be a single column name")
    random: list[RandomTerm] = []
    for expr, group in _BAR.findall(rhs):
        expr, group = expr.strip() or "1", group.strip()
        if "||" in expr:
            raise ModelSpecError("'||' (uncorrelated random effects) is not supported; write separate terms")
        if "/" in group:
            parts = tuple(p.strip() for p in group.split("/"))
            if not all(re.fullmatch(r"[A-Za-z_][\w.]*", p) for p in parts):
                raise ModelSpecError(f"grouping '{group}' must be column names separated by '/'")
            for i in range(1, len(parts) + 1):
                random.append(RandomTerm(expr, parts[:i], _lme4_nested_name(parts[:i])))
        else:
            parts = tuple(p.strip() for p in group.split(":"))
            if not all(re.fullmatch(r"[A-Za-z_][\w.]*", p) for p in parts):
                raise ModelSpecError(f"grouping '{group}' must be a column name (or names joined by ':' or '/')")
            random.append(RandomTerm(expr, parts, group.replace(" ", "")))
    fixed = _BAR.sub("", rhs)
    fixed = re.sub(r"\+\s*(\+\s*)+", "+ ", fixed).strip().strip("+").strip() or "1"
    if "|" in fixed or "(" in fixed and ")" not in fixed:
        raise ModelSpecError(f"cannot read the random part of '{formula}': write terms as (1|group)")
    if not random:
        raise ModelSpecError(f"formula '{formula}' has no random term such as (1|school)")
    names = [t.name for t in random]
    if len(set(names)) != len(names):
        raise ModelSpecError(f"formula '{formula}' repeats a grouping")
    return ParsedFormula(lhs, fixed, tuple(random))


def _lme4_term(name: str) -> str:
    """formulaic's 'sex[T.M]' -> lme4's 'sexM'; booleans 'flag[T.True]' -> 'flagTRUE'; 'Intercept' -> '(Intercept)'."""
    if name == "Intercept":
        return "(Intercept)"

    def level(match: re.Match) -> str:
        value = match.group(2)
        value = {"True": "TRUE", "False": "FALSE"}.get(value, value)
        return f"{match.group(1)}{value}"

    return re.sub(r"([\w.]+)\[(?:T\.)?(.+?)\]", level, name)


def _plain_dtypes(frame: pd.DataFrame) -> pd.DataFrame:
    """pandas' nullable dtypes (Float64, Int64, boolean, string) as plain numpy ones, once missing rows are gone."""
    out = frame.copy()
    for column in out.columns:
        dtype = out[column].dtype
        if isinstance(dtype, pd.BooleanDtype):
            out[column] = out[column].astype(bool)
        elif pd.api.types.is_extension_array_dtype(dtype) and pd.api.types.is_numeric_dtype(dtype):
            out[column] = out[column].astype(float)
        elif pd.api.types.is_string_dtype(dtype):
            out[column] = out[column].astype(object)
    return out


def _check_nesting(frame: pd.DataFrame, terms: tuple[RandomTerm, ...]) -> None:
    """Single-factor groupings written side by side, e.g. (1|school) + (1|class), must be nested."""
    single = sorted({t.factors for t in terms if len(t.factors) == 1}, key=lambda f: frame[f[0]].nunique())
    for i, (outer,) in enumerate(single):
        for (inner,) in single[i + 1:]:
            parents = frame.groupby(inner, observed=True)[outer].nunique()
            if (parents > 1).any():
                example = parents[parents > 1].index[0]
                # ids numbered within another grouping (class 1, 2, 3 in every school) have fewer labels
                more, fewer = (inner, outer) if frame[inner].nunique() >= frame[outer].nunique() else (outer, inner)
                raise ModelSpecError(
                    f"groupings {outer} and {inner} are not nested ({inner} '{example}' occurs in {parents.max()} "
                    f"levels of {outer}); crossed groupings are not supported — if {fewer} is numbered within "
                    f"{more}, write (1|{more}/{fewer})")


@dataclass
class MixedModel:
    """A linear (gaussian) or logistic (binomial) multilevel model in lme4 formula syntax.

    Parameters
    ----------
    formula : str
        lme4 syntax, e.g. ``"y ~ x + sex + (1|country/school/class)"`` or ``"y ~ x + (1 + x|school)"``.
    family : {"gaussian", "binomial"}
    reml : bool
        Restricted maximum likelihood (default) or maximum likelihood for linear models; logistic models use
        the Laplace approximation (``nAGQ = 1``) as ``lme4::glmer`` does.

    After ``fit``: ``summary`` (term, estimate, se, df, statistic, p, ci_low, ci_high), ``variance_components_``,
    ``vpc_`` (share of variance per level; latent scale with pi^2/3 for logistic models), ``ranef_`` (conditional
    modes with 95 % intervals), ``loglik_``, ``aic_``, ``bic_``, ``converged_``, ``singular_``, ``n_obs_``,
    ``groups_``, ``method_``, ``engine_``.

    Matches R's ``lme4::lmer`` / ``lmerTest`` (Satterthwaite df) and ``lme4::glmer(family = binomial)``.
    """

    formula: str
    family: str = "gaussian"
    reml: bool = True
    nagq: int = 1
    fitted: bool = field(default=False, init=False, repr=False)

    def __post_init__(self):
        if self.family not in ("gaussian", "binomial"):
            raise ModelSpecError(f"family '{self.family}' is not supported (choose gaussian or binomial)")
        self.parsed = parse_formula(self.formula)

    def __repr__(self) -> str:
        state = f"n={self.n_obs_}, loglik={self.loglik_:.2f}" if self.fitted else "not fitted"
        return f"<MixedModel {self.formula!r} {self.family} {self.method}: {state}>"

    @property
    def method(self) -> str:
        if self.family == "binomial":
            return "Laplace" if self.nagq == 1 else "Laplace (nAGQ=0)"
        return "REML" if self.reml else "ML"

    # ------------------------------------------------------------------------------------------ preparation
    def prepare(self, data: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
        """Validate and return (model frame, fixed design matrix, lme4 term names)."""
        import formulaic  # imported here: only needed when fitting

        p = self.parsed
        missing = [c for c in p.columns() if c not in data.columns]
        if missing:
            raise ModelSpecError(f"unknown column '{missing[0]}' in formula (the data has: "
                                 f"{', '.join(map(str, data.columns[:12]))}{', …' if len(data.columns) > 12 else ''})")
        frame = _plain_dtypes(data[p.columns()].dropna())
        if len(frame) == 0:
            raise ModelSpecError("no complete rows: every row misses a value in a column of the formula")
        y = frame[p.response]
        if self.family == "binomial":
            if y.dtype == bool:
                y = y.astype(int)
            values = set(pd.unique(y))
            if not values <= {0, 1}:
                raise ModelSpecError(f"outcome '{p.response}' must be 0/1 (or true/false) for a binomial model")
            frame[p.response] = y.astype(float)
        elif not pd.api.types.is_numeric_dtype(y) or y.dtype == bool:
            raise ModelSpecError(f"outcome '{p.response}' must be numeric for a gaussian model")
        if frame[p.response].nunique() < 2:
            raise ModelSpecError(f"outcome '{p.response}' is constant in the {len(frame)} complete rows")
        for column in _identifiers(p.fixed):
            if frame[column].dtype == bool:  # lme4 treats logicals as factors: the term reads 'flagTRUE'
                frame[column] = pd.Categorical(frame[column], categories=[False, True])
        for term in p.random:
            for factor in term.factors:
                frame[factor] = frame[factor].astype(str)
            levels = frame[list(term.factors)].drop_duplicates().shape[0]
            if levels < 2:
                raise ModelSpecError(f"grouping '{term.name}' has {levels} level: a random effect needs at least 2")
        _check_nesting(frame, p.random)
        try:
            matrix = formulaic.model_matrix(p.fixed, frame, na_action="raise")
        except Exception as exc:  # formulaic raises several types for unreadable terms
            raise ModelSpecError(f"cannot read the fixed part '{p.fixed}': {str(exc).splitlines()[0]}") from exc
        design = pd.DataFrame(np.asarray(matrix, dtype=float), index=frame.index)
        names = [_lme4_term(n) for n in matrix.columns]
        if np.linalg.matrix_rank(design.to_numpy()) < design.shape[1]:
            raise ModelSpecError("the fixed effects are collinear (a predictor is constant or duplicates others)")
        return frame, design, names

    # ------------------------------------------------------------------------------------------------ fit
    def fit(self, data: pd.DataFrame) -> MixedModel:
        import mixedlm

        frame, design, names = self.prepare(data)
        p = self.parsed
        work = pd.DataFrame({f"_x{i}": design.iloc[:, i].to_numpy() for i in range(design.shape[1])},
                            index=frame.index)
        work[p.response] = frame[p.response].to_numpy()
        for term in p.random:
            for col in _identifiers(term.expr) + list(term.factors):
                work[col] = frame[col].to_numpy()
        fixed = " + ".join(work.columns[: design.shape[1]])
        random = " + ".join(f"({t.expr}|{t.engine_name})" for t in p.random)
        engine_formula = f"{p.response} ~ 0 + {fixed} + {random}"
        fallback = None
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            if self.family == "binomial":
                result = mixedlm.glmer(engine_formula, work, family=mixedlm.families.Binomial(), nAGQ=self.nagq)
                floor = _logistic_loglik(design.to_numpy(), work[p.response].to_numpy())
                if self.nagq == 1 and not _valid_glmm(result, floor):
                    # mixedlm's Laplace step can fail when many groups have no events (e.g. early leaving in
                    # primary schools); lme4's nAGQ = 0 estimates the same model with fixed effects in PIRLS.
                    result = mixedlm.glmer(engine_formula, work, family=mixedlm.families.Binomial(), nAGQ=0)
                    self.nagq = 0
                    fallback = ("the Laplace fit (nAGQ=1) failed to converge, so the model was refitted with "
                                "nAGQ=0 (lme4's approximation that estimates fixed effects inside PIRLS); "
                                "compare its log-likelihood only with other nAGQ=0 fits.")
            else:
                result = mixedlm.lmer(engine_formula, work, REML=self.reml)
        del caught  # the engine's own warnings are replaced by ours, which carry advice
        self.fallback_ = fallback
        self._names = names
        self._design = design
        self._frame = frame
        self._collect(result, names)
        self.fitted = True
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
        rows = []
        vc = result.VarCorr()
        for engine_name, group in vc.groups.items():
            for term, variance in group.variance.items():
                rows.append({"group": display.get(engine_name, engine_name), "term": term, "variance": float(variance),
                             "sd": math.sqrt(max(float(variance), 0.0))})
        if self.family == "gaussian":
            residual = float(result.sigma) ** 2 if not callable(result.sigma) else float(result.sigma()) ** 2
            rows.append({"group": "Residual", "term": "", "variance": residual, "sd": math.sqrt(residual)})
        self.variance_components_ = pd.DataFrame(rows, columns=["group", "term", "variance", "sd"])
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
        """X beta (+ Z b) for the rows the model was fitted on."""
        fixed = self._design.to_numpy() @ self.params_.to_numpy()
        if not with_random:
            return fixed
        out = fixed.copy()
        for term in self.parsed.random:
            if term.expr != "1":
                continue
            modes = self.ranef_[(self.ranef_.group == term.name) & (self.ranef_.term == "(Intercept)")]
            key = self._frame[list(reversed(term.factors))].astype(str).agg(":".join, axis=1)
            out += key.map(dict(zip(modes.level, modes.estimate, strict=True))).fillna(0).to_numpy()
        return out

    def to_dict(self) -> dict:
        """The JSON `safeschool fit` writes."""
        return model_dict(self)


def json_value(value):
    """A value as JSON holds it: numpy scalars as Python ones, non-finite floats as null."""
    if isinstance(value, (np.floating, float)):
        return float(value) if math.isfinite(float(value)) else None
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.bool_):
        return bool(value)
    return value


def format_p(p) -> str:
    """A p-value as researchers read it: two significant digits, '<1e-16' below double precision."""
    if p is None or (isinstance(p, float) and math.isnan(p)):
        return ""
    return "<1e-16" if p < 1e-16 else f"{p:.2g}"


def json_records(frame: pd.DataFrame) -> list[dict]:
    return [{k: json_value(v) for k, v in row.items()} for row in frame.to_dict(orient="records")]


def model_dict(model) -> dict:
    """The JSON of one fitted model, the same for every engine (MixedModel, AggregateModel)."""
    return {
        "formula": model.formula,
        "family": model.family,
        "method": model.method,
        "n_obs": model.n_obs_,
        "groups": model.groups_,
        "fixed_effects": [
            {"term": r.term, "estimate": r.estimate, "se": r.se, "df": json_value(float(r.df)),
             "statistic": r.statistic, "p": r.p, "ci_low": r.ci_low, "ci_high": r.ci_high}
            for r in model.summary.itertuples()
        ],
        "variance_components": [
            {"group": r.group, "term": r.term or None, "variance": r.variance}
            for r in model.variance_components_.itertuples()
        ],
        "vpc": [{"level": r.level, "vpc": r.vpc} for r in model.vpc_.itertuples()],
        "loglik": json_value(model.loglik_),
        "aic": model.aic_,
        "bic": model.bic_,
        "converged": model.converged_,
        "singular": model.singular_,
        "engine": model.engine_,
    }


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


def likelihood_ratio_test(smaller: MixedModel, larger: MixedModel) -> dict:
    """LR test of nested models fitted by ML (or Laplace); matches R's ``anova(m0, m1)``."""
    if smaller.method == "REML" or larger.method == "REML":
        raise ModelSpecError("likelihood-ratio tests of fixed effects need ML fits (reml=False)")
    if smaller.method != larger.method:
        raise ModelSpecError(f"cannot compare a {smaller.method} fit with a {larger.method} fit")
    chi2 = max(0.0, 2 * (larger.loglik_ - smaller.loglik_))
    df = larger.df_model_ - smaller.df_model_
    return {"chi2": chi2, "df": df, "p": float(st.chi2.sf(chi2, df)) if df > 0 else float("nan")}


def nakagawa_r2(model: MixedModel) -> dict:
    """Marginal and conditional R² (Nakagawa & Schielzeth 2013; Johnson 2014 for random slopes at x = 0).

    Var(fixed) is the variance of X beta; random variances are the intercept variances; the residual is sigma^2
    for linear models and pi^2/3 for logistic models (latent scale). Matches ``performance::r2_nakagawa`` for
    random-intercept models.
    """
    if hasattr(model, "fixed_variance"):  # the aggregate engine has no rows, only their sums
        var_fixed = model.fixed_variance()
    else:
        var_fixed = float(np.var(model.linear_predictor(with_random=False), ddof=1))  # R's var(), as performance
    vc = model.variance_components_
    var_random = float(vc[(vc.group != "Residual") & (vc.term == "(Intercept)")].variance.sum())
    residual = LOGISTIC_RESIDUAL if model.family == "binomial" else float(vc[vc.group == "Residual"].variance.iloc[0])
    total = var_fixed + var_random + residual
    return {"marginal": var_fixed / total, "conditional": (var_fixed + var_random) / total}


def render_text(model: MixedModel) -> str:
    """An lme4-style printed summary."""
    title = ("Linear mixed model fit by " + model.method if model.family == "gaussian"
             else "Generalized linear mixed model fit by maximum likelihood (Laplace Approximation) [glmerMod]\n"
                  " Family: binomial  ( logit )")
    lines = [title, f"Formula: {model.formula}", "",
             f"     AIC      BIC   logLik\n{model.aic_:8.1f} {model.bic_:8.1f} {model.loglik_:8.1f}", "",
             "Random effects:"]
    width = max(8, *(len(g) for g in model.variance_components_.group)) + 2
    lines.append(f" {'Groups':<{width}}{'Name':<13}{'Variance':>12}{'Std.Dev.':>10}")
    for r in model.variance_components_.itertuples():
        lines.append(f" {r.group:<{width}}{r.term:<13}{r.variance:12.4g}{r.sd:10.4g}")
    groups = "; ".join(f"{g}, {n}" for g, n in model.groups_.items())
    lines += [f"Number of obs: {model.n_obs_}, groups:  {groups}", "", "Fixed effects:"]
    stat = "t value" if model.family == "gaussian" else "z value"
    pcol = "Pr(>|t|)" if model.family == "gaussian" else "Pr(>|z|)"
    tw = max(12, *(len(t) for t in model.summary.term)) + 2
    header = f"{'':<{tw}}{'Estimate':>11}{'Std. Error':>11}"
    header += f"{'df':>10}" if model.family == "gaussian" else ""
    lines.append(header + f"{stat:>9}{pcol:>11}")
    for r in model.summary.itertuples():
        row = f"{r.term:<{tw}}{r.estimate:11.4g}{r.se:11.4g}"
        row += (f"{r.df:10.1f}" if math.isfinite(r.df) else f"{'-':>10}") if model.family == "gaussian" else ""
        lines.append(row + f"{r.statistic:9.3f}{r.p:11.3g}")
    flags = []
    if model.singular_:
        flags.append("boundary (singular) fit: see help('isSingular')")
    if not model.converged_:
        flags.append("the optimiser did not converge")
    return "\n".join(lines + ([""] + flags if flags else []))
