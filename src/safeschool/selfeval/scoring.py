"""Scoring the School Evaluation Questionnaire: indicator, subdimension and dimension scores per school and
informant group, on the item scale and on 0–100 (docs/selfeval.md). One core for the CLI, the web report and the PDF.

The rule, per (school, informant):

* indicator score = mean over the respondents who answered it (a blank is not an answer): a Likert item's answer,
  a yes/no practice's share of *yes* (yes = 1, no = 0), a figure's value;
* subdimension score = mean of its indicators' scores; dimension score = mean of its subdimensions' scores;
* 0–100: Likert ``(x − min) / (max − min) × 100``, yes/no ``share × 100``, a figure ``(x − min) / (max − min) ×
  100`` on its declared range, ``100 −`` that when a higher figure is worse; a subdimension's or dimension's 0–100 is
  the mean of its parts' 0–100 (not a rescaling of its item-scale score, which mixes scales).

Disclosure (``Questionnaire.min_n``: 1 for the school leaders, who answer for the school and are told their answers
are attributable; vocabulary.MIN_CELL for teachers, students and families): a group with fewer respondents than its
threshold gets no score and no n; within a group, an indicator answered by fewer respondents than the threshold has
no score and is left out of its subdimension's mean, so every number shown rests on at least that many answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from safeschool.selfeval.questionnaire import INFORMANTS, Questionnaire, load

KEYS = ("school", "informant")
YES_NO = {"yes": "1", "no": "0"}


class ResponsesError(ValueError):
    """A responses file cannot be scored; the message names the file, the row (the header is row 1) and column."""


@dataclass(frozen=True)
class _Rule:
    """How one indicator is checked and put on 0–100."""

    code: str
    type: str
    low: float
    high: float
    reversed: bool
    informants: tuple[str, ...]
    subdimension: str
    dimension: str


def _rules(questionnaire: Questionnaire) -> dict[str, _Rule]:
    rules = {}
    for dimension in questionnaire.dimensions:
        for sub in dimension.subdimensions:
            for ind in sub.indicators:
                if ind.type == "likert":
                    low, high, rev = *map(float, ind.scale), False
                elif ind.type == "yes_no":
                    low, high, rev = 0.0, 1.0, False
                else:
                    low, high, rev = ind.figure.min, ind.figure.max, not ind.figure.higher_is_better
                rules[ind.code] = _Rule(ind.code, ind.type, low, high, rev, tuple(ind.informants), sub.code,
                                        dimension.code)
    return rules


def read_responses(path: str | Path, questionnaire: Questionnaire | None = None) -> pd.DataFrame:
    """A responses CSV (one row per respondent: ``school``, ``informant``, then one column per indicator code;
    blank = not answered) as a frame of ``school``, ``informant`` (strings) and one float column per indicator
    present (yes/no as 1/0, blank as NaN). Raises ResponsesError naming the first bad row and column."""
    questionnaire = questionnaire or load()
    path = Path(path)
    name = path.name
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig", skipinitialspace=True)
    except FileNotFoundError as exc:
        raise ResponsesError(f"{path}: no such file") from exc
    except pd.errors.EmptyDataError as exc:
        raise ResponsesError(f"{name}: the file is empty (expected a header: school, informant, indicator codes)") from exc
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise ResponsesError(f"{name}: cannot be read as UTF-8 CSV ({str(exc).splitlines()[0]})") from exc
    raw.columns = [str(c).strip() for c in raw.columns]
    return validate_responses(raw, questionnaire, name=name)


def _plain_numbers(column: pd.Series) -> tuple[pd.Series, np.ndarray] | None:
    """(values as floats with NaN for a blank, answered mask) when every cell of a column of strings is blank or a
    plain number (arrow's cast, ~50x faster than parsing objects); None otherwise (the caller's slow path finds and
    names the culprit)."""
    try:
        strings = pc.utf8_trim_whitespace(pa.array(column.array))
        answered = pc.not_equal(strings, "")
        numbers = pc.cast(pc.if_else(answered, strings, pa.scalar(None, pa.string())), pa.float64())
    except (TypeError, ValueError, pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    answered_mask = answered.to_numpy(zero_copy_only=False).astype(bool)
    values = numbers.to_numpy(zero_copy_only=False).astype(float)
    if np.isnan(values[answered_mask]).any() or np.isinf(values[answered_mask]).any():
        return None  # "nan" or "inf" written in a cell: not an answer, let the slow path name it
    return pd.Series(values, index=column.index), answered_mask


def validate_responses(raw: pd.DataFrame, questionnaire: Questionnaire, *, name: str = "responses") -> pd.DataFrame:
    """The checks and conversions of `read_responses` on a frame of strings (as read with ``dtype=str``)."""
    rules = _rules(questionnaire)
    missing = [k for k in KEYS if k not in raw.columns]
    if missing:
        raise ResponsesError(f"{name}: row 1, column '{missing[0]}': missing (the header must name school, "
                             "informant, then indicator codes)")
    unknown = [c for c in raw.columns if c not in KEYS and c not in rules]
    if unknown:
        raise ResponsesError(f"{name}: row 1, column '{unknown[0]}': not an indicator code of the questionnaire")
    if raw.empty:
        raise ResponsesError(f"{name}: no responses (only a header)")
    text = {k: raw[k].astype(str).str.strip() for k in KEYS}
    groups = tuple(INFORMANTS)
    problems: list[tuple[int, int, str]] = []  # (row index, column position, message): the first one is reported

    def note(mask: pd.Series | np.ndarray, column: str, message) -> None:
        hits = np.flatnonzero(np.asarray(mask))
        if hits.size:
            first = int(hits[0])
            value = str(raw[column].iat[first]).strip()
            problems.append((first, raw.columns.get_loc(column), message(value) if callable(message) else message))

    note(text["school"] == "", "school", "missing school")
    note(~text["informant"].isin(groups), "informant",
         lambda v: f"unknown informant '{v}' (choose {', '.join(groups)})" if v else "missing informant")
    out = {"school": text["school"], "informant": text["informant"]}
    informant_code, informant_names = pd.factorize(text["informant"].to_numpy(dtype=object))
    known = np.isin(informant_names, groups)[informant_code]
    for code in (c for c in raw.columns if c not in KEYS):
        rule = rules[code]
        fast = _plain_numbers(raw[code])
        if fast is not None:
            values, answered = fast
        else:  # words (yes/no) or something that is not a number: the slower path that can say which
            column = raw[code].astype(str).str.strip()
            answered = column != ""
            if rule.type == "yes_no":
                column = column.str.lower().replace(YES_NO)
            values = pd.to_numeric(column.where(answered), errors="coerce")
        note(answered & values.isna(), code, lambda v, r=rule: f"'{v}' is not a number" + (
            " (answer yes, no, 1 or 0)" if r.type == "yes_no" else ""))
        ok = values.notna()
        if rule.type == "yes_no":
            note(ok & ~values.isin([0.0, 1.0]), code, lambda v: f"'{v}' is not yes/no (answer yes, no, 1 or 0)")
        elif rule.type == "likert":
            note(ok & ((values < rule.low) | (values > rule.high) | (values % 1 != 0)), code,
                 lambda v, r=rule: f"'{v}' is outside the scale {r.low:g}–{r.high:g} (a whole number)")
        else:
            note(ok & ((values < rule.low) | (values > rule.high)), code,
                 lambda v, r=rule: f"'{v}' is outside the figure's range {r.low:g}–{r.high:g}")
        note(np.asarray(answered) & known & ~np.isin(informant_names, rule.informants)[informant_code], code,
             lambda v, r=rule: f"answered, but this indicator is not asked of this informant (only of "
                               f"{', '.join(r.informants)})")
        out[code] = values.astype(float)
    if problems:
        row, position, message = min(problems)
        more = len(problems) - 1
        column = raw.columns[position]
        raise ResponsesError(f"{name}: row {row + 2}, column '{column}': {message}"
                             + (f" (and problems in {more} more column(s); nothing was scored)" if more else ""))
    return pd.DataFrame(out)


def _thresholds(informants, questionnaire: Questionnaire, min_n: int | None) -> np.ndarray:
    """The disclosure threshold of each (school, informant) group: ``min_n`` when given, else the informant's."""
    if min_n is not None:
        return np.full(len(informants), int(min_n))
    return np.array([questionnaire.min_n(g) for g in informants], dtype=int)


@dataclass(frozen=True)
class IndicatorTable:
    """Indicator scores per (school, informant) group as arrays (rows = groups, columns = ``codes``): ``n``
    respondents (NaN below the threshold), ``means`` on the item scale and ``scaled`` on 0–100 (NaN where hidden or
    not asked), ``answered`` (NaN where not asked)."""

    index: pd.MultiIndex
    codes: list[str]
    n: np.ndarray
    means: np.ndarray
    scaled: np.ndarray
    answered: np.ndarray


def indicator_table(responses: pd.DataFrame, questionnaire: Questionnaire, min_n: int | None = None) -> IndicatorTable:
    """The arrays behind `indicator_scores` (vectorised: one pass of sums over the respondents sorted by group)."""
    rules = _rules(questionnaire)
    codes = [c for c in rules if c in responses.columns]
    school_code, schools = pd.factorize(responses["school"].to_numpy(dtype=object))
    informant_code, informants = pd.factorize(responses["informant"].to_numpy(dtype=object))
    width = max(len(informants), 1)
    group, pairs = pd.factorize(school_code.astype(np.int64) * width + informant_code)  # order of first appearance
    index = pd.MultiIndex.from_arrays([np.asarray(schools, dtype=object)[pairs // width],
                                       np.asarray(informants, dtype=object)[pairs % width]], names=list(KEYS))
    values = responses[codes].to_numpy(dtype=float) if codes else np.empty((len(responses), 0))
    order = np.argsort(group, kind="stable")
    starts = np.flatnonzero(np.r_[True, np.diff(group[order]) != 0]) if len(order) else np.array([], dtype=int)
    sorted_values = values[order]
    answered_each = ~np.isnan(sorted_values)
    if len(order):
        sums = np.add.reduceat(np.where(answered_each, sorted_values, 0.0), starts, axis=0)
        answered = np.add.reduceat(answered_each.astype(np.int64), starts, axis=0).astype(float)
    else:
        sums = answered = np.empty((0, len(codes)))
    n = np.bincount(group, minlength=len(index)).astype(float) if len(order) else np.empty(0)
    informants = list(index.get_level_values("informant"))
    need = _thresholds(informants, questionnaire, min_n)
    asked = np.array([[g in rules[c].informants for c in codes] for g in informants], dtype=bool).reshape(
        len(index), len(codes))
    shown = (answered >= need[:, None]) & (n >= need)[:, None] & asked
    with np.errstate(invalid="ignore", divide="ignore"):
        means = np.where(shown & (answered > 0), sums / np.where(answered > 0, answered, 1.0), np.nan)
    low = np.array([rules[c].low for c in codes])
    span = np.array([rules[c].high - rules[c].low for c in codes])
    flip = np.array([rules[c].reversed for c in codes], dtype=bool)
    share = (means - low) / span * 100
    scaled = np.where(flip, 100 - share, share)
    return IndicatorTable(index, codes, np.where(n >= need, n, np.nan), means, scaled,
                          np.where(asked, answered, np.nan))


def indicator_scores(responses: pd.DataFrame, questionnaire: Questionnaire, min_n: int | None = None) -> pd.DataFrame:
    """One row per (school, informant) group: ``n`` (respondents), and per indicator code asked of that informant
    ``<code>`` (score on its scale), ``<code>__100`` (0–100) and ``<code>__answered``. Scores are NaN where the group
    or the indicator's answers fall below the threshold (``min_n``; None = each informant's
    ``questionnaire.min_n``); ``n`` is NaN below it."""
    t = indicator_table(responses, questionnaire, min_n)
    columns = ["n", *t.codes, *(f"{c}__100" for c in t.codes), *(f"{c}__answered" for c in t.codes)]
    data = np.column_stack([t.n, t.means, t.scaled, t.answered]) if len(t.index) else np.empty((0, len(columns)))
    return pd.DataFrame(data, index=t.index, columns=columns)


def _nanmean(block: np.ndarray) -> np.ndarray:
    """Row means ignoring NaN; NaN for a row without any value (no warning)."""
    if block.shape[1] == 0:
        return np.full(block.shape[0], np.nan)
    count = (~np.isnan(block)).sum(axis=1)
    total = np.where(np.isnan(block), 0.0, block).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / np.maximum(count, 1), np.nan)


def score(responses: pd.DataFrame, questionnaire: Questionnaire, min_n: int | None = None) -> list[dict]:
    """Subdimension and dimension scores per school and informant group: rows ``{"school", "informant",
    "dimension", "subdimension" (None on the dimension's own row), "score", "score_100", "n"}``, the dimension's row
    before its subdimensions', in the questionnaire's order; ``score``, ``score_100`` and ``n`` are None for a group
    below its threshold (``min_n``; None = each informant's ``questionnaire.min_n``). A group gets rows only for the
    subdimensions that ask it something."""
    rules = _rules(questionnaire)
    t = indicator_table(responses, questionnaire, min_n)
    index = t.index
    if not len(index):
        return []
    informant = np.asarray(index.get_level_values("informant"), dtype=object)
    position = {c: k for k, c in enumerate(t.codes)}
    sub_score, sub_100, sub_asked = {}, {}, {}
    for dimension in questionnaire.dimensions:
        for sub in dimension.subdimensions:
            all_items = [i.code for i in sub.indicators]
            # a group is asked a subdimension when the questionnaire asks it one of its indicators (present or not)
            sub_asked[sub.code] = np.isin(informant, list({g for c in all_items for g in rules[c].informants}))
            columns = [position[c] for c in all_items if c in position]
            sub_score[sub.code] = _nanmean(t.means[:, columns])
            sub_100[sub.code] = _nanmean(t.scaled[:, columns])
    blocks = []  # (dimension, subdimension or None, scores, 0-100 scores, asked of the group) in display order
    for dimension in questionnaire.dimensions:
        parts = [s.code for s in dimension.subdimensions]
        blocks.append((dimension.code, None, _nanmean(np.column_stack([sub_score[p] for p in parts])),
                       _nanmean(np.column_stack([sub_100[p] for p in parts])),
                       np.logical_or.reduce([sub_asked[p] for p in parts])))
        blocks.extend((dimension.code, p, sub_score[p], sub_100[p], sub_asked[p]) for p in parts)
    blocks = [(d, s, _numbers(v), _numbers(v100), asked) for d, s, v, v100, asked in blocks]
    counts = [None if np.isnan(v) else int(v) for v in t.n]
    order = {g: i for i, g in enumerate(INFORMANTS)}
    pairs = list(index)
    groups = sorted(range(len(pairs)), key=lambda i: (str(pairs[i][0]), order.get(pairs[i][1], len(order))))
    return [{"school": pairs[i][0], "informant": pairs[i][1], "dimension": dim, "subdimension": sub,
             "score": values[i], "score_100": values_100[i], "n": counts[i]}
            for i in groups for dim, sub, values, values_100, asked in blocks if asked[i]]


def _numbers(values: np.ndarray) -> list[float | None]:
    return [None if np.isnan(v) else float(v) for v in np.asarray(values, dtype=float)]
