"""Reads of the research registry for pages, exports and the CLI. Aggregates come out already suppressed: a hidden
figure carries its reason and no count or mean (rules: stats/disclosure.py). A country's figures cover only its
schools of at least MIN_CELL students, so that country - shown schools reveals no small school."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pandas as pd
from django.core.cache import cache
from django.db.models import Count, Max, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import get_language, gettext_noop

from safeschool.ingest.cohort_files import analysis_frame as build_analysis_frame
from safeschool.stats import descriptives as d
from safeschool.stats.disclosure import BELOW_MIN, protect
from safeschool.stats.disclosure import label as hidden_label
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

# labels marked for translation; pages translate them with gettext() (the CSV keeps them as written here)
PROFILE_MEASURES = {
    "security": gettext_noop("Attachment security (1-4)"),
    "belonging": gettext_noop("Sense of belonging (1-5)"),
    "engagement": gettext_noop("Engagement (1-5)"),
    "closeness": gettext_noop("Teacher-student closeness (1-5)"),
    "conflict": gettext_noop("Teacher-student conflict (1-5)"),
    "achievement": gettext_noop("Achievement (points)"),
    "attendance_rate": gettext_noop("Attendance rate"),
    "dropped_out": gettext_noop("Left education early (share)"),
}
# decimals each measure is published with (tables and chart JSON alike): shares and rates are shown as 0.0 %
PRECISION = {"achievement": 0, "attendance_rate": 3, "dropped_out": 3}
DEFAULT_PRECISION = 2
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
    """What the home page shows of the registry (settings.HOME_CONTEXT names this): students counted as the
    country pages count them, so that the network total minus the countries' reveals no small school."""
    return {"totals": network_totals() | {"students": sum(_published_school_sizes().values())},
            "simulated": cohort_is_simulated()}


def k() -> int:
    return MIN_CELL


def school_list(*, country: str | None = None, stage: str | None = None, search: str | None = None) -> QuerySet:
    # a correlated count, evaluated for the page's schools only (a join and GROUP BY counted every student first)
    students = Student.objects.filter(school_class__school=OuterRef("pk")).order_by().values(
        "school_class__school").annotate(n=Count("pk")).values("n")
    qs = School.objects.select_related("country", "rec").annotate(n_students=Coalesce(Subquery(students), 0))
    if country:
        qs = qs.filter(country__code=country)
    if stage:
        qs = qs.filter(stage=stage)
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(code__icontains=search) | Q(country__name__icontains=search))
    return qs.order_by("country__name", "code")


def _school_sizes() -> dict[int, tuple[int, int]]:
    """school id -> (country id, number of students), counted once per version of the data (the home page, the
    school and country lists and the indicators ask on every request; counting is a join over every student)."""
    return profile_cached("school-sizes", 0, lambda: {
        pk: (country, n) for pk, country, n in
        School.objects.annotate(n=Count("classes__students")).values_list("pk", "country_id", "n")})


def _published_school_sizes() -> dict[int, int]:
    """Schools whose figures count towards their country's: those of at least MIN_CELL students."""
    return {pk: n for pk, (_country, n) in _school_sizes().items() if n >= k()}


def published_school_ids() -> list[int]:
    """The schools whose figures count towards their country's (at least MIN_CELL students)."""
    return list(_published_school_sizes())


def country_list() -> list[Country]:
    """Countries with their number of schools and of students in schools of at least MIN_CELL students."""
    countries = list(Country.objects.annotate(n_schools=Count("schools", distinct=True)).order_by("name"))
    sizes = _school_sizes()
    for country in countries:
        country.n_students = sum(n for c, n in sizes.values() if c == country.pk and n >= k())
    return countries


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


def data_version() -> str:
    """A short, stable name of the data a report's figures come from: the latest cohort load's fingerprint (8
    characters), how many survey/record imports are applied and the latest indicator release, e.g.
    "c3f2a9c1-i4-r2" ("none" when nothing was loaded). The same data always gives the same name."""
    from django.apps import apps  # the imports and indicators apps build on research, not the other way round

    load = CohortLoad.objects.order_by("-loaded_at", "-id").values_list("fingerprint", flat=True).first()
    imports = apps.get_model("imports", "ImportBatch").objects.filter(status="applied").count()
    release = apps.get_model("indicators", "Release").objects.order_by("-imported_at", "-id").values_list(
        "id", flat=True).first()
    return f"{(load or 'none')[:8]}-i{imports}-r{release or 0}"


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
            fmt = "%" if measure in ("attendance_rate", "dropped_out") else f".{precision(measure)}f"
            values = []
            for wave in self.waves:
                values.append((self.value(wave["number"], measure), fmt))
            rows.append({"label": label, "values": values})
        return rows

    def value(self, wave: int, measure: str) -> dict | None:
        rows = self.summary[(self.summary.wave == wave) & (self.summary.measure == measure)]
        return rows.iloc[0].to_dict() if len(rows) else None


def precision(measure: str) -> int:
    return PRECISION.get(measure, DEFAULT_PRECISION)


def _profile(frame: pd.DataFrame, n_students: int) -> Profile:
    waves = list(Wave.objects.values("number", "label"))
    if frame.empty:
        empty = pd.DataFrame(columns=["wave", "measure", "label", "n", "mean", "ci_low", "ci_high", "suppressed"])
        return Profile(None if n_students < k() else n_students, waves, empty, pd.DataFrame(), pd.DataFrame(), {},
                       None, frame)
    summary = d.wave_summary(frame, PROFILE_MEASURES, k(), digits={m: precision(m) for m in PROFILE_MEASURES})
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
            name: d.group_breakdown(at_last, name, "dropped_out", labels=GROUPS[name][1], share=True, k=k(),
                                    digits=precision("dropped_out"))
            for name in PROFILE_GROUPS
        },
        last_wave=last,
        frame=frame,
    )


PROFILE_VERSION_KEY = "research:profiles:version"


def profile_cached(kind: str, pk, compute):
    """A profile's page figures, computed once per version of the data and language (shared by every server
    process through the cache). The version changes when a cohort is loaded or an import is applied or undone
    (services bump it), and with the number of students and the last stored scores and outcomes, so figures never
    outlive their data."""
    version = cache.get(PROFILE_VERSION_KEY)
    if version is None:  # first use, or the cache was emptied: nothing cached before can match
        version = profiles_version_new()
    latest = (Student.objects.count(), Outcome.objects.aggregate(m=Max("pk"))["m"],
              StudentScales.objects.aggregate(m=Max("pk"))["m"])
    # the language too: figures on charts are written in the reader's language ("3.23", "3,23")
    key = f"research:profile:{kind}:{pk}:{get_language()}:{version}:{latest[0]}:{latest[1]}:{latest[2]}"
    found = cache.get(key)
    if found is None:
        found = compute()
        cache.set(key, found, timeout=24 * 3600)
    return found


def profiles_version_new() -> str:
    """A fresh version: every cached profile is out of date from now on."""
    version = uuid.uuid4().hex
    cache.set(PROFILE_VERSION_KEY, version, timeout=None)
    return version


def school_profile(*, school: School) -> Profile:
    students = Student.objects.filter(school_class__school=school)
    return _profile(student_frame(students=students), students.count())


CLASS_MEASURES = {"security": "security", "belonging": "belonging", "attendance": "attendance_rate"}


def school_classes(*, school: School, profile: Profile) -> list[dict]:
    """Per class: size and wave-1 means of security, belonging and attendance. The school's total and wave-1
    means are published beside them, so each column is a breakdown with primary and complementary suppression."""
    frame = profile.frame
    classes = list(school.classes.annotate(n=Count("students")).order_by("code"))
    sizes = protect({c.code: c.n for c in classes}, k=k(), total_shown=True)
    first = frame[frame.wave == 1] if not frame.empty else frame
    columns = {}
    for name, measure in CLASS_MEASURES.items():
        values = {c.code: (first[first.class_code == c.code][measure] if len(first) else pd.Series(dtype=float))
                  for c in classes}
        columns[name] = d.breakdown_means(values, k=k(), digits=precision(measure))
    return [{"code": c.code, "grade": c.grade, "n": None if sizes.hidden(c.code) else c.n,
             "reason": sizes.reasons[c.code], **{name: columns[name][c.code] for name in CLASS_MEASURES}}
            for c in classes]


def country_profile(*, country: Country) -> Profile:
    """A country's figures over its schools of at least MIN_CELL students (country_schools says which)."""
    students = Student.objects.filter(school_class__school__country=country,
                                      school_class__school__in=list(_published_school_sizes()))
    return _profile(student_frame(students=students), students.count())


def country_stage_dropout(*, profile: Profile) -> pd.DataFrame:
    """Early leaving by the last wave, per school stage, from a country's profile."""
    frame = profile.frame
    if frame.empty:
        return pd.DataFrame(columns=["group", "key", "n", "value", "suppressed", "reason"])
    last = frame[frame.wave == frame.wave.max()]
    return d.group_breakdown(last, "stage", "dropped_out", labels=dict(Stage.choices), share=True, k=k(),
                             digits=precision("dropped_out"))


def country_schools(*, country: Country) -> list[dict]:
    """The schools of a country; a school of fewer than MIN_CELL students is shown without its size and left out
    of the country's figures, which are then exactly the sum over the schools shown (nothing to subtract)."""
    rows = []
    for school in school_list(country=country.code):
        small = 0 < school.n_students < k()
        rows.append({"school": school, "n": None if small else school.n_students, "reason": BELOW_MIN if small else None,
                     "counted": not small})
    return rows


PROFILE_CSV_COLUMNS = ["table", "row", "wave", "students", "value", "ci_low", "ci_high", "not_shown"]


def profile_csv_rows(*, profile: Profile, units: list[dict] | None = None, unit_table: str = "",
                     stages: pd.DataFrame | None = None) -> list[list]:
    """A profile as one tidy table for download, built from the same suppressed figures as the page: a hidden
    cell has no count and no value, only why it is not shown. `units` are the classes or schools listed beside it."""
    def row(table, name, wave, stat, value_key="mean"):
        hidden = bool(stat.get("suppressed"))
        n = stat.get("n") if "n" in stat else stat.get("count")
        return [table, name, wave, None if hidden or pd.isna(n) else int(n),
                None if hidden else stat.get(value_key), None if hidden else stat.get("ci_low"),
                None if hidden else stat.get("ci_high"), hidden_label(stat.get("reason")) if hidden else ""]

    rows = []
    for stat in profile.summary.to_dict("records"):
        rows.append(row("by wave", stat["label"], stat["wave"], stat))
    for name, bands in (("achievement bands", profile.achievement_bands), ("attendance bands",
                                                                            profile.attendance_bands)):
        for stat in bands.to_dict("records"):
            rows.append(row(name, stat["band"], profile.last_wave, stat, "share"))
    groups = {**profile.dropout_groups, **({"stage": stages} if stages is not None else {})}
    for name, table in groups.items():
        for stat in table.to_dict("records"):
            rows.append(row(f"left early by {name}", stat["group"], profile.last_wave, stat, "value"))
    for unit in units or []:
        name = unit["code"] if "code" in unit else unit["school"].code
        rows.append(row(unit_table, name, None, {"n": unit["n"], "suppressed": unit["n"] is None,
                                                "reason": unit.get("reason")}, "none"))
        for measure in CLASS_MEASURES:
            if measure in unit:
                rows.append(row(unit_table, f"{name} {measure}", 1, unit[measure]))
    return [[None if isinstance(v, float) and pd.isna(v) else v for v in r] for r in rows]


def student_rows(*, school: School) -> QuerySet:
    """Student-level rows of one school (callers must have checked research.view_school_students)."""
    return (Student.objects.filter(school_class__school=school).select_related("school_class")
            .prefetch_related("scales__wave", "outcomes__wave").order_by("school_class__code", "pseudonym"))


def student_wave_rows(*, school: School, wave: int) -> QuerySet:
    """One school's students with their scores and outcomes at one wave (`wave_scales`, `wave_outcomes`: a list of
    at most one each), for the paged student list (callers must have checked research.view_school_students)."""
    return (Student.objects.filter(school_class__school=school).select_related("school_class")
            .prefetch_related(Prefetch("scales", StudentScales.objects.filter(wave__number=wave),
                                       to_attr="wave_scales"),
                              Prefetch("outcomes", Outcome.objects.filter(wave__number=wave),
                                       to_attr="wave_outcomes"))
            .order_by("school_class__code", "pseudonym"))


def wave_numbers() -> list[int]:
    return list(Wave.objects.order_by("number").values_list("number", flat=True))


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
