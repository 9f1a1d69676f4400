"""Writes to the research registry: loading cohorts and appointing staff."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from django.conf import settings
from django.db import connection, models, transaction
from django.db.models.constants import OnConflict

from safeschool.ingest.cohort_files import read_cohort_dir
from safeschool.ingest.pseudonym import Pseudonymiser, load_key
from safeschool.web.research.models import (
    CohortLoad,
    Country,
    Outcome,
    RegionalEducationalCentre,
    School,
    SchoolClass,
    StaffAppointment,
    Student,
    StudentScales,
    Teacher,
    TeacherScales,
    TeachingAssignment,
    Wave,
)
from safeschool.web.research.selectors import COUNTED, profiles_version_new, registry_counts

LOAD_STEPS = (
    "countries", "recs", "schools", "teachers", "classes", "teacher_classes", "students", "waves", "scales",
    "teacher_scales", "outcomes",
)


@dataclass
class LoadResult:
    fingerprint: str
    already_loaded: bool
    added: dict[str, int] = field(default_factory=dict)
    totals: dict[str, int] = field(default_factory=dict)

    @property
    def rows_added(self) -> int:
        return sum(self.added.values())


def pseudonymiser(namespace: str) -> Pseudonymiser:
    """The keyed hash for `namespace` ("student", "teacher"), with the key from outside the database."""
    key = load_key(value=settings.PSEUDONYM_KEY, path=settings.PSEUDONYM_KEY_FILE, create=True)
    return Pseudonymiser(key, namespace=namespace)


def _col(frame: pd.DataFrame, name: str) -> list:
    """A column as plain Python values, missing values as None (what every database driver takes)."""
    return frame[name].to_numpy(dtype=object, na_value=None).tolist()


def _keys(mapping: dict, frame: pd.DataFrame, name: str) -> list:
    """The database ids of a column of natural keys (None stays None)."""
    return [None if key is None else mapping[key] for key in _col(frame, name)]


PLAIN = {"CharField", "FloatField", "BooleanField", "IntegerField", "PositiveSmallIntegerField",
         "PositiveIntegerField", "ForeignKey"}  # the driver takes these as they are


def _upsert(model: type[models.Model], columns: dict[str, list], unique: list[str], update: list[str]) -> None:
    """Insert rows given as one list of values per field, updating `update` where a row with the same `unique`
    fields exists (keeping it as it is when `update` is empty). One executemany with the database's own ON CONFLICT
    clause: bulk_create built a model instance per row, which took most of a load's time."""
    if not columns or not next(iter(columns.values())):
        return
    fields = [model._meta.get_field(name) for name in columns]
    for each, name in zip(fields, list(columns), strict=True):
        if each.get_internal_type() not in PLAIN:
            columns[name] = [each.get_db_prep_save(v, connection) for v in columns[name]]
    column = {f.name: f.column for f in fields} | {n: model._meta.get_field(n).column for n in unique}
    quote = connection.ops.quote_name
    on_conflict = OnConflict.UPDATE if update else OnConflict.IGNORE
    sql = (f"{connection.ops.insert_statement(on_conflict=on_conflict)} {quote(model._meta.db_table)} "
           f"({', '.join(quote(f.column) for f in fields)}) VALUES ({', '.join(['%s'] * len(fields))}) "
           + connection.ops.on_conflict_suffix_sql(fields, on_conflict, [column[n] for n in update],
                                                   [column[n] for n in unique]))
    with connection.cursor() as cursor:
        cursor.executemany(sql, list(zip(*columns.values(), strict=True)))


def cohort_load(*, directory: str | Path, user=None, progress: Callable[[str], None] | None = None) -> LoadResult:
    """Load a cohort directory (the format `safeschool simulate` writes) all-or-nothing.

    Validates every file first (raising `CohortFileError` naming file, line and column); then writes in one
    transaction, inserting new rows and updating changed ones by their natural keys, so loading the same cohort
    twice adds nothing. Student and teacher ids are pseudonymised with the keyed hash on the way in.
    """
    files = read_cohort_dir(directory)
    tick = progress or (lambda _step: None)
    if CohortLoad.objects.filter(fingerprint=files.fingerprint).exists():
        return LoadResult(fingerprint=files.fingerprint, already_loaded=True,
                          added=dict.fromkeys(COUNTED, 0), totals=registry_counts())
    student_code = pseudonymiser("student")
    teacher_code = pseudonymiser("teacher")
    before = registry_counts()
    t = files.tables
    with transaction.atomic():
        rows = t["countries"]
        country_fields = ["name", "tracking_age", "grade_repetition_pct", "esl_rate_pct", "esl_support",
                          "inclusion_index"]
        _upsert(Country, {"code": _col(rows, "country_id"), **{f: _col(rows, f) for f in country_fields}},
                ["code"], country_fields)
        country_id = dict(Country.objects.values_list("code", "id"))
        tick("countries")

        if "recs" in t:
            rows = t["recs"]
            _upsert(RegionalEducationalCentre, {"code": _col(rows, "rec_id"),
                                                "country": _keys(country_id, rows, "country_id"),
                                                "name": _col(rows, "name")}, ["code"], ["country", "name"])
        rec_id = dict(RegionalEducationalCentre.objects.values_list("code", "id"))
        tick("recs")

        rows = t["schools"]
        _upsert(School, {
            "code": _col(rows, "school_id"), "name": _col(rows, "name"), "country": _keys(country_id, rows, "country_id"),
            "stage": _col(rows, "stage"), "context": ["urban" if u else "rural" for u in _col(rows, "urban")],
            "ses_composition": _col(rows, "ses_composition"), "climate_index": _col(rows, "climate_index"),
            "alternatives_to_exclusion": _col(rows, "alternatives_to_exclusion"), "rec": _keys(rec_id, rows, "rec_id"),
        }, ["code"], ["name", "country", "stage", "context", "ses_composition", "climate_index",
                      "alternatives_to_exclusion", "rec"])
        school_id = dict(School.objects.values_list("code", "id"))
        tick("schools")

        rows = t["teachers"]
        sources = _col(rows, "teacher_id")
        teacher_pseudonyms = {tid: teacher_code(tid) for tid in sources}
        _upsert(Teacher, {
            "pseudonym": [teacher_pseudonyms[tid] for tid in sources], "school": _keys(school_id, rows, "school_id"),
            "gender": _col(rows, "gender"), "years_experience": _col(rows, "years_experience"),
        }, ["pseudonym"], ["school", "gender", "years_experience"])
        teacher_by_source = _ids(Teacher, teacher_pseudonyms)
        tick("teachers")

        rows = t["classes"]
        _upsert(SchoolClass, {
            "code": _col(rows, "class_id"), "school": _keys(school_id, rows, "school_id"), "grade": _col(rows, "grade"),
            "homeroom_teacher": _keys(teacher_by_source, rows, "homeroom_teacher_id"),
        }, ["code"], ["school", "grade", "homeroom_teacher"])
        class_id = dict(SchoolClass.objects.values_list("code", "id"))
        tick("classes")

        if "teacher_classes" in t:
            rows = t["teacher_classes"]
            _upsert(TeachingAssignment, {
                "teacher": _keys(teacher_by_source, rows, "teacher_id"), "school_class": _keys(class_id, rows, "class_id"),
                "role": _col(rows, "role"),
            }, ["teacher", "school_class"], ["role"])
        tick("teacher_classes")

        rows = t["students"]
        sources = _col(rows, "student_id")
        student_pseudonyms = {sid: student_code(sid) for sid in sources}
        student_fields = ["gender", "age", "migrant_background", "roma_minority", "ses_index", "sen",
                          "out_of_parental_care", "cohort"]
        _upsert(Student, {
            "pseudonym": [student_pseudonyms[sid] for sid in sources], "school_class": _keys(class_id, rows, "class_id"),
            **{f: _col(rows, f) for f in student_fields},
        }, ["pseudonym"], ["school_class", *student_fields])
        student_by_source = _ids(Student, student_pseudonyms)
        tick("students")

        rows = t["waves"]
        _upsert(Wave, {"number": _col(rows, "wave"), "label": _col(rows, "label"), "starts_on": _col(rows, "starts_on")},
                ["number"], ["label", "starts_on"])
        wave_id = dict(Wave.objects.values_list("number", "id"))
        tick("waves")

        scale_fields = ["security", "closeness", "conflict", "belonging", "engagement", "climate"]
        if "scales" in t:
            rows = t["scales"]
            _upsert(StudentScales, {"student": _keys(student_by_source, rows, "student_id"),
                                    "wave": _keys(wave_id, rows, "wave"), **{f: _col(rows, f) for f in scale_fields}},
                    ["student", "wave"], scale_fields)
        tick("scales")

        if "teacher_scales" in t:
            rows = t["teacher_scales"]
            _upsert(TeacherScales, {"teacher": _keys(teacher_by_source, rows, "teacher_id"),
                                    "wave": _keys(wave_id, rows, "wave"), "self_efficacy": _col(rows, "self_efficacy")},
                    ["teacher", "wave"], ["self_efficacy"])
        tick("teacher_scales")

        rows = t["outcomes"]
        outcome_fields = ["achievement", "attendance_rate", "behaviour_incidents", "suspensions", "dropped_out"]
        _upsert(Outcome, {"student": _keys(student_by_source, rows, "student_id"), "wave": _keys(wave_id, rows, "wave"),
                          **{f: _col(rows, f) for f in outcome_fields}}, ["student", "wave"], outcome_fields)
        tick("outcomes")

        after = registry_counts()
        added = {name: after[name] - before[name] for name in COUNTED}
        CohortLoad.objects.create(fingerprint=files.fingerprint, source=str(Path(directory).resolve()),
                                  simulated=files.simulated, counts=added,
                                  loaded_by=user if user is not None and user.is_authenticated else None)
        transaction.on_commit(profiles_version_new)
    return LoadResult(fingerprint=files.fingerprint, already_loaded=False, added=added, totals=after)


def _ids(model: type[models.Model], pseudonyms: dict[str, str]) -> dict[str, int]:
    """Source id -> database id of the rows with these pseudonyms (the table read whole: one scan is faster than
    looking tens of thousands of pseudonyms up, and the loaded rows are most of it)."""
    found = dict(model.objects.values_list("pseudonym", "id"))
    return {source: found[code] for source, code in pseudonyms.items()}


def staff_appoint(*, user, school: School, position: str = "") -> StaffAppointment:
    """Link a user to a school as staff (they then see that school's student rows)."""
    appointment, _ = StaffAppointment.objects.get_or_create(user=user, school=school, defaults={"position": position})
    return appointment
