"""lme4 formula syntax and the model frame: parse ``y ~ x + (1|country/school/class)`` into its response, fixed
part and random terms (expanding ``/`` nesting and naming groups as lme4 prints them), and validate data into
the model frame and fixed-effect design that every engine fits (``MixedModel`` row by row, ``AggregateModel``
through its cluster sums).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd


class ModelSpecError(ValueError):
    """The formula or the data cannot give this model; the message names the term, column or group."""


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
        cols = [self.response, *identifiers(self.fixed)]
        for term in self.random:
            cols += identifiers(term.expr) + list(term.factors)
        return list(dict.fromkeys(c for c in cols if c))


_BAR = re.compile(r"\(([^()|]*)\|([^()|]+)\)")
_IDENT = re.compile(r"(?<![\w.])([A-Za-z_][\w.]*)(?!\s*\()")
_KEYWORDS = {"C", "I", "log", "exp", "np", "scale", "center", "poly", "T", "Treatment", "TRUE", "FALSE", "True", "False"}


def identifiers(expr: str) -> list[str]:
    return [m for m in _IDENT.findall(expr) if m not in _KEYWORDS]


def lme4_nested_name(factors: tuple[str, ...]) -> str:
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
                random.append(RandomTerm(expr, parts[:i], lme4_nested_name(parts[:i])))
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


def plain_dtypes(frame: pd.DataFrame) -> pd.DataFrame:
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


def model_frame(p: ParsedFormula, data: pd.DataFrame, *, family: str = "gaussian",
                ) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """Validate the data for a `family` model of formula `p`; return (model frame, fixed design, lme4 term names).

    The frame holds the formula's complete rows (groupings as strings, logicals as factors); the design shares
    its index."""
    import formulaic  # imported here: only needed when fitting

    missing = [c for c in p.columns() if c not in data.columns]
    if missing:
        raise ModelSpecError(f"unknown column '{missing[0]}' in formula (the data has: "
                             f"{', '.join(map(str, data.columns[:12]))}{', …' if len(data.columns) > 12 else ''})")
    frame = plain_dtypes(data[p.columns()].dropna())
    if len(frame) == 0:
        raise ModelSpecError("no complete rows: every row misses a value in a column of the formula")
    y = frame[p.response]
    if family == "binomial":
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
    for column in identifiers(p.fixed):
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
