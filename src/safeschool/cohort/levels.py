"""The units of a simulated cohort, one function per ecological level: countries (political), schools (community),
classes and teachers (relational) and students (individual).

Each function draws from the generator it is given and returns its tables plus the arrays that the lower levels
and the waves (`cohort/waves.py`) build on. `simulate()` calls them in the order below; the draws inside each one
are in a fixed order too, because moving a single draw changes every cohort simulated from a seed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from safeschool.cohort.params import COUNTRY_POOL, STAGE_AGES, STAGE_SHARES, CohortConfig
from safeschool.vocabulary import STAGE_NAME_WORDS, STAGES

LATEST_COHORT_YEAR = 2025  # the school year the waves' dates belong to; earlier cohorts started a year apart


def distribute(total: int, bins: int) -> np.ndarray:
    """Split `total` items over `bins` as evenly as possible; the first bins get the remainder."""
    base, extra = divmod(total, bins)
    counts = np.full(bins, base, dtype=int)
    counts[:extra] += 1
    return counts


def _stage_allocation(n: int) -> list[str]:
    """Stages of a country's n schools: largest-remainder shares, every stage present when n >= 5."""
    shares = np.array([STAGE_SHARES[s] for s in STAGES])
    if n >= len(STAGES):
        counts = np.ones(len(STAGES), dtype=int)
        rest = n - len(STAGES)
        raw = shares * n - 1
        raw = np.clip(raw, 0, None)
        raw = raw / raw.sum() * rest if raw.sum() > 0 else shares * rest
    else:
        counts = np.zeros(len(STAGES), dtype=int)
        rest = n
        raw = shares * n
    floor = np.floor(raw).astype(int)
    counts += floor
    remaining = n - counts.sum()
    order = np.argsort(-(raw - floor), kind="stable")
    for i in order[:remaining]:
        counts[i] += 1
    return [s for s, c in zip(STAGES, counts, strict=True) for _ in range(c)]


def _first_grade(stage: str) -> int:
    return {"ecec": 0, "primary": 1, "lower_secondary": 6, "upper_secondary": 9, "second_chance": 10}[stage]


def expit(x):
    return 1.0 / (1.0 + np.exp(-x))


def _logit(p):
    return np.log(p / (1 - p))


def _numbered_within(counts: np.ndarray, start: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(parent index, number within the parent) of units spread `counts` per parent, numbering from `start`."""
    parent = np.repeat(np.arange(len(counts)), counts)
    local = np.concatenate([np.arange(start, n + start) for n in counts])
    return parent, local


@dataclass
class Countries:
    table: pd.DataFrame
    recs: pd.DataFrame
    migrant_share: np.ndarray  # expected share of migrant-background students, before the urban adjustment
    roma_share: np.ndarray
    u_achievement: np.ndarray  # realised random intercepts
    u_dropout: np.ndarray


def countries(config: CohortConfig, rng: np.random.Generator) -> Countries:
    """Political level: countries, their (simulated) policy indicators and two Regional Educational Centres each."""
    pop = config.population
    nc = config.sizes.countries
    pool = list(COUNTRY_POOL) + [(f"C{i:02d}", f"Country {i}") for i in range(len(COUNTRY_POOL) + 1, nc + 1)]
    policy = rng.normal(0, 1, nc)  # latent inclusiveness of a country's system
    tracking_age = np.clip(np.round(13 + 1.5 * policy + rng.normal(0, 1, nc)), 10, 16).astype(int)
    table = pd.DataFrame({
        "country_id": [c for c, _ in pool[:nc]],
        "name": [n for _, n in pool[:nc]],
        "tracking_age": tracking_age,
        "grade_repetition_pct": np.round(np.clip(8 - 3 * policy + rng.normal(0, 2, nc), 1, 25), 1),
        "esl_rate_pct": np.round(np.clip(10 - 2.5 * policy + rng.normal(0, 1.5, nc), 3, 20), 1),
        "esl_support": (policy + rng.normal(0, 1, nc)) > 0,
        "inclusion_index": np.round(expit(policy + rng.normal(0, 0.5, nc)), 3),
    })
    migrant_share = pop.p_migrant * rng.uniform(0.5, 1.5, nc)
    roma_share = pop.p_roma * rng.uniform(0.2, 2.0, nc)
    u_achievement = rng.normal(0, config.achievement.sd_country, nc)
    u_dropout = rng.normal(0, config.dropout.sd_country, nc)
    recs = pd.DataFrame({
        "rec_id": [f"{c}-REC{j}" for c in table.country_id for j in (1, 2)],
        "country_id": [c for c in table.country_id for _ in (1, 2)],
        "name": [f"Regional Educational Centre {c} {j}" for c in table.country_id for j in (1, 2)],
    })
    return Countries(table, recs, migrant_share, roma_share, u_achievement, u_dropout)


@dataclass
class Schools:
    table: pd.DataFrame
    ids: list[str]
    country_index: np.ndarray  # of each school
    stage: np.ndarray
    urban: np.ndarray
    ses_composition: np.ndarray  # unrounded: the table shows it rounded, the outcomes use these values
    climate_index: np.ndarray
    rec_partner: np.ndarray
    alternatives: np.ndarray
    u_achievement: np.ndarray  # realised random intercepts
    u_dropout: np.ndarray
    u_attendance: np.ndarray


def schools(config: CohortConfig, rng: np.random.Generator, countries: Countries) -> Schools:
    """Community level: schools spread evenly over countries, every stage in every country of five or more schools."""
    pop = config.population
    ns = config.sizes.schools
    per_country = distribute(ns, config.sizes.countries)
    s_country, s_local = _numbered_within(per_country, start=1)
    stages = [stage for n in per_country for stage in _stage_allocation(int(n))]
    country_ids = countries.table.country_id
    ids = [f"{country_ids[c]}-S{j:03d}" for c, j in zip(s_country, s_local, strict=True)]
    urban = rng.random(ns) < pop.p_urban
    ses_composition = rng.normal(0, pop.ses_school_sd, ns)
    climate_index = np.round(np.clip(3.5 + rng.normal(0, 0.45, ns), 1, 5), 2)
    rec_partner = rng.random(ns) < pop.p_rec_partner
    # a good climate makes alternatives to exclusion more likely
    alternatives = rng.random(ns) < expit(_logit(pop.p_alternatives) + 1.0 * (climate_index - 3.5))
    rec_choice = rng.integers(1, 3, ns)
    table = pd.DataFrame({
        "school_id": ids,
        "country_id": country_ids.to_numpy()[s_country],
        "name": [f"{STAGE_NAME_WORDS[st]} school {sid}" for st, sid in zip(stages, ids, strict=True)],
        "stage": stages,
        "urban": urban,
        "ses_composition": np.round(ses_composition, 3),
        "climate_index": climate_index,
        "alternatives_to_exclusion": alternatives,
        "rec_id": [f"{country_ids[c]}-REC{r}" if p else "" for c, r, p in
                   zip(s_country, rec_choice, rec_partner, strict=True)],
    })
    u_achievement = rng.normal(0, config.achievement.sd_school, ns)
    u_dropout = rng.normal(0, config.dropout.sd_school, ns)
    u_attendance = rng.normal(0, config.outcomes.attendance_school_sd, ns)
    return Schools(table, ids, s_country, np.array(stages), urban, ses_composition, climate_index, rec_partner,
                   alternatives, u_achievement, u_dropout, u_attendance)


@dataclass
class ClassesAndTeachers:
    classes: pd.DataFrame
    teachers: pd.DataFrame
    teacher_classes: pd.DataFrame
    class_ids: list[str]
    teacher_ids: list[str]
    school_index: np.ndarray  # of each class
    first_grade: np.ndarray  # of each class's school stage
    grade: np.ndarray
    homeroom: np.ndarray  # index of each class's homeroom teacher
    u_achievement: np.ndarray  # realised class random intercepts
    closeness: np.ndarray  # class components of teacher-student closeness and conflict
    conflict: np.ndarray
    stable_efficacy: np.ndarray  # each teacher's self-efficacy before the wave-to-wave noise
    cohort_index: np.ndarray  # of each class: 0 for the earliest entry cohort, cohorts - 1 for the latest


def classes_and_teachers(config: CohortConfig, rng: np.random.Generator, schools: Schools) -> ClassesAndTeachers:
    """Relational level: classes and teachers spread evenly over schools, each class with a homeroom teacher."""
    sizes, sc = config.sizes, config.scales
    k_per_school = distribute(sizes.classes, sizes.schools)
    k_school, k_local = _numbered_within(k_per_school)
    nk = sizes.classes
    class_stage = schools.stage[k_school]
    first_grade = np.array([_first_grade(s) for s in class_stage])
    n_grades = np.array([STAGE_AGES[s][1] for s in class_stage])
    grade = first_grade + k_local % n_grades
    class_ids = [f"{schools.ids[s]}-C{j + 1:02d}" for s, j in zip(k_school, k_local, strict=True)]
    u_achievement = rng.normal(0, config.achievement.sd_class, nk)
    closeness = rng.normal(0, sc.closeness_class_sd, nk)
    conflict = rng.normal(0, sc.conflict_class_sd, nk)

    t_per_school = distribute(sizes.teachers, sizes.schools)
    t_school, t_local = _numbered_within(t_per_school)
    nt = sizes.teachers
    teacher_ids = [f"{schools.ids[s]}-T{j + 1:03d}" for s, j in zip(t_school, t_local, strict=True)]
    teachers = pd.DataFrame({
        "teacher_id": teacher_ids,
        "school_id": np.array(schools.ids)[t_school],
        "gender": np.where(rng.random(nt) < 0.7, "F", "M"),
        "years_experience": rng.integers(0, 36, nt),
    })
    # Homeroom: class j of a school is led by teacher j of that school; others teach one or two classes.
    school_first_teacher = np.concatenate([[0], np.cumsum(t_per_school)[:-1]])
    homeroom = school_first_teacher[k_school] + k_local
    links = [(teacher_ids[t], class_ids[k], "homeroom") for k, t in enumerate(homeroom)]
    school_first_class = np.concatenate([[0], np.cumsum(k_per_school)[:-1]])
    for t in range(nt):
        s = t_school[t]
        n_classes = k_per_school[s]
        chosen = rng.choice(n_classes, size=min(n_classes, 1 + int(rng.random() < 0.5)), replace=False)
        for j in chosen:
            k = school_first_class[s] + j
            if homeroom[k] != t:
                links.append((teacher_ids[t], class_ids[k], "subject"))
    classes = pd.DataFrame({
        "class_id": class_ids,
        "school_id": np.array(schools.ids)[k_school],
        "grade": grade,
        "homeroom_teacher_id": np.array(teacher_ids)[homeroom],
    })
    stable_efficacy = rng.normal(sc.tses_mean, sc.tses_sd * 0.8, nt)
    return ClassesAndTeachers(
        classes, teachers, pd.DataFrame(links, columns=["teacher_id", "class_id", "role"]), class_ids, teacher_ids,
        k_school, first_grade, grade, homeroom, u_achievement, closeness, conflict, stable_efficacy,
        k_local % sizes.cohorts)  # a school's classes take the entry cohorts in turn


@dataclass
class Students:
    table: pd.DataFrame
    ids: list[str]
    class_index: np.ndarray  # of each student
    school_index: np.ndarray
    country_index: np.ndarray
    stage: np.ndarray
    male: np.ndarray
    migrant: np.ndarray
    roma: np.ndarray
    ses: np.ndarray  # as recorded (rounded): the outcomes depend on the SES the data show
    sen: np.ndarray
    care: np.ndarray  # growing up outside parental care
    cohort_index: np.ndarray  # 0 for the earliest entry cohort


def cohort_year(config: CohortConfig, index):
    """The school year (its first calendar year) in which entry cohort `index` started; the latest is 2025."""
    return LATEST_COHORT_YEAR - (config.sizes.cohorts - 1) + index


def students(config: CohortConfig, rng: np.random.Generator, countries: Countries, schools: Schools,
             staff: ClassesAndTeachers) -> Students:
    """Individual level: students spread evenly over classes, with their intersectional attributes."""
    pop = config.population
    n = config.sizes.students
    i_class, i_local = _numbered_within(distribute(n, config.sizes.classes))
    i_school = staff.school_index[i_class]
    i_country = schools.country_index[i_school]
    i_stage = schools.stage[i_school]
    second_chance = i_stage == "second_chance"
    u = rng.random(n)
    gender = np.where(u < pop.p_female, "F", np.where(u < pop.p_female + pop.p_gender_other, "X", "M"))
    migrant_share = countries.migrant_share[i_country] * np.where(schools.urban[i_school], 1.3, 0.6)
    migrant = rng.random(n) < np.clip(migrant_share, 0, 0.9)
    roma = rng.random(n) < countries.roma_share[i_country]
    ses = schools.ses_composition[i_school] + rng.normal(0, np.sqrt(1 - pop.ses_school_sd**2), n)
    ses += pop.migrant_ses_gap * migrant + pop.roma_ses_gap * roma
    sen = rng.random(n) < pop.p_sen * np.where(second_chance, 2.0, 1.0)
    care = rng.random(n) < pop.p_out_of_care * np.where(second_chance, 3.0, 1.0)
    start_age = np.array([STAGE_AGES[s][0] for s in i_stage])
    age = start_age + (staff.grade[i_class] - staff.first_grade[i_class]) + rng.integers(0, 2, n)
    age = age + np.where(second_chance, rng.integers(0, 5, n), 0)  # second-chance students come back older
    ids = [f"{staff.class_ids[k]}-{j + 1:03d}" for k, j in zip(i_class, i_local, strict=True)]
    table = pd.DataFrame({
        "student_id": ids,
        "class_id": np.array(staff.class_ids)[i_class],
        "gender": gender,
        "age": age,
        "migrant_background": migrant,
        "roma_minority": roma,
        "ses_index": np.round(ses, 3),
        "sen": sen,
        "out_of_parental_care": care,
        "cohort": cohort_year(config, staff.cohort_index[i_class]),
    })
    return Students(table, ids, i_class, i_school, i_country, i_stage, gender == "M", migrant, roma,
                    table.ses_index.to_numpy(), sen, care, staff.cohort_index[i_class])
