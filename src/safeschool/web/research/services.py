"""Writes to the research registry: loading cohorts and appointing staff."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from django.conf import settings
from django.db import models, transaction

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


def _none(value):
    """Missing values become None and numpy scalars plain Python values, which every database driver takes."""
    if value is None or pd.isna(value):
        return None
    return value.item() if hasattr(value, "item") else value


def _upsert(model: type[models.Model], objs: list, unique: list[str], update: list[str]) -> None:
    if not objs:
        return
    if update:
        model.objects.bulk_create(objs, batch_size=2000, update_conflicts=True, unique_fields=unique,
                                  update_fields=update)
    else:
        model.objects.bulk_create(objs, batch_size=2000, ignore_conflicts=True)


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
        _upsert(Country, [
            Country(code=r.country_id, name=r.name, tracking_age=int(r.tracking_age),
                    grade_repetition_pct=r.grade_repetition_pct, esl_rate_pct=r.esl_rate_pct,
                    esl_support=bool(r.esl_support), inclusion_index=r.inclusion_index)
            for r in t["countries"].itertuples()
        ], ["code"], ["name", "tracking_age", "grade_repetition_pct", "esl_rate_pct", "esl_support", "inclusion_index"])
        country_id = dict(Country.objects.values_list("code", "id"))
        tick("countries")

        if "recs" in t:
            _upsert(RegionalEducationalCentre, [
                RegionalEducationalCentre(code=r.rec_id, country_id=country_id[r.country_id], name=r.name)
                for r in t["recs"].itertuples()
            ], ["code"], ["country", "name"])
        rec_id = dict(RegionalEducationalCentre.objects.values_list("code", "id"))
        tick("recs")

        _upsert(School, [
            School(code=r.school_id, name=r.name, country_id=country_id[r.country_id], stage=r.stage,
                   context="urban" if r.urban else "rural", ses_composition=r.ses_composition,
                   climate_index=_none(r.climate_index), alternatives_to_exclusion=bool(r.alternatives_to_exclusion),
                   rec_id=rec_id[r.rec_id] if _none(r.rec_id) else None)
            for r in t["schools"].itertuples()
        ], ["code"], ["name", "country", "stage", "context", "ses_composition", "climate_index",
                      "alternatives_to_exclusion", "rec"])
        school_id = dict(School.objects.values_list("code", "id"))
        tick("schools")

        teacher_pseudonyms = {tid: teacher_code(tid) for tid in t["teachers"].teacher_id}
        _upsert(Teacher, [
            Teacher(pseudonym=teacher_pseudonyms[r.teacher_id], school_id=school_id[r.school_id], gender=r.gender,
                    years_experience=_none(r.years_experience))
            for r in t["teachers"].itertuples()
        ], ["pseudonym"], ["school", "gender", "years_experience"])
        teacher_id = dict(Teacher.objects.filter(pseudonym__in=teacher_pseudonyms.values())
                          .values_list("pseudonym", "id"))
        teacher_by_source = {src: teacher_id[p] for src, p in teacher_pseudonyms.items()}
        tick("teachers")

        _upsert(SchoolClass, [
            SchoolClass(code=r.class_id, school_id=school_id[r.school_id], grade=int(r.grade),
                        homeroom_teacher_id=teacher_by_source[r.homeroom_teacher_id]
                        if _none(r.homeroom_teacher_id) else None)
            for r in t["classes"].itertuples()
        ], ["code"], ["school", "grade", "homeroom_teacher"])
        class_id = dict(SchoolClass.objects.values_list("code", "id"))
        tick("classes")

        if "teacher_classes" in t:
            _upsert(TeachingAssignment, [
                TeachingAssignment(teacher_id=teacher_by_source[r.teacher_id], school_class_id=class_id[r.class_id],
                                   role=r.role)
                for r in t["teacher_classes"].itertuples()
            ], ["teacher", "school_class"], ["role"])
        tick("teacher_classes")

        student_pseudonyms = {sid: student_code(sid) for sid in t["students"].student_id}
        _upsert(Student, [
            Student(pseudonym=student_pseudonyms[r.student_id], school_class_id=class_id[r.class_id], gender=r.gender,
                    age=int(r.age), migrant_background=bool(r.migrant_background), roma_minority=bool(r.roma_minority),
                    ses_index=r.ses_index, sen=bool(r.sen), out_of_parental_care=bool(r.out_of_parental_care),
                    cohort=_none(r.cohort))
            for r in t["students"].itertuples()
        ], ["pseudonym"], ["school_class", "gender", "age", "migrant_background", "roma_minority", "ses_index", "sen",
                           "out_of_parental_care", "cohort"])
        student_id = dict(Student.objects.filter(pseudonym__in=student_pseudonyms.values())
                          .values_list("pseudonym", "id"))
        student_by_source = {src: student_id[p] for src, p in student_pseudonyms.items()}
        tick("students")

        _upsert(Wave, [
            Wave(number=int(r.wave), label=r.label, starts_on=r.starts_on) for r in t["waves"].itertuples()
        ], ["number"], ["label", "starts_on"])
        wave_id = dict(Wave.objects.values_list("number", "id"))
        tick("waves")

        scale_fields = ["security", "closeness", "conflict", "belonging", "engagement", "climate"]
        if "scales" in t:
            _upsert(StudentScales, [
                StudentScales(student_id=student_by_source[r.student_id], wave_id=wave_id[int(r.wave)],
                              **{f: _none(getattr(r, f)) for f in scale_fields})
                for r in t["scales"].itertuples()
            ], ["student", "wave"], scale_fields)
        tick("scales")

        if "teacher_scales" in t:
            _upsert(TeacherScales, [
                TeacherScales(teacher_id=teacher_by_source[r.teacher_id], wave_id=wave_id[int(r.wave)],
                              self_efficacy=_none(r.self_efficacy))
                for r in t["teacher_scales"].itertuples()
            ], ["teacher", "wave"], ["self_efficacy"])
        tick("teacher_scales")

        outcome_fields = ["achievement", "attendance_rate", "behaviour_incidents", "suspensions"]
        _upsert(Outcome, [
            Outcome(student_id=student_by_source[r.student_id], wave_id=wave_id[int(r.wave)],
                    dropped_out=bool(r.dropped_out), **{f: _none(getattr(r, f)) for f in outcome_fields})
            for r in t["outcomes"].itertuples()
        ], ["student", "wave"], [*outcome_fields, "dropped_out"])
        tick("outcomes")

        after = registry_counts()
        added = {name: after[name] - before[name] for name in COUNTED}
        CohortLoad.objects.create(fingerprint=files.fingerprint, source=str(Path(directory).resolve()),
                                  simulated=files.simulated, counts=added,
                                  loaded_by=user if user is not None and user.is_authenticated else None)
        transaction.on_commit(profiles_version_new)
    return LoadResult(fingerprint=files.fingerprint, already_loaded=False, added=added, totals=after)


def staff_appoint(*, user, school: School, position: str = "") -> StaffAppointment:
    """Link a user to a school as staff (they then see that school's student rows)."""
    appointment, _ = StaffAppointment.objects.get_or_create(user=user, school=school, defaults={"position": position})
    return appointment
