"""A small hand-made school for the school report tests: 34 students in two classes (one of 4) over two waves, 3
of them Roma, the Roma and the class of 4 with figures found nowhere else (ROMA, CLASS_OF_FOUR), another school
of the same country, a school of 6 in Portugal (TINY), and one user per role."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from safeschool.web.accounts.models import Role
from safeschool.web.accounts.services import user_create
from safeschool.web.research.models import Country, Outcome, School, SchoolClass, Student, StudentScales, Wave
from safeschool.web.research.services import staff_appoint

ROMA = {"security": 1.37, "belonging": 1.41, "achievement": 311.0, "attendance_rate": 0.555}
CLASS_OF_FOUR = {"security": 3.93, "belonging": 4.47, "achievement": 633.0, "attendance_rate": 0.777}
TINY = {"security": 1.93, "belonging": 2.17, "achievement": 277.0, "attendance_rate": 0.666}  # a school of 6
# their figures, in English or Italian: none may appear in the report
HIDDEN_FIGURES = ("1.37", "1,37", "1.41", "1,41", "311", "55.5", "55,5", "3.93", "3,93", "4.47", "4,47", "633",
                  "77.7", "77,7")


def _students(klass, n: int, prefix: str, *, roma: int = 0, migrant: int = 0, start: int = 0,
              figures: dict | None = None) -> None:
    made = Student.objects.bulk_create([
        Student(pseudonym=f"{prefix}{i}", school_class=klass, gender="F" if (start + i) % 2 else "M", age=13,
                migrant_background=i < migrant, roma_minority=i < roma, ses_index=(i % 3 - 1) * 0.8, sen=False,
                out_of_parental_care=False) for i in range(n)])
    waves = list(Wave.objects.order_by("number"))
    scales, outcomes = [], []
    fixed = figures
    for i, student in enumerate(made):
        for wave in waves:
            if student.roma_minority or fixed:
                values = ROMA if student.roma_minority else fixed
            else:
                values = {"security": 2.5 + (i % 5) * 0.1, "belonging": 3.0 + (i % 4) * 0.1,
                           "achievement": 480.0 + (i % 7) * 10, "attendance_rate": 0.9 + (i % 3) * 0.02}
            scales.append(StudentScales(student=student, wave=wave, security=values["security"],
                                        belonging=values["belonging"], engagement=3.2))
            outcomes.append(Outcome(student=student, wave=wave, achievement=values["achievement"],
                                    attendance_rate=values["attendance_rate"],
                                    dropped_out=wave.number == 2 and i % 10 == 9))
    StudentScales.objects.bulk_create(scales)
    Outcome.objects.bulk_create(outcomes)


def build() -> SimpleNamespace:
    country = Country.objects.create(code="IT", name="Italy", tracking_age=14, grade_repetition_pct=3,
                                     esl_rate_pct=11.5, esl_support=True, inclusion_index=0.6)
    for number in (1, 2):
        Wave.objects.create(number=number, label=f"Wave {number}", starts_on=dt.date(2024 + number, 9, 1))
    school = School.objects.create(code="IT-T01", name="Scuola Test", country=country, stage="lower_secondary",
                                   context="urban", ses_composition=0.1)
    _students(SchoolClass.objects.create(code="IT-T01-A", school=school, grade=7), 30, "a", roma=3, migrant=15)
    _students(SchoolClass.objects.create(code="IT-T01-B", school=school, grade=8), 4, "b", start=1,
              figures=CLASS_OF_FOUR)
    other = School.objects.create(code="IT-T02", name="Altra scuola", country=country, stage="primary",
                                  context="rural", ses_composition=-0.2)
    _students(SchoolClass.objects.create(code="IT-T02-A", school=other, grade=3), 12, "o")
    portugal = Country.objects.create(code="PT", name="Portugal", tracking_age=15, grade_repetition_pct=10,
                                      esl_rate_pct=6.5, esl_support=True, inclusion_index=0.7)
    tiny = School.objects.create(code="PT-T09", name="Escola pequena", country=portugal, stage="primary",
                                 context="rural", ses_composition=0.0)
    _students(SchoolClass.objects.create(code="PT-T09-A", school=tiny, grade=2), 6, "t", figures=TINY)
    users = {
        "member": user_create(username="m", password="pw-member-123", role=Role.MEMBER),
        "staff_own": user_create(username="so", password="pw-staff-123", role=Role.STAFF),
        "staff_other": user_create(username="sx", password="pw-staff-456", role=Role.STAFF),
        "researcher": user_create(username="r", password="pw-research-1", role=Role.RESEARCHER),
        "admin": user_create(username="a", password="pw-admin-1234", role=Role.ADMIN),
    }
    staff_appoint(user=users["staff_own"], school=school)
    staff_appoint(user=users["staff_other"], school=other)
    return SimpleNamespace(country=country, school=school, other=other, tiny=tiny, users=users)
