"""The screening table: one row per student, with what is known at the first wave (the features), who the student
is (the protected attributes, used only to audit), the school's context, and what happened by the last wave (the
outcomes). The same function builds it from a cohort directory (CLI) and from the database (web), so a model
trained on files scores the database's students identically.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from safeschool.ingest.cohort_files import TRUE_WORDS

# Domains a school can change, and the first-wave columns behind each. Protected attributes are never among them.
DOMAINS: dict[str, tuple[str, ...]] = {
    "attendance": ("attendance_rate",),
    "behaviour": ("behaviour_incidents", "suspensions"),
    "achievement": ("achievement",),
    "security": ("security", "closeness", "conflict"),
    "belonging": ("belonging", "engagement"),
}
INDIVIDUAL_FEATURES: tuple[str, ...] = tuple(c for cols in DOMAINS.values() for c in cols)
# The school's context: no individual data at all (Perdomo et al., 2023: the school carries much of the signal).
SCHOOL_FEATURES: tuple[str, ...] = ("stage", "country_id", "school_ses", "school_climate", "school_urban",
                                    "school_alternatives", "school_rec_partner")
CATEGORICAL: tuple[str, ...] = ("stage", "country_id")
# Who the student is: used to audit a model's errors, never as its inputs unless a researcher asks.
PROTECTED: tuple[str, ...] = ("gender", "migrant_background", "roma_minority", "ses_band", "sen",
                              "out_of_parental_care")
OUTCOMES: tuple[str, ...] = ("dropped_out", "persistent_absence", "excluded")
PERSISTENT_ABSENCE = 0.90  # attending fewer than 90 % of school days in a later wave (missing 10 % or more)
LOW_SES, HIGH_SES = -0.43, 0.43  # tertiles of a standard normal: the SES bands the MAIHDA strata use
ID_COLUMNS: tuple[str, ...] = ("student_id", "class_id", "school_id", "cohort")

_NEEDED = {
    "students": ("student_id", "class_id", "gender", "migrant_background", "roma_minority", "ses_index", "sen",
                 "out_of_parental_care"),
    "classes": ("class_id", "school_id"),
    "schools": ("school_id", "country_id", "stage", "urban", "ses_composition", "climate_index",
                "alternatives_to_exclusion"),
    "outcomes": ("student_id", "wave", "achievement", "attendance_rate", "behaviour_incidents", "suspensions",
                 "dropped_out"),
    "scales": ("student_id", "wave", "security", "closeness", "conflict", "belonging", "engagement"),
}


class ScreeningDataError(ValueError):
    """The data cannot form a screening table; the message names the file and column."""


def read_cohort(directory: str | Path) -> dict[str, pd.DataFrame]:
    """The tables the screening table needs from a cohort directory (the format `safeschool simulate` writes),
    plus `true_risk` when the directory holds a simulated truth."""
    root = Path(directory)
    if not root.is_dir():
        raise ScreeningDataError(f"--data: {root} is not a directory")
    tables = {}
    for name, columns in _NEEDED.items():
        path = root / f"{name}.csv"
        if not path.exists():
            raise ScreeningDataError(f"--data: {path.name} is missing from {root}")
        try:
            frame = pd.read_csv(path, low_memory=False)
        except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
            raise ScreeningDataError(f"{path.name}: cannot be read as CSV ({str(exc).splitlines()[0]})") from exc
        missing = [c for c in columns if c not in frame.columns]
        if missing:
            raise ScreeningDataError(f"{path.name}: missing column(s) {', '.join(missing)}")
        tables[name] = frame
    risk = root / "true_risk.csv"
    if risk.exists():
        tables["true_risk"] = pd.read_csv(risk)
    return tables


def _bool(series: pd.Series) -> pd.Series:
    if series.dtype == bool:
        return series
    text = series.astype("string").str.strip().str.lower()
    return text.isin(TRUE_WORDS).astype(bool)


def ses_band(ses: pd.Series) -> pd.Series:
    return pd.Series(np.where(ses < LOW_SES, "low", np.where(ses > HIGH_SES, "high", "middle")), index=ses.index)


def screening_table(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per student: ids, first-wave features, school context, protected attributes and outcomes.

    Features are taken at each student's first wave (what a school knows in the autumn); outcomes after it:
    `dropped_out` (left education by the last wave), `persistent_absence` (attended under 90 % in a later wave;
    missing for students who left before one) and `excluded` (a suspension or exclusion in a later wave; missing for
    students who left). `p_true` holds the simulated truth when the data carry it.
    """
    students = tables["students"].copy()
    classes = tables["classes"][["class_id", "school_id"]]
    schools = tables["schools"].rename(columns={
        "ses_composition": "school_ses", "climate_index": "school_climate", "urban": "school_urban",
        "alternatives_to_exclusion": "school_alternatives"})
    schools["school_rec_partner"] = (schools["rec_id"].fillna("").astype(str).str.strip() != "") \
        if "rec_id" in schools else False
    for col in ("school_urban", "school_alternatives", "school_rec_partner"):
        schools[col] = _bool(schools[col]).astype(float)
    out = students.merge(classes, on="class_id", how="left")
    if out["school_id"].isna().any():
        bad = out.loc[out["school_id"].isna(), "class_id"].iloc[0]
        raise ScreeningDataError(f"students.csv: class_id '{bad}' is not in classes.csv")
    out = out.merge(schools[["school_id", *[c for c in SCHOOL_FEATURES]]], on="school_id", how="left")
    if "cohort" not in out:
        out["cohort"] = np.nan
    for col in ("migrant_background", "roma_minority", "sen", "out_of_parental_care"):
        out[col] = _bool(out[col])
    out["ses_band"] = ses_band(out["ses_index"].astype(float))

    outcomes = tables["outcomes"]
    scales = tables["scales"]
    first_wave = outcomes.groupby("student_id")["wave"].min().rename("first_wave")
    first = outcomes.merge(first_wave, on="student_id")
    first = first[first["wave"] == first["first_wave"]]
    features = first[["student_id", "wave", "achievement", "attendance_rate", "behaviour_incidents", "suspensions"]]
    features = features.merge(scales[list(_NEEDED["scales"])], on=["student_id", "wave"], how="left")
    out = out.merge(features.drop(columns="wave"), on="student_id", how="left")
    for col in INDIVIDUAL_FEATURES:
        out[col] = pd.to_numeric(out[col], errors="coerce").astype(float)

    later = outcomes.merge(first_wave, on="student_id")
    later = later[later["wave"] > later["first_wave"]]
    last_wave = outcomes["wave"].max()
    left = outcomes[outcomes["wave"] == last_wave].set_index("student_id")["dropped_out"]
    out["dropped_out"] = _bool(left.reindex(out["student_id"]).fillna(False).astype(str)).to_numpy()
    attendance = pd.to_numeric(later["attendance_rate"], errors="coerce")
    suspensions = pd.to_numeric(later["suspensions"], errors="coerce")
    grouped = pd.DataFrame({"student_id": later["student_id"], "absent": attendance < PERSISTENT_ABSENCE,
                            "seen": attendance.notna(), "excluded": suspensions > 0,
                            "recorded": suspensions.notna()}).groupby("student_id").agg("max")
    grouped = grouped.reindex(out["student_id"])
    out["persistent_absence"] = np.where(grouped["seen"].fillna(False).to_numpy(bool),
                                         grouped["absent"].fillna(False).to_numpy(float), np.nan)
    out["excluded"] = np.where(grouped["recorded"].fillna(False).to_numpy(bool),
                               grouped["excluded"].fillna(False).to_numpy(float), np.nan)
    out["dropped_out"] = out["dropped_out"].astype(float)
    if "true_risk" in tables:
        out["p_true"] = tables["true_risk"].set_index("student_id")["p_dropped_out"].reindex(out["student_id"]) \
            .to_numpy(float)
    columns = [*ID_COLUMNS, *INDIVIDUAL_FEATURES, *SCHOOL_FEATURES, *PROTECTED, *OUTCOMES]
    if "p_true" in out:
        columns.append("p_true")
    return out[columns].reset_index(drop=True)


def temporal_split(table: pd.DataFrame, test_cohort: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(train, test): train on every cohort before `test_cohort`, test on `test_cohort`; no student is in both."""
    cohorts = sorted(int(c) for c in table["cohort"].dropna().unique())
    if not cohorts:
        raise ScreeningDataError("students.csv: no cohort column (simulate with --cohorts, or add the entry year)")
    if test_cohort not in cohorts:
        raise ScreeningDataError(f"--test-cohort: {test_cohort} is not a cohort in the data "
                                 f"({', '.join(map(str, cohorts))})")
    train = table[table["cohort"] < test_cohort]
    if train.empty:
        raise ScreeningDataError(f"--test-cohort: no cohort before {test_cohort} to train on "
                                 f"(cohorts: {', '.join(map(str, cohorts))})")
    return train.reset_index(drop=True), table[table["cohort"] == test_cohort].reset_index(drop=True)
