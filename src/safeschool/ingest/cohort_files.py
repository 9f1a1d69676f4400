"""Read and validate a cohort directory (the format `safeschool simulate` writes) before anything is loaded.

Every problem is reported with its file, line, column, value and rule; loading starts only when there is none.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from safeschool.vocabulary import STAGES


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # "id", "text", "int", "float", "bool", "date", "choice"
    required: bool = True  # a value must be present in every row
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] = ()
    references: str | None = None  # "table.column"
    may_be_absent: bool = False  # files written before the column existed still load (every value missing)


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    optional: bool = False


SCHEMA: tuple[Table, ...] = (
    Table("countries", (
        Column("country_id", "id"), Column("name", "text"),
        Column("tracking_age", "int", low=6, high=19), Column("grade_repetition_pct", "float", low=0, high=100),
        Column("esl_rate_pct", "float", low=0, high=100), Column("esl_support", "bool"),
        Column("inclusion_index", "float", low=0, high=1),
    ), key=("country_id",)),
    Table("recs", (
        Column("rec_id", "id"), Column("country_id", "id", references="countries.country_id"), Column("name", "text"),
    ), key=("rec_id",), optional=True),
    Table("schools", (
        Column("school_id", "id"), Column("country_id", "id", references="countries.country_id"),
        Column("name", "text"), Column("stage", "choice", choices=STAGES), Column("urban", "bool"),
        Column("ses_composition", "float", low=-5, high=5), Column("climate_index", "float", required=False, low=1, high=5),
        Column("alternatives_to_exclusion", "bool"),
        Column("rec_id", "id", required=False, references="recs.rec_id"),
    ), key=("school_id",)),
    Table("teachers", (
        Column("teacher_id", "id"), Column("school_id", "id", references="schools.school_id"),
        Column("gender", "choice", choices=("F", "M", "X")),
        Column("years_experience", "int", required=False, low=0, high=60),
    ), key=("teacher_id",)),
    Table("classes", (
        Column("class_id", "id"), Column("school_id", "id", references="schools.school_id"),
        Column("grade", "int", low=0, high=14),
        Column("homeroom_teacher_id", "id", required=False, references="teachers.teacher_id"),
    ), key=("class_id",)),
    Table("teacher_classes", (
        Column("teacher_id", "id", references="teachers.teacher_id"),
        Column("class_id", "id", references="classes.class_id"),
        Column("role", "choice", choices=("homeroom", "subject")),
    ), key=("teacher_id", "class_id"), optional=True),
    Table("students", (
        Column("student_id", "id"), Column("class_id", "id", references="classes.class_id"),
        Column("gender", "choice", choices=("F", "M", "X")), Column("age", "int", low=2, high=30),
        Column("migrant_background", "bool"), Column("roma_minority", "bool"),
        Column("ses_index", "float", low=-6, high=6), Column("sen", "bool"), Column("out_of_parental_care", "bool"),
        Column("cohort", "int", required=False, low=1990, high=2100, may_be_absent=True),
    ), key=("student_id",)),
    Table("waves", (
        Column("wave", "int", low=1, high=100), Column("label", "text"), Column("starts_on", "date"),
    ), key=("wave",)),
    Table("scales", (
        Column("student_id", "id", references="students.student_id"),
        Column("wave", "int", references="waves.wave"),
        Column("security", "float", required=False, low=1, high=4),
        Column("closeness", "float", required=False, low=1, high=5),
        Column("conflict", "float", required=False, low=1, high=5),
        Column("belonging", "float", required=False, low=1, high=5),
        Column("engagement", "float", required=False, low=1, high=5),
        Column("climate", "float", required=False, low=1, high=5),
    ), key=("student_id", "wave"), optional=True),
    Table("teacher_scales", (
        Column("teacher_id", "id", references="teachers.teacher_id"),
        Column("wave", "int", references="waves.wave"),
        Column("self_efficacy", "float", required=False, low=1, high=9),
    ), key=("teacher_id", "wave"), optional=True),
    Table("outcomes", (
        Column("student_id", "id", references="students.student_id"),
        Column("wave", "int", references="waves.wave"),
        Column("achievement", "float", required=False, low=0, high=1000),
        Column("attendance_rate", "float", required=False, low=0, high=1),
        Column("behaviour_incidents", "int", required=False, low=0, high=1000),
        Column("suspensions", "int", required=False, low=0, high=1000),
        Column("dropped_out", "bool"),
    ), key=("student_id", "wave")),
)
SCHEMA_BY_NAME = {t.name: t for t in SCHEMA}
TRUE_WORDS = {"true", "1", "yes", "y", "t"}
FALSE_WORDS = {"false", "0", "no", "n", "f"}


@dataclass(frozen=True)
class Problem:
    file: str
    row: int | None  # line number in the file (the header is line 1); None for file-level problems
    column: str
    value: str
    rule: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}" + (f" line {self.row}" if self.row else "") + (f", column '{self.column}'" if self.column else "")
        return f"{where}: {self.message}"


class CohortFileError(ValueError):
    """The cohort directory cannot be loaded. `problems` lists every problem found; str() names the first."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        more = f" (and {len(problems) - 1} more problem(s))" if len(problems) > 1 else ""
        super().__init__(f"{problems[0]}{more}")


@dataclass
class CohortFiles:
    directory: Path
    tables: dict[str, pd.DataFrame]
    fingerprint: str
    simulated: bool
    truth: dict | None = field(default=None, repr=False)


def _problem_rows(df: pd.DataFrame, mask: pd.Series, table: str, column: str, rule: str, message: str,
                  limit: int = 20) -> list[Problem]:
    out = []
    for idx in np.flatnonzero(mask.to_numpy())[:limit]:
        value = df[column].iloc[idx] if column in df else ""
        out.append(Problem(f"{table}.csv", int(idx) + 2, column, "" if pd.isna(value) else str(value), rule,
                           message.format(value=value)))
    return out


def _coerce(df: pd.DataFrame, table: Table) -> tuple[pd.DataFrame, list[Problem]]:
    problems: list[Problem] = []
    out = pd.DataFrame(index=df.index)
    for col in table.columns:
        raw = df[col.name]
        text = raw.astype("string").str.strip()
        missing = text.isna() | (text == "")
        if col.required:
            problems += _problem_rows(df, missing, table.name, col.name, "required", "value is missing")
        if col.kind in ("id", "text", "choice"):
            values = text.where(~missing, None)
            if col.kind == "choice":
                bad = ~missing & ~values.isin(col.choices)
                problems += _problem_rows(df, bad, table.name, col.name, "choice",
                                          "'{value}' is not one of " + ", ".join(col.choices))
            out[col.name] = values
        elif col.kind in ("int", "float"):
            # parsed from Python strings: pandas' parser is twice as fast there as on Arrow-backed strings
            numbers = pd.to_numeric(text.where(~missing, None).astype(object), errors="coerce").astype("Float64")
            bad = ~missing & numbers.isna()
            problems += _problem_rows(df, bad, table.name, col.name, "type", "'{value}' is not a number")
            if col.kind == "int":
                frac = ~missing & numbers.notna() & (numbers % 1 != 0)
                problems += _problem_rows(df, frac, table.name, col.name, "type", "'{value}' is not a whole number")
            if col.low is not None:
                low = numbers.notna() & ((numbers < col.low) | (numbers > col.high))
                problems += _problem_rows(df, low, table.name, col.name, "range",
                                          f"{{value}} is outside {col.low:g}-{col.high:g}")
            out[col.name] = numbers.astype("Int64") if col.kind == "int" and not bad.any() else numbers
        elif col.kind == "bool":
            lowered = text.str.lower()
            bad = ~missing & ~lowered.isin(TRUE_WORDS | FALSE_WORDS)
            problems += _problem_rows(df, bad, table.name, col.name, "type", "'{value}' is not true/false")
            out[col.name] = lowered.isin(TRUE_WORDS)
        elif col.kind == "date":
            dates = pd.to_datetime(text.where(~missing, None), errors="coerce", format="%Y-%m-%d")
            bad = ~missing & dates.isna()
            problems += _problem_rows(df, bad, table.name, col.name, "type", "'{value}' is not a date (YYYY-MM-DD)")
            out[col.name] = dates.dt.date
    dup = df.duplicated(subset=list(table.key), keep="first")
    problems += _problem_rows(df, dup, table.name, table.key[0], "unique",
                              f"duplicate {'/'.join(table.key)} (also on an earlier line)")
    return out, problems


def read_cohort_dir(directory: str | Path) -> CohortFiles:
    """Read and validate every table of a cohort directory; raise CohortFileError listing all problems."""
    directory = Path(directory)
    if not directory.is_dir():
        raise CohortFileError([Problem(str(directory), None, "", "", "exists", "is not a directory")])
    problems: list[Problem] = []
    raw: dict[str, pd.DataFrame] = {}
    digest = hashlib.sha256()
    for table in SCHEMA:
        path = directory / f"{table.name}.csv"
        if not path.exists():
            if not table.optional:
                problems.append(Problem(path.name, None, "", "", "exists", "required file is missing"))
            continue
        content = path.read_bytes()
        digest.update(table.name.encode() + b"\0" + content)
        try:
            df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
            problems.append(Problem(path.name, None, "", "", "format", f"cannot be read as CSV ({exc})".splitlines()[0]))
            continue
        for col in table.columns:
            if col.may_be_absent and col.name not in df.columns:
                df[col.name] = ""
        missing_cols = [c.name for c in table.columns if c.name not in df.columns]
        if missing_cols:
            problems.append(Problem(path.name, None, missing_cols[0], "", "columns",
                                    f"missing column(s): {', '.join(missing_cols)}"))
            continue
        raw[table.name] = df
    if problems:
        raise CohortFileError(problems)
    tables: dict[str, pd.DataFrame] = {}
    for table in SCHEMA:
        if table.name in raw:
            tables[table.name], found = _coerce(raw[table.name], table)
            problems += found
    if problems:
        raise CohortFileError(problems)
    for table in SCHEMA:
        if table.name not in tables:
            continue
        for col in table.columns:
            if not col.references:
                continue
            ref_table, ref_col = col.references.split(".")
            values = tables[table.name][col.name]
            if ref_table not in tables:
                present = values.notna()
                if present.any():
                    problems += _problem_rows(raw[table.name], present, table.name, col.name, "reference",
                                              f"'{{value}}' refers to {ref_table}.csv, which is missing")
                continue
            known = set(tables[ref_table][ref_col].dropna().tolist())
            bad = values.notna() & ~values.astype(object).isin(known)  # Arrow's isin makes a scalar per known value
            problems += _problem_rows(raw[table.name], bad, table.name, col.name, "reference",
                                      f"'{{value}}' is not a {ref_col} in {ref_table}.csv")
    problems += _cross_checks(tables, raw)
    if problems:
        raise CohortFileError(problems)
    truth_path = directory / "truth.json"
    truth = json.loads(truth_path.read_text()) if truth_path.exists() else None
    return CohortFiles(directory=directory, tables=tables, fingerprint=digest.hexdigest(),
                       simulated=truth is not None, truth=truth)


def _cross_checks(tables: dict[str, pd.DataFrame], raw: dict[str, pd.DataFrame]) -> list[Problem]:
    """Rules spanning tables: a school's REC is in its country; a homeroom teacher works at the class's school."""
    problems: list[Problem] = []
    schools = tables["schools"]
    if "recs" in tables:
        rec_country = dict(zip(tables["recs"].rec_id, tables["recs"].country_id, strict=True))
        bad = schools.rec_id.notna() & (schools.rec_id.map(rec_country) != schools.country_id)
        problems += _problem_rows(raw["schools"], bad, "schools", "rec_id", "consistency",
                                  "Regional Educational Centre '{value}' is in another country")
    teacher_school = dict(zip(tables["teachers"].teacher_id, tables["teachers"].school_id, strict=True))
    classes = tables["classes"]
    bad = classes.homeroom_teacher_id.notna() & (classes.homeroom_teacher_id.map(teacher_school) != classes.school_id)
    problems += _problem_rows(raw["classes"], bad, "classes", "homeroom_teacher_id", "consistency",
                              "homeroom teacher '{value}' works at another school")
    return problems


ANALYSIS_COLUMNS = {
    "student": ["student_id", "class_id", "school_id", "country_id", "stage", "gender", "age", "migrant_background",
                "roma_minority", "ses_index", "ses_band", "sen", "out_of_parental_care"],
    "wave": ["security", "closeness", "conflict", "belonging", "engagement", "climate", "achievement",
             "attendance_rate", "behaviour_incidents", "suspensions"],
    "outcome": ["dropout"],
    "school": ["urban", "ses_composition", "climate_index", "rec_partner", "alternatives_to_exclusion"],
    "country": ["tracking_age", "early_tracking", "grade_repetition_pct", "esl_support", "inclusion_index"],
}


def analysis_frame(tables: dict[str, pd.DataFrame], *, wave: int = 1) -> pd.DataFrame:
    """One row per student: attributes, scale scores and outcomes at `wave`, `dropout` (left education by the
    last wave), and the school and country determinants — the table every analysis starts from."""
    students = tables["students"]
    outcomes = tables["outcomes"]
    waves = sorted(pd.unique(outcomes["wave"]))
    if wave not in waves:
        raise ValueError(f"wave {wave} has no outcomes (waves present: {', '.join(map(str, waves))})")
    at = outcomes[outcomes["wave"] == wave].drop(columns=["dropped_out"])
    last = outcomes[outcomes["wave"] == waves[-1]][["student_id", "dropped_out"]].rename(
        columns={"dropped_out": "dropout"})
    frame = students.merge(tables["classes"][["class_id", "school_id"]], on="class_id")
    schools = tables["schools"].copy()
    schools["rec_partner"] = schools["rec_id"].fillna("").astype(str).str.len() > 0
    frame = frame.merge(schools[["school_id", "country_id", "stage", *ANALYSIS_COLUMNS["school"]]], on="school_id")
    countries = tables["countries"].copy()
    countries["early_tracking"] = countries["tracking_age"] <= 12
    frame = frame.merge(countries[["country_id", *ANALYSIS_COLUMNS["country"]]], on="country_id")
    if "scales" in tables:
        scales = tables["scales"]
        frame = frame.merge(scales[scales["wave"] == wave].drop(columns=["wave"]), on="student_id", how="left")
    frame = frame.merge(at.drop(columns=["wave"]), on="student_id", how="left").merge(last, on="student_id", how="left")
    frame["ses_band"] = np.select([frame.ses_index < -0.43, frame.ses_index > 0.43], ["low", "high"], "middle")
    for column in ("migrant_background", "roma_minority", "sen", "out_of_parental_care", "urban",
                   "alternatives_to_exclusion", "esl_support", "dropout"):
        if column in frame:
            frame[column] = frame[column].astype(bool)
    ordered = [c for group in ANALYSIS_COLUMNS.values() for c in group if c in frame]
    return frame[ordered + [c for c in frame.columns if c not in ordered]]
