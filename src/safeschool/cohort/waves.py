"""What happens to a simulated cohort wave by wave: teachers' self-efficacy, students' scale scores, achievement,
school records (attendance, incidents, suspensions), survey gaps, and who leaves school before the next wave.

The functions draw from the generator in the order `waves()` calls them; see `cohort/levels.py` for why the order
is fixed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from safeschool.cohort.levels import ClassesAndTeachers, Countries, Schools, Students, expit
from safeschool.cohort.params import Achievement, CohortConfig, Dropout, Scales

LOW_SES_CUT = -0.43  # lowest tertile of a standard normal
# Fixed values at which the models centre predictors (not the configured scale means), so that a coefficient keeps
# its meaning when a scale's mean is changed; truth.json records them.
CENTRING = {"security": 2.9, "closeness": 4.0, "conflict": 2.0, "belonging": 3.6, "climate_index": 3.5,
            "inclusion_index": 0.5, "low_ses_cut": LOW_SES_CUT, "attendance_rate": 0.93}
EARLY_TRACKING_AGE = 12  # a country tracks early when it separates students into school types at this age or younger


@dataclass
class Waves:
    table: pd.DataFrame
    scales: pd.DataFrame
    teacher_scales: pd.DataFrame
    outcomes: pd.DataFrame
    u_student: np.ndarray  # realised stable student effect on achievement
    p_dropout: np.ndarray  # each student's true chance of having left by the last wave (the screening oracle)


def waves(config: CohortConfig, rng: np.random.Generator, countries: Countries, schools: Schools,
          staff: ClassesAndTeachers, students: Students) -> Waves:
    """Every wave: teachers' self-efficacy, students' scale scores and outcomes, survey gaps, then who leaves."""
    sc, miss = config.scales, config.missingness
    nw, n, nt = config.sizes.waves, config.sizes.students, config.sizes.teachers
    table = pd.DataFrame({
        "wave": np.arange(1, nw + 1),
        "label": [f"Wave {w} ({'autumn' if w % 2 else 'spring'} {2025 + w // 2})" for w in range(1, nw + 1)],
        "starts_on": [f"{2025 + w // 2}-{'10' if w % 2 else '05'}-01" for w in range(1, nw + 1)],
    })
    # the student's own part of each scale residual, the same in every wave
    stable = {name: rng.normal(0, 1, n) for name in ("security", "closeness", "conflict", "belonging", "engagement")}
    u_student = rng.normal(0, config.achievement.sd_student, n)
    enrolled = np.ones(n, dtype=bool)
    stays = np.ones(n)  # true chance of still being enrolled, interval by interval
    scale_frames, outcome_frames, teacher_frames = [], [], []
    for w in range(1, nw + 1):
        efficacy = np.round(np.clip(staff.stable_efficacy + rng.normal(0, sc.tses_sd * 0.6, nt), 1, 9), 2)
        teacher_frames.append(pd.DataFrame({"teacher_id": staff.teacher_ids, "wave": w, "self_efficacy": efficacy}))
        scores = _scale_scores(sc, rng, schools, staff, students, stable, efficacy)
        achievement = _achievement(config.achievement, rng, w, countries, schools, staff, students, scores, u_student)
        records = _school_records(config, rng, schools, students, scores)
        # who answered this wave's survey and test: enrolled students not lost to attrition
        responded = enrolled & ((w == 1) | (rng.random(n) >= miss.attrition))
        scale_table = pd.DataFrame({"student_id": students.ids, "wave": w, **scores})
        for col in scores:
            gap = rng.random(n) < miss.item_nonresponse
            scale_table.loc[gap | ~responded, col] = np.nan
        scale_frames.append(scale_table[enrolled])
        outcome_frames.append(_outcome_table(students, w, achievement, records, responded, enrolled))

        if w < nw:  # who leaves before the next wave
            chance = _leave_chance(config.dropout, sc, countries, schools, students, scores, achievement,
                                   records["attendance_rate"])
            stays *= 1 - chance
            leaves = enrolled & (rng.random(n) < chance)
            enrolled = enrolled & ~leaves
    return Waves(table, pd.concat(scale_frames, ignore_index=True), pd.concat(teacher_frames, ignore_index=True),
                 pd.concat(outcome_frames, ignore_index=True), u_student, 1 - stays)


def clip_round(x, lo, hi):
    return np.round(np.clip(x, lo, hi), 2)


def _early_tracking(countries: Countries, students: Students) -> np.ndarray:
    return (countries.table.tracking_age.to_numpy() <= EARLY_TRACKING_AGE)[students.country_index]


def _scale_scores(sc: Scales, rng: np.random.Generator, schools: Schools, staff: ClassesAndTeachers,
                  students: Students, stable: dict[str, np.ndarray], efficacy: np.ndarray) -> dict[str, np.ndarray]:
    """One wave's scale scores: determinants plus a residual whose `stability` share is the student's own."""
    st, n = students, len(students.ids)
    rs, ro = np.sqrt(sc.stability), np.sqrt(1 - sc.stability)
    homeroom_efficacy = efficacy[staff.homeroom][st.class_index]
    climate_index = schools.climate_index[st.school_index]
    security = clip_round(
        sc.security_mean + sc.security_ses * st.ses + sc.security_sen * st.sen + sc.security_out_of_care * st.care
        + sc.security_sd * (rs * stable["security"] + ro * rng.normal(0, 1, n)), 1, 4)
    closeness = clip_round(
        sc.closeness_mean + sc.closeness_security * (security - sc.security_mean)
        + sc.closeness_tses * (homeroom_efficacy - sc.tses_mean) + staff.closeness[st.class_index]
        + sc.closeness_sd * (rs * stable["closeness"] + ro * rng.normal(0, 1, n)), 1, 5)
    conflict = clip_round(
        sc.conflict_mean + sc.conflict_male * st.male + sc.conflict_security * (security - sc.security_mean)
        + staff.conflict[st.class_index]
        + sc.conflict_sd * (rs * stable["conflict"] + ro * rng.normal(0, 1, n)), 1, 5)
    belonging = clip_round(
        sc.belonging_mean + sc.belonging_security * (security - sc.security_mean)
        + sc.belonging_climate * (climate_index - CENTRING["climate_index"]) + sc.belonging_minority * (st.migrant | st.roma)
        + sc.belonging_sd * (rs * stable["belonging"] + ro * rng.normal(0, 1, n)), 1, 5)
    engagement = clip_round(
        sc.engagement_mean + sc.engagement_belonging * (belonging - sc.belonging_mean)
        + sc.engagement_sd * (rs * stable["engagement"] + ro * rng.normal(0, 1, n)), 1, 5)
    climate = clip_round(climate_index + rng.normal(0, sc.climate_perceived_sd, n), 1, 5)
    return {"security": security, "closeness": closeness, "conflict": conflict, "belonging": belonging,
            "engagement": engagement, "climate": climate}


def _achievement(ach: Achievement, rng: np.random.Generator, wave: int, countries: Countries, schools: Schools,
                 staff: ClassesAndTeachers, students: Students, scores: dict[str, np.ndarray],
                 u_student: np.ndarray) -> np.ndarray:
    """One wave's test score: determinants at the four levels, the realised random effects and occasion noise."""
    st, c = students, CENTRING
    i_school, i_country = st.school_index, st.country_index
    inclusion = countries.table.inclusion_index.to_numpy()[i_country] - c["inclusion_index"]
    low_ses = st.ses < LOW_SES_CUT
    achievement = (
        ach.intercept + ach.growth * (wave - 1)
        + ach.ses * st.ses + ach.security * (scores["security"] - c["security"]) + ach.sen * st.sen
        + ach.migrant * st.migrant + ach.roma * st.roma + ach.male * st.male + ach.out_of_care * st.care
        + ach.closeness * (scores["closeness"] - c["closeness"]) + ach.conflict * (scores["conflict"] - c["conflict"])
        + ach.belonging * (scores["belonging"] - c["belonging"])
        + ach.school_ses * schools.ses_composition[i_school]
        + ach.climate * (schools.climate_index[i_school] - c["climate_index"])
        + ach.rec_partner * schools.rec_partner[i_school]
        + ach.inclusion * inclusion + ach.early_tracking * _early_tracking(countries, st)
        + ach.migrant_x_low_ses * (st.migrant & low_ses) + ach.roma_x_male * (st.roma & st.male)
        + countries.u_achievement[i_country] + schools.u_achievement[i_school]
        + staff.u_achievement[st.class_index] + u_student
        + rng.normal(0, ach.sd_occasion, len(st.ids))
    )
    return np.round(achievement, 1)


def _school_records(config: CohortConfig, rng: np.random.Generator, schools: Schools, students: Students,
                    scores: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """One wave's administrative records: attendance rate, behaviour incidents and suspensions/exclusions."""
    oc, sc, st = config.outcomes, config.scales, students
    i_school = st.school_index
    attendance = expit(
        oc.attendance_logit + oc.attendance_engagement * (scores["engagement"] - sc.engagement_mean)
        + oc.attendance_sen * st.sen + oc.attendance_roma * st.roma + oc.attendance_ses * st.ses
        + schools.u_attendance[i_school] + rng.normal(0, oc.attendance_sd, len(st.ids)))
    incidents = rng.poisson(np.exp(
        oc.incidents_log + oc.incidents_conflict * (scores["conflict"] - sc.conflict_mean)
        + oc.incidents_security * (scores["security"] - sc.security_mean) + oc.incidents_male * st.male))
    suspensions = rng.poisson(np.exp(
        oc.suspensions_log + oc.suspensions_incidents * incidents
        + oc.suspensions_alternatives * schools.alternatives[i_school]))
    return {"attendance_rate": np.round(attendance, 3), "behaviour_incidents": incidents, "suspensions": suspensions}


def _outcome_table(students: Students, wave: int, achievement: np.ndarray, records: dict[str, np.ndarray],
                   responded: np.ndarray, enrolled: np.ndarray) -> pd.DataFrame:
    """Outcomes of every student in a wave: no test score without the survey, no records after leaving."""
    table = pd.DataFrame({
        "student_id": students.ids, "wave": wave,
        "achievement": np.where(responded, achievement, np.nan),
        "attendance_rate": np.where(enrolled, records["attendance_rate"], np.nan),
        "behaviour_incidents": pd.array(np.where(enrolled, records["behaviour_incidents"], -1), dtype="Int64"),
        "suspensions": pd.array(np.where(enrolled, records["suspensions"], -1), dtype="Int64"),
        "dropped_out": ~enrolled,
    })
    table.loc[~enrolled, ["behaviour_incidents", "suspensions"]] = pd.NA
    return table


def _leave_chance(dp: Dropout, sc: Scales, countries: Countries, schools: Schools, students: Students,
                  scores: dict[str, np.ndarray], achievement: np.ndarray, attendance: np.ndarray) -> np.ndarray:
    """Each student's chance of leaving school before the next wave."""
    st = students
    i_school, i_country = st.school_index, st.country_index
    later = st.cohort_index  # 0 for the earliest cohort: drift moves later school years away from it
    logit = (
        np.array([dp.stage_logit[s] for s in st.stage]) + dp.drift_per_cohort * later
        + dp.attendance_drift_per_cohort * later * (attendance - CENTRING["attendance_rate"])
        + dp.achievement * (achievement - 500) + dp.belonging * (scores["belonging"] - sc.belonging_mean)
        + dp.engagement * (scores["engagement"] - sc.engagement_mean)
        + dp.attendance * (attendance - CENTRING["attendance_rate"])
        + dp.ses * st.ses + dp.male * st.male + dp.migrant * st.migrant + dp.roma * st.roma
        + dp.sen_x_out_of_care * (st.sen & st.care) + dp.rec_partner * schools.rec_partner[i_school]
        + dp.early_tracking * _early_tracking(countries, st)
        + dp.esl_support * countries.table.esl_support.to_numpy()[i_country]
        + schools.u_dropout[i_school] + countries.u_dropout[i_country]
    )
    return expit(logit)
