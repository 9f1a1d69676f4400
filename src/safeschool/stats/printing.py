"""How a fitted multilevel model is shown: the lme4-style text summary, the JSON `safeschool fit` writes, and
the number formats both use. Every printer reads only the ``FittedMultilevelModel`` protocol (through
``table_rows``, so that a model keeping its tables as plain columns is printed without importing pandas).
"""

from __future__ import annotations

import math
import re
from collections import namedtuple
from functools import cache
from typing import TYPE_CHECKING

import numpy as np

from safeschool import vocabulary
from safeschool.stats.protocol import FittedMultilevelModel

if TYPE_CHECKING:
    import pandas as pd

INTERCEPT = "(Intercept)"
_FORMULAIC_LEVEL = re.compile(r"^(?P<column>.+?)\[(?:T\.)?(?P<level>[^\]]*)\]$")
_BOOLEAN_LEVELS = ("TRUE", "FALSE", "True", "False")


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


def split_interaction(term: str) -> list[str]:
    """The parts of an interaction term, "a:b" -> ["a", "b"] (a colon inside [...] is part of a level)."""
    parts, depth, current = [], 0, ""
    for char in term:
        depth += (char == "[") - (char == "]")
        if char == ":" and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    return [*parts, current]


def term_parts(term: str) -> tuple[str, str | None, str | None]:
    """(column, level, reference level) of one model term, read from lme4's names ("genderM",
    "migrant_backgroundTRUE") or formulaic's ("gender[T.M]"); level None for a numeric column. The reference is
    the level treatment coding leaves out (the first in sorted order) for the groups the vocabulary knows."""
    term = term.strip()
    if term in (INTERCEPT, "Intercept"):
        return INTERCEPT, None, None
    match = _FORMULAIC_LEVEL.match(term)
    if match:
        column, level = match["column"], match["level"]
    elif term in _known_columns():
        return term, None, None
    else:
        column, level = _lme4_split(term)
        if column is None:
            return term, None, None
    return column, level, _reference(column, level)


def _known_columns() -> set[str]:
    return set(vocabulary.GROUPS) | set(vocabulary.VARIABLE_LABELS)


def _lme4_split(term: str) -> tuple[str | None, str | None]:
    """lme4 writes a factor's level straight after the column: the longest known column the term starts with,
    when what follows is one of its levels (or TRUE/FALSE)."""
    for column in sorted(_known_columns(), key=len, reverse=True):
        level = term[len(column):]
        known = level in _BOOLEAN_LEVELS or level in vocabulary.GROUPS.get(column, ("", {}))[1]
        if term.startswith(column) and level and known:
            return column, level
    return None, None


def _reference(column: str, level: str) -> str | None:
    if level in _BOOLEAN_LEVELS or column not in vocabulary.GROUPS:
        return None
    levels = sorted(vocabulary.GROUPS[column][1])
    return levels[0] if levels[0] != level else None


@cache
def _scale_names() -> dict[str, str]:
    from safeschool.instruments.registry import registry

    return {scale.code: scale.name for instrument in registry().values() for scale in instrument.scales}


def scale_name(code: str) -> str | None:
    """The name of an instrument scale with this code ("belonging" -> "Sense of school membership"), if any."""
    return _scale_names().get(code)


def json_records(frame: pd.DataFrame) -> list[dict]:
    return [{k: json_value(v) for k, v in row.items()} for row in frame.to_dict(orient="records")]


def table_rows(model: FittedMultilevelModel, table: str) -> list:
    """The rows of one of a model's tables ("summary", "variance_components_", "vpc_") as named tuples of plain
    Python values. A model that keeps its tables as columns (``tables_``: {table: {column: values}}, as
    ``AggregateModel`` does) is read from them, without building its pandas frame."""
    columns = getattr(model, "tables_", {}).get(table)
    if columns is None:
        return list(getattr(model, table).itertuples(index=False))
    row = namedtuple("Row", columns)
    values = (v.tolist() if isinstance(v, np.ndarray) else v for v in columns.values())
    return [row(*r) for r in zip(*values, strict=True)]


def _correlation_rows(model: FittedMultilevelModel) -> list:
    found = getattr(model, "correlations_", None)
    return [] if found is None else list(found.itertuples(index=False))


def model_dict(model: FittedMultilevelModel) -> dict:
    """The JSON of one fitted model, the same for every engine (MixedModel, AggregateModel)."""
    return {
        "formula": model.formula,
        "family": model.family_,
        "method": model.method_,
        "n_obs": model.n_obs_,
        "groups": model.groups_,
        "fixed_effects": [
            {"term": r.term, "estimate": r.estimate, "se": r.se, "df": json_value(float(r.df)),
             "statistic": r.statistic, "p": r.p, "ci_low": r.ci_low, "ci_high": r.ci_high}
            for r in table_rows(model, "summary")
        ],
        "variance_components": [
            {"group": r.group, "term": r.term or None, "variance": r.variance}
            for r in table_rows(model, "variance_components_")
        ],
        "correlations": [
            {"group": r.group, "terms": [r.term1, r.term2], "correlation": json_value(r.correlation)}
            for r in _correlation_rows(model)
        ],
        "vpc": [{"level": r.level, "vpc": r.vpc} for r in table_rows(model, "vpc_")],
        "loglik": json_value(model.loglik_),
        "aic": model.aic_,
        "bic": model.bic_,
        "converged": model.converged_,
        "singular": model.singular_,
        "engine": model.engine_,
    }


def correlations(model: FittedMultilevelModel) -> pd.DataFrame:
    """Correlations between one grouping's random effects (group, term1, term2, correlation); none for engines
    that fit random intercepts only."""
    found = getattr(model, "correlations_", None)
    if found is not None:
        return found
    import pandas as pd

    return pd.DataFrame(columns=["group", "term1", "term2", "correlation"])


def render_text(model: FittedMultilevelModel) -> str:
    """An lme4-style printed summary."""
    title = ("Linear mixed model fit by " + model.method_ if model.family_ == "gaussian"
             else "Generalized linear mixed model fit by maximum likelihood (Laplace Approximation) [glmerMod]\n"
                  " Family: binomial  ( logit )")
    lines = [title, f"Formula: {model.formula}", "",
             f"     AIC      BIC   logLik\n{model.aic_:8.1f} {model.bic_:8.1f} {model.loglik_:8.1f}", "",
             "Random effects:"]
    components = table_rows(model, "variance_components_")
    width = max(8, *(len(r.group) for r in components)) + 2
    corr = _correlation_rows(model)
    lines.append(f" {'Groups':<{width}}{'Name':<13}{'Variance':>12}{'Std.Dev.':>10}" + (" Corr" if len(corr) else ""))
    previous = None
    for r in components:
        # as lme4 prints VarCorr: the group named once, each term's correlations with the terms above it
        row = f" {r.group if r.group != previous else '':<{width}}{r.term:<13}{r.variance:12.4g}{r.sd:10.4g}"
        above = [c.correlation for c in corr if c.group == r.group and c.term2 == r.term]
        lines.append(row + "".join(f" {c:5.2f}" for c in above))
        previous = r.group
    groups = "; ".join(f"{g}, {n}" for g, n in model.groups_.items())
    lines += [f"Number of obs: {model.n_obs_}, groups:  {groups}", "", "Fixed effects:"]
    stat = "t value" if model.family_ == "gaussian" else "z value"
    pcol = "Pr(>|t|)" if model.family_ == "gaussian" else "Pr(>|z|)"
    fixed = table_rows(model, "summary")
    tw = max(12, *(len(r.term) for r in fixed)) + 2
    header = f"{'':<{tw}}{'Estimate':>11}{'Std. Error':>11}"
    header += f"{'df':>10}" if model.family_ == "gaussian" else ""
    lines.append(header + f"{stat:>9}{pcol:>11}")
    for r in fixed:
        row = f"{r.term:<{tw}}{r.estimate:11.4g}{r.se:11.4g}"
        row += (f"{r.df:10.1f}" if math.isfinite(r.df) else f"{'-':>10}") if model.family_ == "gaussian" else ""
        lines.append(row + f"{r.statistic:9.3f}{r.p:11.3g}")
    flags = []
    if model.singular_:
        flags.append("boundary (singular) fit: see help('isSingular')")
    if not model.converged_:
        flags.append("the optimiser did not converge")
    return "\n".join(lines + ([""] + flags if flags else []))
