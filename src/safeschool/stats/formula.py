"""lme4 formula syntax and the model frame: parse ``y ~ x + (1|country/school/class)`` into its response, fixed
part and random terms (expanding ``/`` nesting and naming groups as lme4 prints them), and validate data into
the model frame and fixed-effect design that every engine fits (``MixedModel`` row by row, ``AggregateModel``
through its cluster sums). Groupings written side by side are crossed unless one lies within the other; a
``CrossedGroupingWarning`` flags crossings that look like ids numbered within another grouping.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd


class ModelSpecError(ValueError):
    """The formula or the data cannot give this model; the message names the term, column or group."""


class CrossedGroupingWarning(UserWarning):
    """Two groupings are fitted as crossed although their ids look like a nested design coded by mistake."""


CLUSTER_ROWS = 5  # median rows per pair of levels from which the pairs look like clusters (classes), not observations


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
    import pandas as pd

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


def _check_crossing(frame: pd.DataFrame, terms: tuple[RandomTerm, ...]) -> None:
    """Single-factor groupings written side by side, e.g. (1|primary) + (1|secondary), are fitted as crossed
    (cross-classified) when neither lies within the other. Warn when the crossing looks like a coding mistake:

    - ids numbered within another grouping (classes 1, 2, 3 in every school): one grouping's labels recur in at
      least half the levels of the other, and each pair of levels holds a cluster (a median of at least
      ``CLUSTER_ROWS`` rows) rather than an observation or a few. Genuinely crossed designs observe each pair
      once or a few times (every student rated by every teacher, plates x samples) or cross sparsely (pupils of
      many primary schools spread over a few of many secondary schools), so they do not warn;
    - groupings nested but for a few levels (at most 5 % of them, e.g. a class id shared by two schools).
    """
    single = list(dict.fromkeys(t.factors[0] for t in terms if len(t.factors) == 1))
    for i, a in enumerate(single):
        for b in single[i + 1:]:
            message = _crossing_problem(frame, a, b)
            if message:
                warnings.warn(CrossedGroupingWarning(message), stacklevel=4)


def _crossing_problem(frame: pd.DataFrame, a: str, b: str) -> str | None:
    parents = {a: frame.groupby(a, observed=True)[b].nunique(), b: frame.groupby(b, observed=True)[a].nunique()}
    if (parents[a] == 1).all() or (parents[b] == 1).all():
        return None  # nested (one grouping lies within the other): crossed and nested fits coincide
    cell_rows = float(frame.groupby([a, b], observed=True).size().median())
    recurring = max(parents[a].max() / len(parents[b]), parents[b].max() / len(parents[a]))
    if cell_rows >= CLUSTER_ROWS and recurring >= 0.5:
        # which one is numbered within the other: small sequential numbers (0/1, 2, ...) first, then fewer labels
        inner, outer = sorted((a, b), key=lambda c: (not _numbered(frame[c]), len(parents[c])))
        label = parents[inner].idxmax()
        return (f"groupings {inner} and {outer} are crossed: {inner} '{label}' occurs in {parents[inner][label]} of "
                f"the {len(parents[outer])} levels of {outer}, with a median of {cell_rows:g} rows per pair, as when "
                f"ids are numbered within another grouping (classes 1, 2, 3 in every school). If {inner} is numbered "
                f"within {outer}, write (1|{outer}/{inner}); if they are genuinely crossed, ignore this warning")
    for inner, outer in ((a, b), (b, a)):
        spread = parents[inner][parents[inner] > 1]
        if len(spread) <= max(1, 0.05 * len(parents[inner])) < len(parents[inner]):
            return (f"groupings {outer} and {inner} are nested except for {len(spread)} of the "
                    f"{len(parents[inner])} levels of {inner} ('{spread.index[0]}' occurs in {spread.iloc[0]} levels "
                    f"of {outer}): they are fitted as crossed groupings; if {inner} should lie within {outer}, "
                    "check those ids")
    return None


def _numbered(column: pd.Series) -> bool:
    """Labels 0/1, 2, ..., k: the way ids numbered within another grouping usually look."""
    import pandas as pd

    labels = pd.unique(column.astype(str))
    if not all(label.isdigit() for label in labels):
        return False
    return max(int(label) for label in labels) <= len(labels)


def model_frame(p: ParsedFormula, data: pd.DataFrame, *, family: str = "gaussian",
                ) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """Validate the data for a `family` model of formula `p`; return (model frame, fixed design, lme4 term names).

    The frame holds the formula's complete rows (groupings as strings, logicals as factors); the design shares
    its index."""
    import formulaic  # imported here (as pandas and numpy): only fits from rows need them, not formula parsing
    import numpy as np
    import pandas as pd

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
    _check_crossing(frame, p.random)
    try:
        matrix = formulaic.model_matrix(p.fixed, frame, na_action="raise")
    except Exception as exc:  # formulaic raises several types for unreadable terms
        raise ModelSpecError(f"cannot read the fixed part '{p.fixed}': {str(exc).splitlines()[0]}") from exc
    design = pd.DataFrame(np.asarray(matrix, dtype=float), index=frame.index)
    names = [_lme4_term(n) for n in matrix.columns]
    if np.linalg.matrix_rank(design.to_numpy()) < design.shape[1]:
        raise ModelSpecError("the fixed effects are collinear (a predictor is constant or duplicates others)")
    return frame, design, names
