"""Loading cohorts: counts, pseudonymisation, idempotence, all-or-nothing, and database-level integrity."""

import shutil

import pandas as pd
import pytest
from django.db import IntegrityError, transaction

from safeschool.ingest.cohort_files import CohortFileError
from safeschool.web.research.models import CohortLoad, Outcome, School, Student, StudentScales, Wave
from safeschool.web.research.services import cohort_load, registry_counts

pytestmark = pytest.mark.django_db


def test_load_puts_every_row_in_the_database(cohort_dir, small_cohort):
    result = cohort_load(directory=cohort_dir)
    t = small_cohort.tables
    assert not result.already_loaded
    assert result.added["students"] == len(t["students"]) == Student.objects.count()
    assert result.added["outcomes"] == len(t["outcomes"]) == Outcome.objects.count()
    assert result.added["scales"] == len(t["scales"])
    assert Wave.objects.count() == 2
    assert CohortLoad.objects.get().simulated is True
    # values survive the trip: the mean wave-1 achievement equals the CSV's
    w1 = t["outcomes"][t["outcomes"].wave == 1].achievement.mean()
    db = pd.Series(Outcome.objects.filter(wave__number=1).values_list("achievement", flat=True), dtype=float).mean()
    assert db == pytest.approx(w1, abs=1e-9)


def test_students_are_pseudonymous(cohort_dir, small_cohort):
    cohort_load(directory=cohort_dir)
    source_ids = set(small_cohort["students"].student_id)
    pseudonyms = set(Student.objects.values_list("pseudonym", flat=True))
    assert len(pseudonyms) == len(source_ids)
    assert not pseudonyms & source_ids
    assert not any(sid in p for p in pseudonyms for sid in list(source_ids)[:20])


def test_loading_the_same_cohort_twice_adds_nothing(cohort_dir):
    cohort_load(directory=cohort_dir)
    before = registry_counts()
    again = cohort_load(directory=cohort_dir)
    assert again.already_loaded and again.rows_added == 0
    assert registry_counts() == before
    # even without the load record the natural-key upsert adds nothing
    CohortLoad.objects.all().delete()
    third = cohort_load(directory=cohort_dir)
    assert third.rows_added == 0 and registry_counts() == before


def test_a_corrected_file_updates_values_in_place(cohort_dir, tmp_path):
    cohort_load(directory=cohort_dir)
    changed = tmp_path / "c2"
    shutil.copytree(cohort_dir, changed)
    schools = pd.read_csv(changed / "schools.csv", dtype=str, keep_default_na=False)
    schools.loc[0, "name"] = "Renamed school"
    schools.to_csv(changed / "schools.csv", index=False)
    result = cohort_load(directory=changed)
    assert result.rows_added == 0
    assert School.objects.filter(name="Renamed school").count() == 1


def test_a_bad_file_changes_nothing(cohort_dir, tmp_path):
    bad = tmp_path / "bad"
    shutil.copytree(cohort_dir, bad)
    outcomes = pd.read_csv(bad / "outcomes.csv", dtype=str, keep_default_na=False)
    outcomes.loc[100, "attendance_rate"] = "2.5"
    outcomes.to_csv(bad / "outcomes.csv", index=False)
    with pytest.raises(CohortFileError, match="outcomes.csv line 102"):
        cohort_load(directory=bad)
    assert sum(registry_counts().values()) == 0


def test_a_load_that_fails_part_way_leaves_the_database_as_it_was(cohort_dir):
    def stop_after_students(step):
        if step == "students":
            raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        cohort_load(directory=cohort_dir, progress=stop_after_students)
    assert sum(registry_counts().values()) == 0
    assert not CohortLoad.objects.exists()


def test_the_database_itself_refuses_out_of_range_and_duplicate_rows(cohort_dir):
    cohort_load(directory=cohort_dir)
    student = Student.objects.first()
    wave = Wave.objects.get(number=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Outcome.objects.filter(student=student, wave=wave).update(attendance_rate=1.5)
    with pytest.raises(IntegrityError), transaction.atomic():
        StudentScales.objects.filter(student=student, wave=wave).update(security=4.5)
    with pytest.raises(IntegrityError), transaction.atomic():
        Outcome.objects.create(student=student, wave=wave)  # a second outcome row for the same wave
    with pytest.raises(IntegrityError), transaction.atomic():
        School.objects.filter(pk=School.objects.first().pk).update(stage="university")
