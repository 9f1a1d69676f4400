"""Simulate a LETS CARE-design cohort whose outcomes have known determinants at four ecological levels.

`simulate(config)` returns a `Cohort` of pandas tables plus the truth (every generating parameter and the
realised random effects); `Cohort.write(dir)` writes one CSV per table and `truth.json`. See docs/simulation.md.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from safeschool import __version__
from safeschool.cohort.items import LANGUAGES, survey_items
from safeschool.cohort.params import COUNTRY_POOL, STAGE_AGES, STAGE_SHARES, CohortConfig
from safeschool.vocabulary import STAGES

TABLES = (
    "countries", "recs", "schools", "classes", "teachers", "teacher_classes", "students", "waves",
    "scales", "teacher_scales", "outcomes", "random_effects", "student_items", "teacher_items",
)
LOW_SES_CUT = -0.43  # lowest tertile of a standard normal


class CohortSizeError(ValueError):
    """The requested sizes cannot form a cohort (e.g. more countries than schools)."""


@dataclass
class Cohort:
    tables: dict[str, pd.DataFrame]
    truth: dict

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.tables[name]

    def write(self, directory: str | Path) -> list[Path]:
        """Write one CSV per table plus truth.json into `directory` (created if needed)."""
        out = Path(directory)
        out.mkdir(parents=True, exist_ok=True)
        written = []
        for name in TABLES:
            path = out / f"{name}.csv"
            self.tables[name].to_csv(path, index=False)
            written.append(path)
        truth_path = out / "truth.json"
        truth_path.write_text(json.dumps(self.truth, indent=2, default=_json_default))
        written.append(truth_path)
        return written


def _json_default(value):
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"cannot serialise {type(value)!r}")


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


def _expit(x):
    return 1.0 / (1.0 + np.exp(-x))


def _logit(p):
    return np.log(p / (1 - p))


def simulate(config: CohortConfig | None = None, progress=None) -> Cohort:
    """Simulate a cohort. `progress(step_name)` is called after each step when given."""
    config = config or CohortConfig()
    sizes = config.sizes
    problems = sizes.problems()
    if problems:
        raise CohortSizeError(problems[0])
    rng = np.random.default_rng(config.seed)
    pop, ach, sc, oc, dp, miss = (
        config.population, config.achievement, config.scales, config.outcomes, config.dropout, config.missingness,
    )
    tick = progress or (lambda _name: None)

    # --- political level: countries and their policies ---------------------------------------------------------
    nc = sizes.countries
    pool = list(COUNTRY_POOL) + [(f"C{i:02d}", f"Country {i}") for i in range(len(COUNTRY_POOL) + 1, nc + 1)]
    policy = rng.normal(0, 1, nc)  # latent inclusiveness of a country's system
    tracking_age = np.clip(np.round(13 + 1.5 * policy + rng.normal(0, 1, nc)), 10, 16).astype(int)
    countries = pd.DataFrame({
        "country_id": [c for c, _ in pool[:nc]],
        "name": [n for _, n in pool[:nc]],
        "tracking_age": tracking_age,
        "grade_repetition_pct": np.round(np.clip(8 - 3 * policy + rng.normal(0, 2, nc), 1, 25), 1),
        "esl_rate_pct": np.round(np.clip(10 - 2.5 * policy + rng.normal(0, 1.5, nc), 3, 20), 1),
        "esl_support": (policy + rng.normal(0, 1, nc)) > 0,
        "inclusion_index": np.round(_expit(policy + rng.normal(0, 0.5, nc)), 3),
    })
    country_migrant = pop.p_migrant * rng.uniform(0.5, 1.5, nc)
    country_roma = pop.p_roma * rng.uniform(0.2, 2.0, nc)
    u_country = rng.normal(0, ach.sd_country, nc)
    u_country_drop = rng.normal(0, dp.sd_country, nc)
    recs = pd.DataFrame({
        "rec_id": [f"{c}-REC{j}" for c in countries.country_id for j in (1, 2)],
        "country_id": [c for c in countries.country_id for _ in (1, 2)],
        "name": [f"Regional Educational Centre {c} {j}" for c in countries.country_id for j in (1, 2)],
    })
    tick("countries")

    # --- community level: schools -------------------------------------------------------------------------------
    per_country = distribute(sizes.schools, nc)
    s_country = np.repeat(np.arange(nc), per_country)
    stages = [stage for n in per_country for stage in _stage_allocation(int(n))]
    ns = sizes.schools
    s_local = np.concatenate([np.arange(1, n + 1) for n in per_country])
    school_ids = [f"{countries.country_id[c]}-S{j:03d}" for c, j in zip(s_country, s_local, strict=True)]
    urban = rng.random(ns) < pop.p_urban
    ses_comp = rng.normal(0, pop.ses_school_sd, ns)
    climate_index = np.round(np.clip(3.5 + rng.normal(0, 0.45, ns), 1, 5), 2)
    rec_partner = rng.random(ns) < pop.p_rec_partner
    alternatives = rng.random(ns) < _expit(_logit(pop.p_alternatives) + 1.0 * (climate_index - 3.5))
    rec_choice = rng.integers(1, 3, ns)
    schools = pd.DataFrame({
        "school_id": school_ids,
        "country_id": countries.country_id.to_numpy()[s_country],
        "name": [f"{_stage_word(st)} school {sid}" for st, sid in zip(stages, school_ids, strict=True)],
        "stage": stages,
        "urban": urban,
        "ses_composition": np.round(ses_comp, 3),
        "climate_index": climate_index,
        "alternatives_to_exclusion": alternatives,
        "rec_id": [f"{countries.country_id[c]}-REC{r}" if p else "" for c, r, p in
                   zip(s_country, rec_choice, rec_partner, strict=True)],
    })
    u_school = rng.normal(0, ach.sd_school, ns)
    u_school_drop = rng.normal(0, dp.sd_school, ns)
    u_school_att = rng.normal(0, oc.attendance_school_sd, ns)
    stage_arr = np.array(stages)
    tick("schools")

    # --- classes and teachers (relational level) -------------------------------------------------------------
    k_per_school = distribute(sizes.classes, ns)
    k_school = np.repeat(np.arange(ns), k_per_school)
    k_local = np.concatenate([np.arange(n) for n in k_per_school])
    nk = sizes.classes
    first_grade = np.array([_first_grade(s) for s in stage_arr[k_school]])
    n_grades = np.array([STAGE_AGES[s][1] for s in stage_arr[k_school]])
    grade = first_grade + k_local % n_grades
    class_ids = [f"{school_ids[s]}-C{j + 1:02d}" for s, j in zip(k_school, k_local, strict=True)]
    u_class = rng.normal(0, ach.sd_class, nk)
    close_class = rng.normal(0, sc.closeness_class_sd, nk)
    conf_class = rng.normal(0, sc.conflict_class_sd, nk)

    t_per_school = distribute(sizes.teachers, ns)
    t_school = np.repeat(np.arange(ns), t_per_school)
    t_local = np.concatenate([np.arange(n) for n in t_per_school])
    nt = sizes.teachers
    teacher_ids = [f"{school_ids[s]}-T{j + 1:03d}" for s, j in zip(t_school, t_local, strict=True)]
    teachers = pd.DataFrame({
        "teacher_id": teacher_ids,
        "school_id": np.array(school_ids)[t_school],
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
    teacher_classes = pd.DataFrame(links, columns=["teacher_id", "class_id", "role"])
    classes = pd.DataFrame({
        "class_id": class_ids,
        "school_id": np.array(school_ids)[k_school],
        "grade": grade,
        "homeroom_teacher_id": np.array(teacher_ids)[homeroom],
    })
    tses_stable = rng.normal(sc.tses_mean, sc.tses_sd * 0.8, nt)
    tick("classes and teachers")

    # --- individual level: students ------------------------------------------------------------------------------
    n_per_class = distribute(sizes.students, nk)
    i_class = np.repeat(np.arange(nk), n_per_class)
    i_local = np.concatenate([np.arange(n) for n in n_per_class])
    n = sizes.students
    i_school = k_school[i_class]
    i_country = s_country[i_school]
    i_stage = stage_arr[i_school]
    second_chance = i_stage == "second_chance"
    u = rng.random(n)
    gender = np.where(u < pop.p_female, "F", np.where(u < pop.p_female + pop.p_gender_other, "X", "M"))
    male = gender == "M"
    migrant = rng.random(n) < np.clip(country_migrant[i_country] * np.where(urban[i_school], 1.3, 0.6), 0, 0.9)
    roma = rng.random(n) < country_roma[i_country]
    ses = ses_comp[i_school] + rng.normal(0, np.sqrt(1 - pop.ses_school_sd**2), n)
    ses += pop.migrant_ses_gap * migrant + pop.roma_ses_gap * roma
    sen = rng.random(n) < pop.p_sen * np.where(second_chance, 2.0, 1.0)
    care = rng.random(n) < pop.p_out_of_care * np.where(second_chance, 3.0, 1.0)
    start_age = np.array([STAGE_AGES[s][0] for s in i_stage])
    age = start_age + (grade[i_class] - first_grade[i_class]) + rng.integers(0, 2, n)
    age = age + np.where(second_chance, rng.integers(0, 5, n), 0)
    student_ids = [f"{class_ids[k]}-{j + 1:03d}" for k, j in zip(i_class, i_local, strict=True)]
    students = pd.DataFrame({
        "student_id": student_ids,
        "class_id": np.array(class_ids)[i_class],
        "gender": gender,
        "age": age,
        "migrant_background": migrant,
        "roma_minority": roma,
        "ses_index": np.round(ses, 3),
        "sen": sen,
        "out_of_parental_care": care,
    })
    low_ses = students.ses_index.to_numpy() < LOW_SES_CUT
    ses_obs = students.ses_index.to_numpy()
    tick("students")

    # --- waves -----------------------------------------------------------------------------------------------------
    nw = sizes.waves
    waves = pd.DataFrame({
        "wave": np.arange(1, nw + 1),
        "label": [f"Wave {w} ({'autumn' if w % 2 else 'spring'} {2025 + w // 2})" for w in range(1, nw + 1)],
        "starts_on": [f"{2025 + w // 2}-{'10' if w % 2 else '05'}-01" for w in range(1, nw + 1)],
    })
    stable = {name: rng.normal(0, 1, n) for name in ("security", "closeness", "conflict", "belonging", "engagement")}
    u_student = rng.normal(0, ach.sd_student, n)
    inclusion_c = countries.inclusion_index.to_numpy()[i_country] - 0.5
    early_tracking = (countries.tracking_age.to_numpy() <= 12)[i_country]
    esl_support = countries.esl_support.to_numpy()[i_country]
    enrolled = np.ones(n, dtype=bool)
    scale_frames, outcome_frames, teacher_frames = [], [], []
    rs = np.sqrt(sc.stability)
    ro = np.sqrt(1 - sc.stability)

    for w in range(1, nw + 1):
        tses = np.round(np.clip(tses_stable + rng.normal(0, sc.tses_sd * 0.6, nt), 1, 9), 2)
        teacher_frames.append(pd.DataFrame({"teacher_id": teacher_ids, "wave": w, "self_efficacy": tses}))
        hr_tses = tses[homeroom][i_class]

        security = clip_round(
            sc.security_mean + sc.security_ses * ses_obs + sc.security_sen * sen + sc.security_out_of_care * care
            + sc.security_sd * (rs * stable["security"] + ro * rng.normal(0, 1, n)), 1, 4)
        closeness = clip_round(
            sc.closeness_mean + sc.closeness_security * (security - sc.security_mean)
            + sc.closeness_tses * (hr_tses - sc.tses_mean) + close_class[i_class]
            + sc.closeness_sd * (rs * stable["closeness"] + ro * rng.normal(0, 1, n)), 1, 5)
        conflict = clip_round(
            sc.conflict_mean + sc.conflict_male * male + sc.conflict_security * (security - sc.security_mean)
            + conf_class[i_class] + sc.conflict_sd * (rs * stable["conflict"] + ro * rng.normal(0, 1, n)), 1, 5)
        belonging = clip_round(
            sc.belonging_mean + sc.belonging_security * (security - sc.security_mean)
            + sc.belonging_climate * (climate_index[i_school] - 3.5) + sc.belonging_minority * (migrant | roma)
            + sc.belonging_sd * (rs * stable["belonging"] + ro * rng.normal(0, 1, n)), 1, 5)
        engagement = clip_round(
            sc.engagement_mean + sc.engagement_belonging * (belonging - sc.belonging_mean)
            + sc.engagement_sd * (rs * stable["engagement"] + ro * rng.normal(0, 1, n)), 1, 5)
        climate = clip_round(climate_index[i_school] + rng.normal(0, sc.climate_perceived_sd, n), 1, 5)

        achievement = (
            ach.intercept + ach.growth * (w - 1)
            + ach.ses * ses_obs + ach.security * (security - 2.9) + ach.sen * sen + ach.migrant * migrant
            + ach.roma * roma + ach.male * male + ach.out_of_care * care
            + ach.closeness * (closeness - 4.0) + ach.conflict * (conflict - 2.0) + ach.belonging * (belonging - 3.6)
            + ach.school_ses * ses_comp[i_school] + ach.climate * (climate_index[i_school] - 3.5)
            + ach.rec_partner * rec_partner[i_school]
            + ach.inclusion * inclusion_c + ach.early_tracking * early_tracking
            + ach.migrant_x_low_ses * (migrant & low_ses) + ach.roma_x_male * (roma & male)
            + u_country[i_country] + u_school[i_school] + u_class[i_class] + u_student
            + rng.normal(0, ach.sd_occasion, n)
        )
        achievement = np.round(achievement, 1)
        attendance = _expit(
            oc.attendance_logit + oc.attendance_engagement * (engagement - sc.engagement_mean)
            + oc.attendance_sen * sen + oc.attendance_roma * roma + oc.attendance_ses * ses_obs
            + u_school_att[i_school] + rng.normal(0, oc.attendance_sd, n))
        attendance = np.round(attendance, 3)
        incidents = rng.poisson(np.exp(
            oc.incidents_log + oc.incidents_conflict * (conflict - sc.conflict_mean)
            + oc.incidents_security * (security - sc.security_mean) + oc.incidents_male * male))
        suspensions = rng.poisson(np.exp(
            oc.suspensions_log + oc.suspensions_incidents * incidents
            + oc.suspensions_alternatives * alternatives[i_school]))
        # who answered this wave's survey and test: enrolled students not lost to attrition
        responded = enrolled & ((w == 1) | (rng.random(n) >= miss.attrition))
        scale_table = pd.DataFrame({
            "student_id": student_ids, "wave": w, "security": security, "closeness": closeness,
            "conflict": conflict, "belonging": belonging, "engagement": engagement, "climate": climate,
        })
        for col in ("security", "closeness", "conflict", "belonging", "engagement", "climate"):
            gap = rng.random(n) < miss.item_nonresponse
            scale_table.loc[gap | ~responded, col] = np.nan
        scale_frames.append(scale_table[enrolled])
        outcome_table = pd.DataFrame({
            "student_id": student_ids, "wave": w,
            "achievement": np.where(responded, achievement, np.nan),
            "attendance_rate": np.where(enrolled, attendance, np.nan),
            "behaviour_incidents": pd.array(np.where(enrolled, incidents, -1), dtype="Int64"),
            "suspensions": pd.array(np.where(enrolled, suspensions, -1), dtype="Int64"),
            "dropped_out": ~enrolled,
        })
        outcome_table.loc[~enrolled, ["behaviour_incidents", "suspensions"]] = pd.NA
        outcome_frames.append(outcome_table)

        if w < nw:  # who leaves before the next wave
            logit = (
                np.array([dp.stage_logit[s] for s in i_stage])
                + dp.achievement * (achievement - 500) + dp.belonging * (belonging - sc.belonging_mean)
                + dp.engagement * (engagement - sc.engagement_mean) + dp.attendance * (attendance - 0.93)
                + dp.ses * ses_obs + dp.male * male + dp.migrant * migrant + dp.roma * roma
                + dp.sen_x_out_of_care * (sen & care) + dp.rec_partner * rec_partner[i_school]
                + dp.early_tracking * early_tracking + dp.esl_support * esl_support
                + u_school_drop[i_school] + u_country_drop[i_country]
            )
            leaves = enrolled & (rng.random(n) < _expit(logit))
            enrolled = enrolled & ~leaves
    tick("waves")

    scales_df = pd.concat(scale_frames, ignore_index=True)
    outcomes_df = pd.concat(outcome_frames, ignore_index=True)
    teacher_scales = pd.concat(teacher_frames, ignore_index=True)
    random_effects = pd.concat([
        pd.DataFrame({"outcome": "achievement", "level": "country", "unit": countries.country_id, "effect": u_country}),
        pd.DataFrame({"outcome": "achievement", "level": "school", "unit": school_ids, "effect": u_school}),
        pd.DataFrame({"outcome": "achievement", "level": "class", "unit": class_ids, "effect": u_class}),
        pd.DataFrame({"outcome": "achievement", "level": "student", "unit": student_ids, "effect": u_student}),
        pd.DataFrame({"outcome": "dropout", "level": "country", "unit": countries.country_id, "effect": u_country_drop}),
        pd.DataFrame({"outcome": "dropout", "level": "school", "unit": school_ids, "effect": u_school_drop}),
    ], ignore_index=True)
    random_effects["effect"] = random_effects["effect"].round(4)

    last = outcomes_df[outcomes_df.wave == nw].merge(students[["student_id", "class_id"]], on="student_id")
    last = last.merge(classes[["class_id", "school_id"]], on="class_id").merge(schools[["school_id", "stage"]],
                                                                              on="school_id")
    truth = {
        "generator": f"safeschool {__version__}",
        "config": config.to_dict(),
        "realised": {
            "dropout_rate": round(float(last.dropped_out.mean()), 4),
            "dropout_rate_by_stage": {k: round(float(v), 4) for k, v in last.groupby("stage").dropped_out.mean().items()},
            "achievement_variance": {
                level: round(float(np.var(effect, ddof=1)), 2) if len(effect) > 1 else 0.0
                for level, effect in (("country", u_country), ("school", u_school), ("class", u_class),
                                      ("student", u_student))
            } | {"occasion": round(ach.sd_occasion**2, 2)},
            "rows": {},
        },
        "centring": {"security": 2.9, "closeness": 4.0, "conflict": 2.0, "belonging": 3.6, "climate_index": 3.5,
                     "inclusion_index": 0.5, "low_ses_cut": LOW_SES_CUT, "attendance_rate": 0.93},
    }
    tables = {
        "countries": countries, "recs": recs, "schools": schools, "classes": classes, "teachers": teachers,
        "teacher_classes": teacher_classes, "students": students, "waves": waves, "scales": scales_df,
        "teacher_scales": teacher_scales, "outcomes": outcomes_df, "random_effects": random_effects,
    }
    # item-level answers from the instrument registry (their own random stream: the tables above do not change)
    school_country = schools.set_index("school_id").country_id
    class_country = classes.set_index("class_id").school_id.map(school_country)
    language = {c: LANGUAGES.get(c, "en") for c in countries.country_id}
    tables["student_items"], tables["teacher_items"] = survey_items(
        scales_df, teacher_scales,
        students.set_index("student_id").class_id.map(class_country).map(language).to_dict(),
        teachers.set_index("teacher_id").school_id.map(school_country).map(language).to_dict(), config.seed + 1)
    truth["realised"]["rows"] = {k: len(v) for k, v in tables.items()}
    tick("truth")
    return Cohort(tables=tables, truth=truth)


def clip_round(x, lo, hi):
    return np.round(np.clip(x, lo, hi), 2)


def _first_grade(stage: str) -> int:
    return {"ecec": 0, "primary": 1, "lower_secondary": 6, "upper_secondary": 9, "second_chance": 10}[stage]


def _stage_word(stage: str) -> str:
    return {"ecec": "Early-years", "primary": "Primary", "lower_secondary": "Lower secondary",
            "upper_secondary": "Upper secondary", "second_chance": "Second-chance"}[stage]
