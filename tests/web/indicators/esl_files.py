"""Small hand-written Eurostat files for the indicator web tests, and a tiny registry (countries, one school of
twelve students with outcomes in two waves, one of four) built directly."""

from __future__ import annotations

import datetime as dt

from safeschool.web.research.models import Country, Outcome, School, SchoolClass, Student, Wave

NATIONAL = (
    "freq,unit,sex,age,geo\\TIME_PERIOD\t2019 \t2020 \t2021 \t2022 \n"
    "A,PC,F,Y18-24,EU27_2020\t8.4 \t8.0 \t7.9 \t8.0 \n"
    "A,PC,F,Y18-24,IT\t11.5 \t10.4 b\t10.0 \t9.0 p\n"
    "A,PC,M,Y18-24,EU27_2020\t11.9 \t11.4 \t11.4 \t11.1 \n"
    "A,PC,M,Y18-24,IT\t15.4 \t15.6 b\t14.8 \t13.6 p\n"
    "A,PC,T,Y18-24,EU27_2020\t10.2 \t9.9 \t9.7 \t9.6 \n"
    "A,PC,T,Y18-24,IT\t13.3 \t13.1 b\t12.7 \t11.5 p\n"
    "A,PC,T,Y18-24,MT\t9.5 \t9.0 \t8.9 \t8.5 \n"
)
REGIONAL = (
    "freq,unit,sex,age,geo\\TIME_PERIOD\t2021 \t2022 \n"
    "A,PC,T,Y18-24,IT\t12.7 \t11.5 \n"
    "A,PC,T,Y18-24,ITC4\t10.1 \t9.8 \n"
    "A,PC,T,Y18-24,ITF3\t16.0 \t: u\n"
)
BAD = NATIONAL.replace("A,PC,F,Y18-24,IT\t11.5 \t10.4 b", "A,PC,F,Y18-24,IT\t11.5 \t12,x")  # line 3, column 2020


def registry(*, students: int = 12, small: int = 4) -> None:
    """IT (network, with a school of `students` students, 3 of whom had left by wave 2), ES (network, a school of
    `small` students: under MIN_CELL) and PT (network, no students)."""
    countries = {code: Country.objects.create(code=code, name=name, tracking_age=14, grade_repetition_pct=5,
                                              esl_rate_pct=rate, esl_support=True, inclusion_index=0.5)
                 for code, name, rate in (("IT", "Italy", 13.0), ("ES", "Spain", 16.0), ("PT", "Portugal", 12.0))}
    waves = [Wave.objects.create(number=n, label=f"Wave {n}", starts_on=dt.date(2023 + n, 9, 1))
             for n in (1, 2)]
    for code, size in (("IT", students), ("ES", small)):
        school = School.objects.create(code=f"S-{code}", name=f"School {code}", country=countries[code],
                                       stage="lower_secondary", context="urban",
                                       ses_composition=0.0)
        klass = SchoolClass.objects.create(code=f"C-{code}", school=school, grade=7)
        for i in range(size):
            student = Student.objects.create(pseudonym=f"{code}{i:04d}", school_class=klass, gender="F", age=12,
                                             migrant_background=False, roma_minority=False, ses_index=0.0,
                                             sen=False, out_of_parental_care=False)
            for wave in waves:
                Outcome.objects.create(student=student, wave=wave, dropped_out=wave.number == 2 and i < 3)
