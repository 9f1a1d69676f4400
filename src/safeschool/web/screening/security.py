"""The socio-emotional security screen on the web (reads only): each student's first-wave scales against norms
from every student in the database per stage × country (`safeschool.screening.norms`), flagged only when the
score is reliably below the cut-off.

Reliability (for the standard error of measurement) is Cronbach's alpha from the item answers the database holds
(imported surveys, `imports.SurveyResponse`, first wave, at least MIN_RESPONSES answers per instrument); a scale
without them takes ASSUMED_RELIABILITY, a conventional and cautious value (a lower reliability widens the SEM, so
fewer students are flagged). The simulated demo cohort's items give 0.75 (closeness) to 0.89 (belonging).
"""

from __future__ import annotations

import math

import pandas as pd
from django.db.models import Max

from safeschool.instruments.registry import registry
from safeschool.screening import norms as screen_norms
from safeschool.web.imports.models import SurveyResponse
from safeschool.web.research.models import School, Student, Wave
from safeschool.web.research.selectors import profile_cached
from safeschool.web.screening.tables import database_screening_table

ASSUMED_RELIABILITY = 0.80
MIN_RESPONSES = 30
COLUMNS = ["student_id", "scale", "score", "norm_group", "z", "percentile", "cutoff", "sem", "below_cutoff",
           "flagged"]


def _item_reliability() -> dict[str, float]:
    first = Wave.objects.order_by("number").first()
    if first is None:
        return {}
    found: dict[str, float] = {}
    for code, instrument in registry().items():
        answers = list(SurveyResponse.objects.filter(student__isnull=False, instrument=code, wave=first)
                       .values_list("answers", flat=True))
        if len(answers) < MIN_RESPONSES:
            continue
        try:
            found |= screen_norms.reliability_from_items(pd.DataFrame.from_records(answers), instrument)
        except (screen_norms.NormsError, ValueError, TypeError):
            continue
    return {k: float(v) for k, v in found.items() if v is not None and math.isfinite(v) and 0 <= v < 1}


def screen_reliability() -> dict[str, dict]:
    """{scale: {"reliability": float, "source": "items" | "assumed"}} for every screen scale."""
    measured = profile_cached("screening-reliability", 0, _item_reliability)
    return {scale: {"reliability": measured[scale], "source": "items"} if scale in measured
            else {"reliability": ASSUMED_RELIABILITY, "source": "assumed"} for scale in screen_norms.SCREEN_SCALES}


def _norm_table(table: pd.DataFrame | None = None) -> pd.DataFrame:
    """Norms from every student's first-wave scales per stage × country (cached per version of the data);
    `table`: the database's screening table when the caller has it already."""
    return profile_cached("screening-norms", 0, lambda: screen_norms.norms(
        database_screening_table() if table is None else table))


def norms_warm(table: pd.DataFrame) -> None:
    """Compute and cache the norms from a screening table of the whole database the caller built anyway."""
    _norm_table(table)


def _screen(table: pd.DataFrame) -> pd.DataFrame:
    norm_table = _norm_table()
    if table.empty or norm_table.empty:
        return pd.DataFrame(columns=COLUMNS)
    reliability = {scale: r["reliability"] for scale, r in screen_reliability().items()}
    return screen_norms.security_screen(table, norm_table, reliability)


def _records(frame: pd.DataFrame) -> list[dict]:
    def plain(v):
        if hasattr(v, "item"):
            v = v.item()
        return None if isinstance(v, float) and math.isnan(v) else v
    return [{k: plain(v) for k, v in row.items()} for row in frame.to_dict("records")]


def _screened_cohort(table: pd.DataFrame) -> pd.DataFrame:
    """The students being screened: the latest entry cohort (everyone when the data carry no cohorts). Norms
    still come from every cohort."""
    latest = Student.objects.aggregate(m=Max("cohort"))["m"]
    return table if latest is None else table[table["cohort"] == latest].reset_index(drop=True)


def security_flags(school: School) -> list[dict]:
    """The school's students of the screened cohort flagged by the screen, one row per flagged scale: student_id
    (pseudonym), scale, score, norm_group, z, percentile, cutoff, sem, below_cutoff, flagged. Callers check who
    may see the school. Cached per version of the data (screening the school was 0.6-1 s of its list at 40,000
    students)."""
    def compute() -> list[dict]:
        screened = _screen(_screened_cohort(database_screening_table(school=school)))
        return _records(screened[screened["flagged"].astype(bool)].sort_values(["student_id", "scale"]))
    return profile_cached("screening-security-flags", school.pk, compute)


def student_security(student: Student) -> list[dict]:
    """The student's screen profile: one row per scale with a score, flagged or not. Callers check access."""
    table = database_screening_table(school=student.school_class.school)
    return _records(_screen(table[table["student_id"] == student.pseudonym]))


def security_overview() -> list[dict]:
    """Across the network's screened cohort, per scale: students screened (n) and flagged; not suppressed here
    (the page hides counts under MIN_CELL). Cached per version of the data."""
    def compute() -> list[dict]:
        screened = _screen(_screened_cohort(database_screening_table()))
        grouped = screened.groupby("scale", sort=False).agg(n=("score", "count"), flagged=("flagged", "sum"))
        return [{"scale": scale, "n": int(row.n), "flagged": int(row.flagged)} for scale, row in grouped.iterrows()]
    return profile_cached("screening-security-overview", 0, compute)
