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
    text = raw.apply(lambda column: column.str.strip())
    groups = tuple(INFORMANTS)
    problems: list[tuple[int, int, str]] = []  # (row index, column position, message): the first one is reported

    def note(mask: pd.Series | np.ndarray, column: str, message) -> None:
        hits = np.flatnonzero(np.asarray(mask))
        if hits.size:
            first = int(hits[0])
            value = text[column].iat[first]
            problems.append((first, raw.columns.get_loc(column), message(value) if callable(message) else message))

    note(text["school"] == "", "school", "missing school")
    note(~text["informant"].isin(groups), "informant",
         lambda v: f"unknown informant '{v}' (choose {', '.join(groups)})" if v else "missing informant")
    out = {"school": text["school"], "informant": text["informant"]}
    for code in (c for c in raw.columns if c not in KEYS):
        rule = rules[code]
        column = text[code]
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
        note(answered & text["informant"].isin(groups) & ~text["informant"].isin(rule.informants), code,
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


def _thresholds(index: pd.Index, questionnaire: Questionnaire, min_n: int | None) -> np.ndarray:
    """The disclosure threshold of each (school, informant) group: ``min_n`` when given, else the informant's."""
    informants = index.get_level_values("informant")
    if min_n is not None:
        return np.full(len(informants), int(min_n))
    return np.array([questionnaire.min_n(g) for g in informants], dtype=int)


def indicator_scores(responses: pd.DataFrame, questionnaire: Questionnaire, min_n: int | None = None) -> pd.DataFrame:
    """One row per (school, informant) group: ``n`` (respondents), and per indicator code asked of that informant
    ``<code>`` (score on its scale), ``<code>__100`` (0–100) and ``<code>__answered``. Scores are NaN where the group
    or the indicator's answers fall below the threshold (``min_n``; None = each informant's
    ``questionnaire.min_n``); ``n`` is NaN below it."""
    rules = _rules(questionnaire)
    codes = [c for c in rules if c in responses.columns]
    grouped = responses.groupby(list(KEYS), sort=False)[codes]
    answered = grouped.count()
    n = responses.groupby(list(KEYS), sort=False).size().reindex(answered.index)
    means = grouped.sum(min_count=1) / answered.where(answered > 0)
    need = _thresholds(answered.index, questionnaire, min_n)
    shown = pd.DataFrame(answered.to_numpy() >= need[:, None], index=answered.index, columns=codes) \
        & (n.to_numpy() >= need)[:, None]
    asked = pd.DataFrame({c: answered.index.get_level_values("informant").isin(rules[c].informants) for c in codes},
                         index=answered.index)
    means = means.where(shown & asked)
    low = np.array([rules[c].low for c in codes])
    span = np.array([rules[c].high - rules[c].low for c in codes])
    flip = np.array([rules[c].reversed for c in codes])
    share = (means.to_numpy(dtype=float) - low) / span * 100
    scaled = pd.DataFrame(np.where(flip, 100 - share, share), index=means.index, columns=codes)
    return pd.concat([n.where(n.to_numpy() >= need).rename("n"), means, scaled.add_suffix("__100"),
                      answered.where(asked).add_suffix("__answered")], axis=1)


def score(responses: pd.DataFrame, questionnaire: Questionnaire, min_n: int | None = None) -> list[dict]:
    """Subdimension and dimension scores per school and informant group: rows ``{"school", "informant",
    "dimension", "subdimension" (None on the dimension's own row), "score", "score_100", "n"}``, the dimension's row
    before its subdimensions', in the questionnaire's order; ``score``, ``score_100`` and ``n`` are None for a group
    below its threshold (``min_n``; None = each informant's ``questionnaire.min_n``). A group gets rows only for the subdimensions that ask it something."""
    rules = _rules(questionnaire)
    codes = [c for c in rules if c in responses.columns]
    table = indicator_scores(responses, questionnaire, min_n)
    index = table.index
    informant = index.get_level_values("informant")
    subs = [(d.code, s.code, [i.code for i in s.indicators]) for d in questionnaire.dimensions
            for s in d.subdimensions]
    sub_score, sub_100, sub_asked = {}, {}, {}
    for _, sub, all_items in subs:
        # a group is asked a subdimension when the questionnaire asks it one of its indicators (present or not)
        sub_asked[sub] = informant.isin({g for c in all_items for g in rules[c].informants})
        items = [c for c in all_items if c in codes]
        sub_score[sub] = table[items].mean(axis=1) if items else pd.Series(np.nan, index=index)
        sub_100[sub] = table[[f"{c}__100" for c in items]].mean(axis=1) if items else pd.Series(np.nan, index=index)
    blocks = []  # (dimension, subdimension or None, scores, 0-100 scores, asked of the group) in display order
    for dimension in questionnaire.dimensions:
        parts = [s.code for s in dimension.subdimensions]
        blocks.append((dimension.code, None, pd.concat([sub_score[p] for p in parts], axis=1).mean(axis=1),
                       pd.concat([sub_100[p] for p in parts], axis=1).mean(axis=1),
                       np.logical_or.reduce([sub_asked[p] for p in parts])))
        blocks.extend((dimension.code, p, sub_score[p], sub_100[p], sub_asked[p]) for p in parts)
    blocks = [(d, s, _numbers(v), _numbers(v100), np.asarray(asked)) for d, s, v, v100, asked in blocks]
    counts = [None if pd.isna(v) else int(v) for v in table["n"]]
    order = {g: i for i, g in enumerate(INFORMANTS)}
    groups = sorted(range(len(index)), key=lambda i: (str(index[i][0]), order.get(index[i][1], len(order))))
    return [{"school": index[i][0], "informant": index[i][1], "dimension": dim, "subdimension": sub,
             "score": values[i], "score_100": values_100[i], "n": counts[i]}
            for i in groups for dim, sub, values, values_100, asked in blocks if asked[i]]


def _numbers(series: pd.Series) -> list[float | None]:
    return [None if np.isnan(v) else float(v) for v in series.to_numpy(dtype=float)]
