"""Validating a read file through its mapping, row by row, before anything is written.

Nothing here touches the database: `prepare` returns the rows to write (keyed by pseudonym and wave) and a list of
problems (row, column, value, rule, message). The web service writes them in one transaction only when the list
is empty. Row numbers are those a user sees (`RawTable.first_row`).
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from safeschool import csvsafe
from safeschool.ingest.mapping import RECORD_FIELDS, Mapping
from safeschool.ingest.readers import MAX_CELL, RawTable
from safeschool.instruments.registry import item_index, registry
from safeschool.stats.psychometrics import score_instrument

TRUE_WORDS, FALSE_WORDS = {"1", "yes", "y", "true", "t", "si", "sí", "ja", "oui"}, {"0", "no", "n", "false", "f", "non",
                                                                                   "nein"}


@dataclass
class Problem:
    row: int | None
    column: str
    value: str
    rule: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row if self.row is not None else "", "column": self.column, "value": self.value,
                "rule": self.rule, "message": self.message}

    def __str__(self) -> str:
        where = f"row {self.row}, " if self.row is not None else ""
        return f"{where}column '{self.column}': {self.message}" if self.column else f"{where}{self.message}"


@dataclass
class Prepared:
    target: str
    rows: pd.DataFrame  # key, wave, language, then mapped columns (numbers) and scale scores
    answers: dict[str, list[str]]  # instrument code -> its item columns present
    scores: list[str]  # platform fields filled from scale scores (student.belonging -> belonging)
    problems: list[Problem]
    warnings: list[str]
    table: RawTable
    mapping: Mapping

    @property
    def ok(self) -> bool:
        return not self.problems

    def fingerprint(self) -> str:
        return hashlib.sha256((self.table.sha256 + self.mapping.fingerprint()).encode()).hexdigest()


def prepare(table: RawTable, mapping: Mapping, *, pseudonymise: Callable[[str], str],
            known_ids: set[str] | None = None, waves: set[int] | None = None, max_problems: int = 10_000) -> Prepared:
    """Validate every row against the mapping; return the rows to write and every problem found."""
    frame = table.frame
    problems: list[Problem] = []
    warnings: list[str] = []
    needed = [mapping.id, *mapping.columns] + [c for c in (mapping.wave_column, mapping.language_column) if c]
    absent = [c for c in needed if c not in frame.columns]
    if absent:
        problems += [Problem(None, c, "", "column", f"the mapping names column '{c}', which the file does not have "
                             f"(it has: {', '.join(map(str, frame.columns[:15]))})") for c in absent]
        return Prepared(mapping.target, pd.DataFrame(), {}, [], problems, warnings, table, mapping)
    unmapped = [c for c in frame.columns if c not in needed and c not in mapping.ignore]
    if unmapped:
        warnings.append(f"{len(unmapped)} column(s) not imported: {', '.join(map(str, unmapped[:10]))}"
                        + (" ..." if len(unmapped) > 10 else ""))
    rownum = np.arange(len(frame)) + table.first_row

    def add(mask, column, values, rule, message):
        for i in np.flatnonzero(np.asarray(mask))[: max(0, max_problems - len(problems))]:
            value = values.iloc[i] if hasattr(values, "iloc") else values[i]
            text = "" if value is None or (isinstance(value, float) and np.isnan(value)) else str(value)
            problems.append(Problem(int(rownum[i]), column, text[:80] + ("…" if len(text) > 80 else ""), rule,
                                    message(text) if callable(message) else message))

    # overlong cells in the id, wave and language columns (mapped columns are checked below)
    for col in needed[:1] + [c for c in (mapping.wave_column, mapping.language_column) if c]:
        series = frame[col]
        if not pd.api.types.is_numeric_dtype(series):
            add(series.astype(str).str.len() > MAX_CELL, col, series, "length", f"cell longer than {MAX_CELL} characters")
    # identifiers -> pseudonyms
    raw_ids = _texts(frame[mapping.id])
    add(raw_ids == "", mapping.id, raw_ids, "required", "the id is missing")
    keys = _per_distinct(raw_ids, lambda ids: ids.map(lambda v: pseudonymise(v) if v else ""))
    # wave
    if mapping.wave_column:
        wave = _numbers(_texts(frame[mapping.wave_column]))
        bad = wave.isna() | (wave % 1 != 0)
        add(bad, mapping.wave_column, frame[mapping.wave_column], "type", "wave must be a whole number")
        wave = wave.where(~bad, -1).astype(int)
    else:
        wave = pd.Series(mapping.wave, index=frame.index)
    if waves is not None:
        add(~wave.isin(list(waves)) & (wave != -1), mapping.wave_column or "wave", wave, "reference",
            lambda v: f"wave {v} is not defined (waves: {', '.join(map(str, sorted(waves)))})")
    if known_ids is not None:
        unknown = (keys != "") & ~keys.astype(object).isin(known_ids)  # (Arrow's isin makes a scalar per known id)
        who = "teacher" if mapping.target == "teacher_survey" else "student"
        add(unknown, mapping.id, raw_ids, "reference", f"no {who} with this id in the database (load the cohort or "
            "school roster first)")
    dup = (keys != "") & pd.DataFrame({"k": keys, "w": wave}).duplicated(keep=False)
    add(dup, mapping.id, raw_ids, "duplicate", "this id appears more than once for the same wave")
    language = (_texts(frame[mapping.language_column]).str.lower() if mapping.language_column
                else pd.Series(mapping.language or "", index=frame.index))
    out = pd.DataFrame({"key": keys.to_numpy(), "wave": wave.to_numpy(), "language": language.to_numpy()})
    # mapped columns
    index = item_index(registry())
    missing_codes = {_id_text(m) for m in mapping.missing}
    missing_numbers = {float(m) for m in missing_codes if re.fullmatch(r"-?\d+(\.\d+)?", m)}
    for col, dest in mapping.columns.items():
        series = frame[col]
        if pd.api.types.is_numeric_dtype(series):  # SPSS/Stata numbers: no text to parse
            number = series.astype(float)
            text = number.map(_id_text) if mapping.recode or RECORD_FIELDS.get(dest, ("",))[0] == "bool" else None
            blank = number.isna() | number.isin(missing_numbers)
        else:
            text = series.astype(str).str.strip()
            long = text.str.len() > MAX_CELL
            add(long, col, series, "length", f"cell longer than {MAX_CELL} characters")
            blank = text.isin(missing_codes) | (text == "") | long
            number = None
        labels = table.value_labels.get(col, {})
        if mapping.target == "school_records" and RECORD_FIELDS[dest][0] == "bool":
            low = text.str.lower() if text is not None else number.map(_id_text)
            value = pd.Series(np.where(low.isin(TRUE_WORDS), 1.0, np.where(low.isin(FALSE_WORDS), 0.0, np.nan)),
                              index=frame.index)
            add(value.isna() & ~blank, col, series, "code",
                lambda v: f"'{v}' is not a yes/no answer (use 1/0, yes/no or true/false)")
            out[dest] = value.where(~blank)
            continue
        value = (number if number is not None else _numbers(text.where(~blank))).where(~blank)
        if mapping.recode and text is not None:
            recoded = text.str.strip().str.lower().map(mapping.recode)
            value = value.fillna(pd.to_numeric(recoded, errors="coerce"))
        not_number = value.isna() & ~blank
        add(not_number, col, series, "type", lambda v: f"'{v}' is not a number"
            + (" (add it to the mapping's recode section)" if v and not v.replace(".", "").isdigit() else ""))
        if dest in index:
            ins = index[dest]
            if labels:  # SPSS/Stata: codes carrying a label outside the response range are missing-value codes
                labelled_missing = {c for c in labels if isinstance(c, (int, float))
                                    and not ins.minimum <= c <= ins.maximum}
                value = value.where(~value.isin(labelled_missing))
            off = value.notna() & ((value < ins.minimum) | (value > ins.maximum) | (value % 1 != 0))
            add(off, col, series, "range", lambda v, ins=ins: f"{v} is not an answer on the {ins.minimum}-"
                f"{ins.maximum} scale of {ins.code.upper()}")
        else:
            kind, lo, hi = RECORD_FIELDS[dest]
            off = value.notna() & ((value < lo) | (value > hi) | ((value % 1 != 0) if kind == "int" else False))
            add(off, col, series, "range", lambda v, lo=lo, hi=hi, kind=kind: f"{v} is outside {lo}-{hi}"
                + (" or not a whole number" if kind == "int" else ""))
        out[dest] = value.where(~off)
    answers: dict[str, list[str]] = {}
    scores: list[str] = []
    if mapping.target != "school_records":
        for ins in {index[d].code: index[d] for d in mapping.columns.values() if d in index}.values():
            present = [i for i in ins.items if i in out]
            answers[ins.code] = present
            scored = score_instrument(out[present], ins)
            for scale in ins.scales:
                if scale.code not in scored:
                    lacking = [i for i in scale.items if i not in out]
                    warnings.append(f"{ins.code}: scale '{scale.code}' not scored ({len(lacking)} of its items are "
                                    f"not in the file: {', '.join(lacking[:5])})")
                    continue
                if scale.target:
                    fieldname = scale.target.split(".", 1)[1]
                    out[f"score:{fieldname}"] = scored[scale.code].round(3)
                    scores.append(fieldname)
    return Prepared(mapping.target, out, answers, scores, problems, warnings, table, mapping)


def _per_distinct(series: pd.Series, convert: Callable[[pd.Series], pd.Series]) -> pd.Series:
    """`convert(series)` computed once per distinct cell: a survey's column holds a few answers (an id column a
    few rows per student) over tens of thousands of rows, and parsing or hashing every row was most of the check
    (a 75,833-row file took 17 s per preview). Missing cells stay missing."""
    codes, uniques = pd.factorize(series)
    values = convert(pd.Series(uniques, dtype=series.dtype)).to_numpy()
    if (codes < 0).any():
        values = np.append(values.astype(float) if values.dtype.kind in "iub" else values, np.nan)
    return pd.Series(values[codes], index=series.index, name=series.name)


def _numbers(text: pd.Series) -> pd.Series:
    """pd.to_numeric(text, errors="coerce"), parsed once per distinct cell."""
    return _per_distinct(text, lambda distinct: pd.to_numeric(distinct, errors="coerce"))


def _texts(series: pd.Series) -> pd.Series:
    """Cells as trimmed text; whole numbers stored as floats (SPSS) without their '.0'."""
    if pd.api.types.is_numeric_dtype(series):
        return series.map(_id_text)
    return series.fillna("").astype(str).str.strip()


def _id_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        if np.isnan(value):
            return ""
        if value.is_integer():
            return str(int(value))
    return str(value).strip()


def write_report(problems: list[Problem], path: str | Path) -> Path:
    """The row-level error report as CSV: row, column, value, rule, message."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(report_csv(problems), encoding="utf-8")
    return path


def report_csv(problems: list[Problem]) -> str:
    buffer = io.StringIO()
    frame = pd.DataFrame([p.as_dict() for p in problems], columns=["row", "column", "value", "rule", "message"])
    csvsafe.frame_to_csv(frame, buffer, index=False)
    return buffer.getvalue()
