"""Ecological decomposition: how much of an outcome's variance sits at each level (student, class, school,
country) and how much of it each block of determinants — individual, relational, community, political —
explains.

Fits the sequence null -> +individual -> +relational -> +community -> +political by maximum likelihood on the
same complete cases, and reports per step the variance components, VPC, the proportional change in each level's
variance against the null model (PCV; Merlo et al. 2005), likelihood-ratio tests between steps (R's
``anova(m0, m1)``), and Nakagawa & Schielzeth's marginal/conditional R².
"""

from __future__ import annotations

import math
import multiprocessing
import os
import warnings
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

import pandas as pd
import yaml

from safeschool.stats.aggregates import AggregateModel
from safeschool.stats.cluster_stats import stats_from_frame
from safeschool.stats.formula import ModelSpecError
from safeschool.stats.mixed import MixedModel
from safeschool.stats.printing import json_records
from safeschool.stats.protocol import (
    LOGISTIC_RESIDUAL,
    ConvergenceWarning,
    FittedMultilevelModel,
    likelihood_ratio_test,
    nakagawa_r2,
)
from safeschool.vocabulary import LEVELS, PILLARS

_THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "RAYON_NUM_THREADS")
DEFAULT_BLOCKS: dict[str, list[str]] = {
    "individual": ["ses_index", "security", "gender", "migrant_background", "roma_minority", "sen",
                   "out_of_parental_care"],
    "relational": ["closeness", "conflict", "belonging"],
    "community": ["ses_composition", "climate_index", "rec_partner", "alternatives_to_exclusion"],
    "political": ["inclusion_index", "early_tracking", "esl_support"],
}
# grouping columns, outermost first, with the name of each level
DEFAULT_GROUPS: dict[str, str] = {"country_id": "country", "school_id": "school", "class_id": "class"}


@dataclass
class BlockSpec:
    blocks: dict[str, list[str]]
    groups: dict[str, str]

    @classmethod
    def from_yaml(cls, text: str) -> BlockSpec:
        """``blocks: {individual: [...], ...}`` and optional ``groups: [{column: country_id, level: country}, ...]``
        (outermost first) or ``groups: {country_id: country, ...}``."""
        try:
            data = yaml.safe_load(text) or {}
        except yaml.YAMLError as exc:
            raise ModelSpecError(f"blocks file is not valid YAML ({str(exc).splitlines()[0]})") from exc
        if not isinstance(data, dict) or "blocks" not in data:
            raise ModelSpecError("blocks file needs a 'blocks:' mapping of level -> list of columns")
        blocks = data["blocks"]
        if not isinstance(blocks, dict):
            raise ModelSpecError("'blocks' must map a level name to a list of columns")
        unknown = [b for b in blocks if b not in LEVELS]
        if unknown:
            raise ModelSpecError(f"unknown block '{unknown[0]}' (use {', '.join(LEVELS)})")
        clean = {}
        for level in LEVELS:
            cols = blocks.get(level) or []
            if isinstance(cols, str):
                cols = [cols]
            clean[level] = [str(c) for c in cols]
        groups = data.get("groups", DEFAULT_GROUPS)
        if isinstance(groups, list):
            groups = {g["column"]: g.get("level", g["column"]) for g in groups} if groups and isinstance(
                groups[0], dict) else {g: g.removesuffix("_id") for g in groups}
        return cls(clean, dict(groups))


def default_spec() -> BlockSpec:
    return BlockSpec({k: list(v) for k, v in DEFAULT_BLOCKS.items()}, dict(DEFAULT_GROUPS))


@dataclass
class EcologicalDecomposition:
    """Null -> +individual -> +relational -> +community -> +political multilevel models of one outcome.

    Parameters
    ----------
    outcome : str
        Column to explain (numeric for linear models; 0/1 or boolean for logistic models).
    spec : BlockSpec
        Predictor blocks per ecological level and grouping columns (outermost first). Default: our measures.
    family : {"auto", "gaussian", "binomial"}
        "auto" chooses binomial for a 0/1 or boolean outcome.

    Attributes after ``fit``: ``steps_``, ``variance_``, ``explained_``, ``coefficients_``, ``models_``,
    ``n_obs_``, ``n_dropped_``, ``family_``, ``dropped_predictors_``.

    Each model matches ``lme4::lmer(..., REML = FALSE)`` or ``lme4::glmer(..., family = binomial)``; LR tests
    match ``anova()``; R² matches ``performance::r2_nakagawa``.
    """

    outcome: str
    spec: BlockSpec = field(default_factory=default_spec)
    family: str = "auto"

    def _family(self, y: pd.Series) -> str:
        if self.family != "auto":
            return self.family
        values = set(pd.unique(y.dropna()))
        return "binomial" if y.dtype == bool or values <= {0, 1} else "gaussian"

    def fit(self, data: pd.DataFrame, progress=None) -> EcologicalDecomposition:
        tick = progress or (lambda _step: None)
        if self.outcome not in data.columns:
            raise ModelSpecError(f"unknown outcome '{self.outcome}' (the data has: {', '.join(map(str, data.columns))})")
        groups = list(self.spec.groups)
        missing = [g for g in groups if g not in data.columns]
        if missing:
            raise ModelSpecError(f"unknown grouping column '{missing[0]}'")
        self.dropped_predictors_ = []
        blocks: dict[str, list[str]] = {}
        for level in LEVELS:
            cols = []
            for col in self.spec.blocks.get(level, []):
                if col == self.outcome:
                    self.dropped_predictors_.append({"column": col, "reason": "it is the outcome"})
                    continue
                if col not in data.columns:
                    raise ModelSpecError(f"unknown column '{col}' in the {level} block")
                if data[col].nunique(dropna=True) < 2:
                    self.dropped_predictors_.append({"column": col, "reason": "it does not vary in the data"})
                    continue
                cols.append(col)
            blocks[level] = cols
        used = [self.outcome, *groups, *[c for cols in blocks.values() for c in cols]]
        complete = data[used].dropna()
        self.n_dropped_ = int(len(data) - len(complete))
        self.family_ = self._family(complete[self.outcome])
        # a predictor that is constant within complete cases gives a collinear design
        for level, cols in blocks.items():
            keep = []
            for col in cols:
                if complete[col].nunique() < 2:
                    self.dropped_predictors_.append({"column": col, "reason": "it does not vary in complete cases"})
                else:
                    keep.append(col)
            blocks[level] = keep
        self.blocks_ = blocks
        random = f"(1|{'/'.join(groups)})"
        steps = [("null model", None, [])]
        terms: list[str] = []
        for level in LEVELS:
            if blocks[level]:
                terms = terms + blocks[level]
                steps.append((f"+{level}", level, list(terms)))
        self.models_ = self._fit_steps(steps, complete, random, tick)
        self.warnings_ += self._identification_warnings(complete, [c for cols in blocks.values() for c in cols])
        rows, var_rows, coef_rows = [], [], []
        previous = None
        null_var: dict[str, float] = {}
        level_names = dict(self.spec.groups)
        for (step, block, step_terms), model in zip(steps, self.models_, strict=True):
            r2 = nakagawa_r2(model)
            lrt = likelihood_ratio_test(previous, model) if previous is not None else None
            rows.append({"step": step, "block": block or "", "pillar": PILLARS.get(block or "", ""),
                         "formula": model.formula, "n_params": model.df_model_, "loglik": model.loglik_,
                         "aic": model.aic_, "bic": model.bic_, "r2_marginal": r2["marginal"],
                         "r2_conditional": r2["conditional"],
                         "lrt_chi2": lrt["chi2"] if lrt else None, "lrt_df": int(lrt["df"]) if lrt else None,
                         "lrt_p": lrt["p"] if lrt else None, "singular": model.singular_,
                         "converged": model.converged_})
            variances = self._level_variances(model, level_names)
            total = sum(variances.values())
            if step == "null model":
                null_var = dict(variances)
            for level, variance in variances.items():
                base = null_var.get(level, float("nan"))
                fixed_residual = self.family_ == "binomial" and level == "student"
                pcv = None if fixed_residual or not base else (base - variance) / base
                var_rows.append({"step": step, "level": level, "variance": variance, "vpc": variance / total,
                                 "pcv": pcv})
            block_of = {c: lvl for lvl, cols in blocks.items() for c in cols}
            for r in model.summary.itertuples():
                if r.term == "(Intercept)":
                    continue
                source = _source_column(r.term, step_terms)
                coef_rows.append({"step": step, "block": block_of.get(source, ""), "column": source, "term": r.term,
                                  "estimate": r.estimate, "se": r.se, "ci_low": r.ci_low, "ci_high": r.ci_high,
                                  "p": r.p, "entered": block_of.get(source) == block})
            previous = model
        self.steps_ = pd.DataFrame(rows)
        self.variance_ = pd.DataFrame(var_rows)
        self.coefficients_ = pd.DataFrame(coef_rows)
        self.n_obs_ = int(len(complete))
        self.groups_ = self.models_[0].groups_
        self.explained_ = self._explained()
        return self

    def _fit_steps(self, steps, complete: pd.DataFrame, random: str, tick) -> list[FittedMultilevelModel]:
        """Fit every step. Logistic steps are slow (Laplace over all parameters), so they run in parallel
        processes, one per core. If a logistic step needs lme4's nAGQ=0 fallback, all steps are refitted that
        way so that likelihood-ratio tests compare like with like."""
        formulas = [(step, f"{self.outcome} ~ {' + '.join(terms) if terms else '1'} + {random}")
                    for step, _block, terms in steps]

        def run(nagq: int) -> list[tuple[FittedMultilevelModel, list[str]]]:
            jobs = [(formula, self.family_, nagq, complete) for _step, formula in formulas]
            workers = min(len(jobs), os.cpu_count() or 1)
            if self.family_ == "binomial" and workers > 1:
                context = multiprocessing.get_context("spawn")  # no fork: the caller may hold threads/sockets
                # one thread per worker process: the engine's own threads only spin against each other
                saved = {k: os.environ.get(k) for k in _THREAD_VARIABLES}
                os.environ.update(dict.fromkeys(_THREAD_VARIABLES, "1"))
                try:
                    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
                        # longest fits (most predictors) first, so the two cores finish together
                        order = sorted(range(len(jobs)), key=lambda i: -len(formulas[i][1]))
                        futures = {i: pool.submit(_fit_one, *jobs[i]) for i in order}
                        for i, future in futures.items():
                            future.add_done_callback(lambda _fut, step=formulas[i][0]: tick(step))
                        return [futures[i].result() for i in range(len(jobs))]
                finally:
                    for key, value in saved.items():
                        if value is None:
                            os.environ.pop(key, None)
                        else:
                            os.environ[key] = value
            results = []
            for (step, _f), job in zip(formulas, jobs, strict=True):
                results.append(_fit_one(*job))
                tick(step)
            return results

        self.warnings_: list[str] = []
        results = run(1)
        if any(model.fallback_ for model, _w in results):
            self.warnings_.append("a logistic step failed with the Laplace approximation (nAGQ=1); all steps were "
                                  "fitted with nAGQ=0 so that the likelihood-ratio tests compare like with like")
            results = run(0)
        for (step, _f), (_model, messages) in zip(formulas, results, strict=True):
            self.warnings_ += [f"{step}: {m}" for m in messages]
        return [model for model, _w in results]

    def _identification_warnings(self, data: pd.DataFrame, predictors: list[str]) -> list[str]:
        """Predictors that vary only between a few higher-level units (e.g. six countries) are weakly identified:
        say so rather than let precise-looking intervals speak for themselves."""
        out = []
        for group, level in self.spec.groups.items():
            units = data[group].nunique()
            constant = [c for c in predictors if (data.groupby(group, observed=True)[c].nunique() <= 1).all()]
            if not constant:
                continue
            predictors = [c for c in predictors if c not in constant]
            spare = units - len(constant) - 1
            if spare < 5:
                out.append(f"{len(constant)} predictor(s) vary only between the {units} units of the {level} level "
                           f"({', '.join(constant)}), leaving {spare} degree(s) of freedom there: their estimates "
                           f"and the {level} variance are weakly identified; read them as descriptive")
        return out

    def _level_variances(self, model: FittedMultilevelModel, level_names: dict[str, str]) -> dict[str, float]:
        out = {}
        groups = list(self.spec.groups)
        vc = model.variance_components_
        for i in range(len(groups)):
            name = model.parsed.random[i].name
            value = vc[(vc.group == name) & (vc.term == "(Intercept)")].variance
            out[level_names[groups[i]]] = float(value.iloc[0]) if len(value) else 0.0
        if self.family_ == "binomial":
            out["student"] = LOGISTIC_RESIDUAL
        else:
            out["student"] = float(vc[vc.group == "Residual"].variance.iloc[0])
        return out

    def _explained(self) -> pd.DataFrame:
        """Share of each level's null-model variance explained by each block (the step's PCV increment)."""
        v = self.variance_
        rows = []
        steps = list(self.steps_.step)
        for level in v.level.unique():
            series = v[v.level == level].set_index("step").pcv
            before = 0.0
            for step in steps[1:]:
                pcv = series.get(step)
                block = self.steps_.set_index("step").block[step]
                if pcv is None or (isinstance(pcv, float) and math.isnan(pcv)):
                    rows.append({"block": block, "level": level, "explained": None})
                    continue
                rows.append({"block": block, "level": level, "explained": pcv - before})
                before = pcv
        return pd.DataFrame(rows, columns=["block", "level", "explained"])

    def to_dict(self) -> dict:        return {
            "analysis": "ecological",
            "outcome": self.outcome,
            "family": self.family_,
            "method": "ML" if self.family_ == "gaussian" else "Laplace",
            "engine": self.models_[-1].engine_,
            "approximation": self.models_[-1].method_,
            "warnings": self.warnings_,
            "n_obs": self.n_obs_,
            "n_dropped_incomplete": self.n_dropped_,
            "groups": self.groups_,
            "blocks": self.blocks_,
            "dropped_predictors": self.dropped_predictors_,
            "steps": json_records(self.steps_),
            "variance": json_records(self.variance_),
            "explained": json_records(self.explained_),
            "coefficients": json_records(self.coefficients_),
        }


def _fit_one(formula: str, family: str, nagq: int,
             data: pd.DataFrame) -> tuple[FittedMultilevelModel, list[str]]:
    """Fit one step (in this process or a worker process) and return it with its warnings' messages.

    Linear models with nested random intercepts use the exact aggregate engine; anything else mixedlm."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = None
        if family == "gaussian":
            try:
                model = AggregateModel(formula, reml=False).fit(stats_from_frame(formula, data))
            except ModelSpecError:
                model = None  # not a nested random-intercept model: fall back to row-level fitting
        if model is None:
            model = MixedModel(formula, family=family, reml=False, nagq=nagq)
            model.fit(data)
    messages = [str(w.message) for w in caught if "safeschool" in w.category.__module__
                and not (model.fallback_ and w.category is ConvergenceWarning)]
    return model, messages


def _source_column(term: str, columns: list[str]) -> str:
    """The data column a printed term comes from ('genderM' -> 'gender')."""
    for column in sorted(columns, key=len, reverse=True):
        if term == column or term.startswith(column):
            return column
    return term
