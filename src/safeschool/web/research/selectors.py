"""Reads of the research registry for pages, exports and the CLI. Aggregates come out already suppressed."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from django.db.models import Count, Q, QuerySet

from safeschool.ingest.cohort_files import analysis_frame as build_analysis_frame
from safeschool.stats import descriptives as d
from safeschool.vocabulary import GROUPS, MIN_CELL
from safeschool.web.research.models import (
    CohortLoad,
    Country,
    Outcome,
    RegionalEducationalCentre,
    School,
    SchoolClass,
    Stage,
    Student,
    StudentScales,
    Teacher,
    TeacherScales,
    TeachingAssignment,
    Wave,
)

PROFILE_MEASURES = {
    "security": "Attachment security (1-4)",
    "belonging": "Sense of belonging (1-5)",
    "engagement": "Engagement (1-5)",
    "closeness": "Teacher-student closeness (1-5)",
    "conflict": "Teacher-student conflict (1-5)",
    "achievement": "Achievement (points)",
    "attendance_rate": "Attendance rate",
    "dropped_out": "Left education early (share)",
}
# the groups a profile breaks early leaving down by (titles and labels: vocabulary.GROUPS)
PROFILE_GROUPS = ("gender", "migrant_background", "roma_minority", "sen", "ses_band")


# what a cohort load adds to, table by table
COUNTED = {
    "countries": Country, "recs": RegionalEducationalCentre, "schools": School, "teachers": Teacher,
    "classes": SchoolClass, "teacher_classes": TeachingAssignment, "students": Student, "waves": Wave,
    "scales": StudentScales, "teacher_scales": TeacherScales, "outcomes": Outcome,
}


def registry_counts() -> dict[str, int]:
    return {name: model.objects.count() for name, model in COUNTED.items()}


def home_context(request) -> dict:
    """What the home page shows of the registry (settings.HOME_CONTEXT names this)."""
    return {"totals": network_totals(), "simulated": cohort_is_simulated()}


def k() -> int:
    return MIN_CELL


def school_list(*, country: str | None = None, stage: str | None = None, search: str | None = None) -> QuerySet:
    qs = School.objects.select_related("country", "rec").annotate(n_students=Count("classes__students"))
    if country:
        qs = qs.filter(country__code=country)
    if stage:
        qs = qs.filter(stage=stage)
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(code__icontains=search) | Q(country__name__icontains=search))
    return qs.order_by("country__name", "code")


def country_list() -> QuerySet:
    return Country.objects.annotate(
        n_schools=Count("schools", distinct=True), n_students=Count("schools__classes__students", distinct=True)
    ).order_by("name")


def stage_choices() -> list[tuple[str, str]]:
    return list(Stage.choices)


def network_totals() -> dict:
    return {
        "countries": Country.objects.count(),
        "schools": School.objects.count(),
        "classes": SchoolClass.objects.count(),
        "students": Student.objects.count(),
        "waves": Wave.objects.count(),
    }


def cohort_is_simulated() -> bool:
    return CohortLoad.objects.filter(simulated=True).exists()


def student_frame(*, students: QuerySet) -> pd.DataFrame:
    """One row per student and wave: attributes, school context, scale scores and outcomes."""
    attrs = pd.DataFrame.from_records(students.values(
        "id", "gender", "age", "migrant_background", "roma_minority", "ses_index", "sen", "out_of_parental_care",
        "school_class__code", "school_class__school__stage", "school_class__school_id",
    )).rename(columns={"id": "student_id", "school_class__code": "class_code",
                       "school_class__school__stage": "stage", "school_class__school_id": "school_id"})
    outcomes = pd.DataFrame.from_records(Outcome.objects.filter(student__in=students).values(
        "student_id", "wave__number", "achievement", "attendance_rate", "behaviour_incidents", "suspensions",
        "dropped_out"))
    if attrs.empty or outcomes.empty:
        return pd.DataFrame(columns=["student_id", "wave", "class_code", *PROFILE_MEASURES])
    scales = pd.DataFrame.from_records(StudentScales.objects.filter(student__in=students).values(
        "student_id", "wave__number", "security", "closeness", "conflict", "belonging", "engagement", "climate"))
    frame = outcomes.merge(scales, on=["student_id", "wave__number"], how="left") if not scales.empty else outcomes
    frame = frame.rename(columns={"wave__number": "wave"}).merge(attrs, on="student_id", how="left")
    frame["ses_band"] = d.ses_band(frame["ses_index"])
    for col in ("migrant_background", "roma_minority", "sen"):
        frame[col] = frame[col].astype(str)
    for col in PROFILE_MEASURES:
        if col not in frame:
            frame[col] = pd.NA
    return frame


@dataclass
class Profile:
    n_students: int | None
    waves: list[dict]
    summary: pd.DataFrame
    achievement_bands: pd.DataFrame
    attendance_bands: pd.DataFrame
    dropout_groups: dict[str, pd.DataFrame]
    last_wave: int | None
    frame: pd.DataFrame  # one row per student and wave: further breakdowns start from it, not from the database

    def wave_table(self) -> list[dict]:
        """Rows of (measure label, [(statistic, format) per wave]) for the by-wave table."""
        rows = []
        for measure, label in PROFILE_MEASURES.items():
            fmt = "%" if measure in ("attendance_rate", "dropped_out") else (".0f" if measure == "achievement" else ".2f")
            values = []
            for wave in self.waves:
                values.append((self.value(wave["number"], measure), fmt))
            rows.append({"label": label, "values": values})
        return rows

    def value(self, wave: int, measure: str) -> dict | None:
        rows = self.summary[(self.summary.wave == wave) & (self.summary.measure == measure)]
        return rows.iloc[0].to_dict() if len(rows) else None


def _profile(frame: pd.DataFrame, n_students: int) -> Profile:
    waves = list(Wave.objects.values("number", "label"))
    if frame.empty:
        empty = pd.DataFrame(columns=["wave", "measure", "label", "n", "mean", "ci_low", "ci_high", "suppressed"])
        return Profile(None if n_students < k() else n_students, waves, empty, pd.DataFrame(), pd.DataFrame(), {},
                       None, frame)
    summary = d.wave_summary(frame, PROFILE_MEASURES, k())
    last = int(frame.wave.max())
    at_last = frame[frame.wave == last]
    enrolled_last = at_last[~at_last.dropped_out.astype(bool)]
    return Profile(
        n_students=n_students if n_students >= k() else None,
        waves=waves,
        summary=summary,
        achievement_bands=d.banded_counts(enrolled_last.achievement, d.ACHIEVEMENT_BANDS, k()),
        attendance_bands=d.banded_counts(enrolled_last.attendance_rate, d.ATTENDANCE_BANDS, k()),
        dropout_groups={
            name: d.group_breakdown(at_last, name, "dropped_out", labels=GROUPS[name][1], share=True, k=k())
            for name in PROFILE_GROUPS
        },
        last_wave=last,
        frame=frame,
    )


def school_profile(*, school: School) -> Profile:
    students = Student.objects.filter(school_class__school=school)
    return _profile(student_frame(students=students), students.count())


def school_classes(*, school: School, profile: Profile) -> list[dict]:
    """Per class: size and wave-1 means of security and belonging, each suppressed below 10 students."""
    frame = profile.frame
    rows = []
    for klass in school.classes.annotate(n=Count("students")).order_by("code"):
        sub = frame[(frame.class_code == klass.code) & (frame.wave == 1)] if not frame.empty else frame
        rows.append({
            "code": klass.code, "grade": klass.grade, "n": klass.n if klass.n >= k() else None,
            "security": d.mean_ci(sub.security, k()) if len(sub) else None,
            "belonging": d.mean_ci(sub.belonging, k()) if len(sub) else None,
            "attendance": d.mean_ci(sub.attendance_rate, k()) if len(sub) else None,
        })
    return rows


def country_profile(*, country: Country) -> Profile:
    students = Student.objects.filter(school_class__school__country=country)
    return _profile(student_frame(students=students), students.count())


def country_stage_dropout(*, profile: Profile) -> pd.DataFrame:
    """Early leaving by the last wave, per school stage, from a country's profile."""
    frame = profile.frame
    if frame.empty:
        return pd.DataFrame(columns=["group", "key", "n", "value", "suppressed"])
    last = frame[frame.wave == frame.wave.max()]
    return d.group_breakdown(last, "stage", "dropped_out", labels=dict(Stage.choices), share=True, k=k())


def country_schools(*, country: Country) -> list[dict]:
    rows = []
    for school in school_list(country=country.code):
        rows.append({"school": school, "n": school.n_students if school.n_students >= k() else None})
    return rows


def student_rows(*, school: School) -> QuerySet:
    """Student-level rows of one school (callers must have checked research.view_school_students)."""
    return (Student.objects.filter(school_class__school=school).select_related("school_class")
            .prefetch_related("scales__wave", "outcomes__wave").order_by("school_class__code", "pseudonym"))


def cohort_tables() -> dict[str, pd.DataFrame]:
    """The registry as the tables of the cohort file format (students and teachers by pseudonym)."""
    def frame(qs, columns: dict[str, str]) -> pd.DataFrame:
        df = pd.DataFrame.from_records(qs.values(*columns), columns=list(columns))
        return df.rename(columns=columns)

    countries = frame(Country.objects.all(), {"code": "country_id", "name": "name", "tracking_age": "tracking_age",
                                              "grade_repetition_pct": "grade_repetition_pct",
                                              "esl_rate_pct": "esl_rate_pct", "esl_support": "esl_support",
                                              "inclusion_index": "inclusion_index"})
    schools = frame(School.objects.all(), {"code": "school_id", "country__code": "country_id", "name": "name",
                                           "stage": "stage", "context": "context",
                                           "ses_composition": "ses_composition", "climate_index": "climate_index",
                                           "alternatives_to_exclusion": "alternatives_to_exclusion",
                                           "rec__code": "rec_id"})
    schools["urban"] = schools.pop("context") == "urban"
    classes = frame(SchoolClass.objects.all(), {"code": "class_id", "school__code": "school_id", "grade": "grade"})
    students = frame(Student.objects.all(), {
        "pseudonym": "student_id", "school_class__code": "class_id", "gender": "gender", "age": "age",
        "migrant_background": "migrant_background", "roma_minority": "roma_minority", "ses_index": "ses_index",
        "sen": "sen", "out_of_parental_care": "out_of_parental_care"})
    scales = frame(StudentScales.objects.all(), {
        "student__pseudonym": "student_id", "wave__number": "wave", "security": "security",
        "closeness": "closeness", "conflict": "conflict", "belonging": "belonging", "engagement": "engagement",
        "climate": "climate"})
    outcomes = frame(Outcome.objects.all(), {
        "student__pseudonym": "student_id", "wave__number": "wave", "achievement": "achievement",
        "attendance_rate": "attendance_rate", "behaviour_incidents": "behaviour_incidents",
        "suspensions": "suspensions", "dropped_out": "dropped_out"})
    return {"countries": countries, "schools": schools, "classes": classes, "students": students, "scales": scales,
            "outcomes": outcomes}


def analysis_frame(*, wave: int = 1) -> pd.DataFrame:
    """One row per student for analyses (see safeschool.ingest.cohort_files.analysis_frame)."""
    return build_analysis_frame(cohort_tables(), wave=wave)
