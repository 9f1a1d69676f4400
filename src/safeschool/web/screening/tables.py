"""The screening table built from the database: the same input frames `safeschool.screening.data.screening_table`
takes from a cohort directory, read with flat `values_list` queries (18,000 students in well under a second), so a
model trained from files scores the database's students identically.

Ids are the ones the files carry: `student_id` is the student's pseudonym, `class_id`, `school_id` and
`country_id` the codes of the class, school (`School.code`) and country, `rec_id` the partner centre's code.
"""

from __future__ import annotations

import pandas as pd

from safeschool.screening.data import screening_table
from safeschool.web.research.models import Outcome, School, SchoolClass, Student, StudentScales

SCALES = ("security", "closeness", "conflict", "belonging", "engagement")
OUTCOME_FIELDS = ("achievement", "attendance_rate", "behaviour_incidents", "suspensions", "dropped_out")


def _frame(rows, columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame.from_records(list(rows), columns=columns)


def screening_tables(*, school: School | None = None) -> dict[str, pd.DataFrame]:
    """students, classes, schools, outcomes and scales as `screening_table` expects them (the cohort file format);
    only one school's students when `school` is given."""
    mine = {"school_class__school": school} if school is not None else {}
    theirs = {"student__school_class__school": school} if school is not None else {}
    students = _frame(Student.objects.filter(**mine).values_list(
        "pk", "pseudonym", "school_class__code", "gender", "migrant_background", "roma_minority", "ses_index", "sen",
        "out_of_parental_care", "cohort"),
        ["pk", "student_id", "class_id", "gender", "migrant_background", "roma_minority", "ses_index", "sen",
         "out_of_parental_care", "cohort"])
    pseudonym = students.set_index("pk")["student_id"]
    classes = _frame(SchoolClass.objects.values_list("code", "school__code"), ["class_id", "school_id"])
    schools = _frame(School.objects.values_list(
        "code", "country__code", "stage", "context", "ses_composition", "climate_index", "alternatives_to_exclusion",
        "rec__code"),
        ["school_id", "country_id", "stage", "context", "ses_composition", "climate_index",
         "alternatives_to_exclusion", "rec_id"])
    schools["urban"] = schools.pop("context") == "urban"
    outcomes = _frame(Outcome.objects.filter(**theirs).values_list("student_id", "wave__number", *OUTCOME_FIELDS),
                      ["student_pk", "wave", *OUTCOME_FIELDS])
    scales = _frame(StudentScales.objects.filter(**theirs).values_list("student_id", "wave__number", *SCALES),
                    ["student_pk", "wave", *SCALES])
    for frame in (outcomes, scales):
        frame.insert(0, "student_id", frame.pop("student_pk").map(pseudonym))
    students["cohort"] = pd.to_numeric(students["cohort"], errors="coerce")
    return {"students": students.drop(columns="pk"), "classes": classes, "schools": schools, "outcomes": outcomes,
            "scales": scales}


def database_screening_table(*, school: School | None = None) -> pd.DataFrame:
    """One row per student of the database, or of one school (see `safeschool.screening.data.screening_table`)."""
    return screening_table(screening_tables(school=school))
