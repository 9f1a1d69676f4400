"""Generating parameters of the simulated LETS CARE-design cohort.

Every number the simulator uses is declared here once, with the sentence that documents it; `docs/simulation.md`
and `truth.json` are built from these declarations, so the three never disagree.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from safeschool.vocabulary import EU_COUNTRIES

# Share of a country's schools at each stage (every stage gets at least one school when a country has >= 5).
STAGE_SHARES = {"ecec": 0.10, "primary": 0.30, "lower_secondary": 0.25, "upper_secondary": 0.25, "second_chance": 0.10}
# (youngest age, number of grade years) per stage, used for student ages and class grades.
STAGE_AGES = {
    "ecec": (3, 3),
    "primary": (6, 5),
    "lower_secondary": (11, 3),
    "upper_secondary": (14, 4),
    "second_chance": (16, 4),
}

# Country names for the simulated network (vocabulary.EU_COUNTRIES). The policy indicators attached to them are
# simulated, not real.
COUNTRY_POOL = EU_COUNTRIES


def _p(default: Any, doc: str, level: str = "", unit: str = "") -> Any:
    return field(default=default, metadata={"doc": doc, "level": level, "unit": unit})


@dataclass(frozen=True)
class Sizes:
    """How big the cohort is. Defaults follow the LETS CARE design."""

    countries: int = _p(6, "Number of countries.")
    schools: int = _p(120, "Number of schools, spread evenly over countries.")
    classes: int = _p(720, "Number of classes, spread evenly over schools.")
    teachers: int = _p(2400, "Number of teachers, spread evenly over schools; each class has a homeroom teacher.")
    students: int = _p(18000, "Number of students, spread evenly over classes.")
    waves: int = _p(2, "Number of measurement waves (autumn, then spring of each school year).")
    cohorts: int = _p(3, "Number of entry cohorts (school years); each school's classes take them in turn, so a "
                         "screening model can be trained on earlier cohorts and tested on the latest.")

    def problems(self) -> list[str]:
        """Reasons this size is impossible, as one-line messages (empty when it is possible)."""
        out = []
        for name in ("countries", "schools", "classes", "teachers", "students", "waves", "cohorts"):
            if getattr(self, name) < 1:
                out.append(f"--{name} must be at least 1 (got {getattr(self, name)})")
        if out:
            return out
        if self.countries > self.schools:
            out.append(f"more countries ({self.countries}) than schools ({self.schools}): every country needs a school")
        if self.classes < self.schools:
            out.append(f"fewer classes ({self.classes}) than schools ({self.schools}): every school needs a class")
        if self.students < self.classes:
            out.append(f"fewer students ({self.students}) than classes ({self.classes}): every class needs a student")
        if self.teachers < self.classes:
            out.append(f"fewer teachers ({self.teachers}) than classes ({self.classes}): every class needs a homeroom teacher")
        if self.waves < 2:
            out.append(f"--waves must be at least 2 (got {self.waves}): change and attrition need two waves")
        return out


@dataclass(frozen=True)
class Population:
    """Shares and distributions of the intersectional attributes (individual level)."""

    p_female: float = _p(0.49, "Share of girls.", "individual")
    p_gender_other: float = _p(0.01, "Share recorded as another gender (X).", "individual")
    p_migrant: float = _p(0.12, "Average share with a migrant background (varies by country, higher in cities).", "individual")
    p_roma: float = _p(0.04, "Average share of Roma or other ethnic-minority students (varies by country).", "individual")
    p_sen: float = _p(0.08, "Share with special educational needs or a disability (doubled in second-chance schools).", "individual")
    p_out_of_care: float = _p(0.015, "Share growing up outside parental care (tripled in second-chance schools).", "individual")
    ses_school_sd: float = _p(0.5, "SD of school SES composition (mean student SES, z units).", "community")
    migrant_ses_gap: float = _p(-0.4, "SES difference of migrant-background students (z units).", "individual")
    roma_ses_gap: float = _p(-0.8, "SES difference of Roma/ethnic-minority students (z units).", "individual")
    p_urban: float = _p(0.6, "Share of urban schools.", "community")
    p_rec_partner: float = _p(0.5, "Share of schools in partnership with a Regional Educational Centre.", "community")
    p_alternatives: float = _p(0.4, "Share of schools with alternatives to exclusion (more likely with good climate).", "community")


@dataclass(frozen=True)
class Achievement:
    """Achievement (test score, mean about 500, points) and its determinants at the four levels.

    Coefficients are in score points per unit of the predictor as it appears in the data.
    """

    intercept: float = _p(500.0, "Achievement of a reference student (all predictors at their centring values).", "", "points")
    ses: float = _p(25.0, "Per SD of student SES.", "individual", "points/SD")
    security: float = _p(20.0, "Per point of attachment security (1-4, centred at 2.9).", "individual", "points/point")
    sen: float = _p(-30.0, "Special educational needs.", "individual", "points")
    migrant: float = _p(-10.0, "Migrant background.", "individual", "points")
    roma: float = _p(-15.0, "Roma/ethnic minority.", "individual", "points")
    male: float = _p(-5.0, "Boys compared with girls.", "individual", "points")
    out_of_care: float = _p(-20.0, "Growing up outside parental care.", "individual", "points")
    closeness: float = _p(12.0, "Per point of teacher-student closeness (1-5, centred at 4).", "relational", "points/point")
    conflict: float = _p(-12.0, "Per point of teacher-student conflict (1-5, centred at 2).", "relational", "points/point")
    belonging: float = _p(10.0, "Per point of sense of school belonging (1-5, centred at 3.6).", "relational", "points/point")
    school_ses: float = _p(30.0, "Per SD of school SES composition (beyond the student's own SES).", "community", "points/SD")
    climate: float = _p(15.0, "Per point of the school's climate index (1-5, centred at 3.5).", "community", "points/point")
    rec_partner: float = _p(8.0, "Partnership with a Regional Educational Centre.", "community", "points")
    inclusion: float = _p(40.0, "Per unit of the country's inclusion index (0-1, centred at 0.5).", "political", "points/unit")
    early_tracking: float = _p(-10.0, "Country tracks students into school types at age 12 or younger.", "political", "points")
    migrant_x_low_ses: float = _p(-20.0, "Interaction: migrant background AND low SES (below -0.43 z).", "individual", "points")
    roma_x_male: float = _p(-10.0, "Interaction: Roma/ethnic-minority boys.", "individual", "points")
    growth: float = _p(0.0, "Change per wave for everyone (scores are age-normed).", "", "points/wave")
    sd_country: float = _p(20.0, "SD of the country random intercept.", "political", "points")
    sd_school: float = _p(30.0, "SD of the school random intercept.", "community", "points")
    sd_class: float = _p(20.0, "SD of the class random intercept.", "relational", "points")
    sd_student: float = _p(45.0, "SD of the stable student effect.", "individual", "points")
    sd_occasion: float = _p(35.0, "SD of the wave-specific residual.", "individual", "points")


@dataclass(frozen=True)
class Scales:
    """Per-wave scale scores (means of Likert items) and what drives them."""

    security_mean: float = _p(2.9, "Mean attachment security (Kerns Security Scale, 1-4).", "individual")
    security_ses: float = _p(0.08, "Security per SD of SES.", "individual")
    security_sen: float = _p(-0.10, "Security difference with SEN.", "individual")
    security_out_of_care: float = _p(-0.35, "Security difference when growing up outside parental care.", "individual")
    security_sd: float = _p(0.45, "Residual SD of security (stable part 80 %).", "individual")
    closeness_mean: float = _p(4.0, "Mean teacher-student closeness (STRS, 1-5).", "relational")
    closeness_security: float = _p(0.30, "Closeness per point of security.", "relational")
    closeness_tses: float = _p(0.10, "Closeness per point of the homeroom teacher's self-efficacy (1-9).", "relational")
    closeness_class_sd: float = _p(0.25, "SD of the class component of closeness.", "relational")
    closeness_sd: float = _p(0.55, "Residual SD of closeness.", "relational")
    conflict_mean: float = _p(2.0, "Mean teacher-student conflict (STRS, 1-5).", "relational")
    conflict_male: float = _p(0.25, "Conflict difference for boys.", "relational")
    conflict_security: float = _p(-0.30, "Conflict per point of security.", "relational")
    conflict_class_sd: float = _p(0.20, "SD of the class component of conflict.", "relational")
    conflict_sd: float = _p(0.60, "Residual SD of conflict.", "relational")
    belonging_mean: float = _p(3.6, "Mean sense of school membership (PSSM, 1-5).", "relational")
    belonging_security: float = _p(0.35, "Belonging per point of security.", "relational")
    belonging_climate: float = _p(0.25, "Belonging per point of the school climate index.", "community")
    belonging_minority: float = _p(-0.20, "Belonging difference for migrant or Roma students.", "relational")
    belonging_sd: float = _p(0.55, "Residual SD of belonging.", "relational")
    engagement_mean: float = _p(3.5, "Mean engagement (1-5).", "individual")
    engagement_belonging: float = _p(0.45, "Engagement per point of belonging.", "individual")
    engagement_sd: float = _p(0.55, "Residual SD of engagement.", "individual")
    climate_perceived_sd: float = _p(0.60, "Residual SD of a student's perceived school climate around the school's index.", "community")
    tses_mean: float = _p(7.0, "Mean teacher self-efficacy (TSES short form, 1-9).", "relational")
    tses_sd: float = _p(0.9, "SD of teacher self-efficacy.", "relational")
    stability: float = _p(0.8, "Share of a student's scale residual that is stable across waves.", "individual")


@dataclass(frozen=True)
class SchoolOutcomes:
    """Attendance, behaviour incidents and suspensions/exclusions."""

    attendance_logit: float = _p(2.6, "Attendance rate on the logit scale for a reference student (about 93 %).", "")
    attendance_engagement: float = _p(0.35, "Per point of engagement (logit).", "individual")
    attendance_sen: float = _p(-0.30, "SEN (logit).", "individual")
    attendance_roma: float = _p(-0.35, "Roma/ethnic minority (logit).", "individual")
    attendance_ses: float = _p(0.15, "Per SD of SES (logit).", "individual")
    attendance_school_sd: float = _p(0.25, "SD of the school component (logit).", "community")
    attendance_sd: float = _p(0.55, "Residual SD (logit).", "individual")
    incidents_log: float = _p(-0.3, "Log mean behaviour incidents per wave for a reference student.", "")
    incidents_conflict: float = _p(0.45, "Per point of conflict (log rate).", "relational")
    incidents_security: float = _p(-0.30, "Per point of security (log rate).", "individual")
    incidents_male: float = _p(0.40, "Boys (log rate).", "individual")
    suspensions_log: float = _p(-3.0, "Log mean suspensions/exclusions per wave for a reference student.", "")
    suspensions_incidents: float = _p(0.45, "Per incident (log rate).", "individual")
    suspensions_alternatives: float = _p(-0.7, "School has alternatives to exclusion (log rate).", "community")


_STAGE_LOGITS = {"ecec": -6.0, "primary": -5.0, "lower_secondary": -3.1, "upper_secondary": -2.4, "second_chance": -1.3}


@dataclass(frozen=True)
class Dropout:
    """Early leaving between waves (logit model of the hazard per interval)."""

    stage_logit: dict = field(
        default_factory=lambda: dict(_STAGE_LOGITS),
        metadata={"doc": "Baseline logit by stage: little leaving before lower secondary, most in upper secondary "
                         "and second chance.", "level": "community", "unit": "logit"},
    )
    achievement: float = _p(-0.012, "Per achievement point (centred at 500).", "individual", "logit/point")
    belonging: float = _p(-0.45, "Per point of belonging.", "relational", "logit/point")
    engagement: float = _p(-0.45, "Per point of engagement.", "individual", "logit/point")
    attendance: float = _p(-6.0, "Per unit of attendance rate (0-1, centred at 0.93).", "individual", "logit/unit")
    ses: float = _p(-0.25, "Per SD of SES.", "individual", "logit/SD")
    male: float = _p(0.30, "Boys.", "individual", "logit")
    migrant: float = _p(0.25, "Migrant background.", "individual", "logit")
    roma: float = _p(0.45, "Roma/ethnic minority.", "individual", "logit")
    sen_x_out_of_care: float = _p(0.9, "Interaction: SEN AND growing up outside parental care.", "individual", "logit")
    rec_partner: float = _p(-0.30, "Partnership with a Regional Educational Centre.", "community", "logit")
    early_tracking: float = _p(0.35, "Country tracks at age 12 or younger.", "political", "logit")
    esl_support: float = _p(-0.25, "Country has a national early-leaving support strategy.", "political", "logit")
    drift_per_cohort: float = _p(0.0, "Change of the baseline logit with each later entry cohort (0: no drift "
                                      "between school years).", "", "logit/cohort")
    attendance_drift_per_cohort: float = _p(0.0, "Change of the attendance effect with each later entry cohort "
                                                 "(0: the same effect every school year).", "individual",
                                            "logit/unit/cohort")
    sd_school: float = _p(0.35, "SD of the school random intercept (logit).", "community", "logit")
    sd_country: float = _p(0.25, "SD of the country random intercept (logit).", "political", "logit")


@dataclass(frozen=True)
class Missingness:
    """Realistic gaps: item non-response and survey attrition between waves."""

    item_nonresponse: float = _p(0.03, "Chance that one scale score of a student in a wave is missing (too few items answered).")
    attrition: float = _p(0.07, "Chance that a student still enrolled misses a later wave's survey and test (administrative records stay).")


@dataclass(frozen=True)
class CohortConfig:
    """Everything the simulator needs: sizes, seed and every generating parameter."""

    sizes: Sizes = field(default_factory=Sizes)
    seed: int = 2026
    population: Population = field(default_factory=Population)
    achievement: Achievement = field(default_factory=Achievement)
    scales: Scales = field(default_factory=Scales)
    outcomes: SchoolOutcomes = field(default_factory=SchoolOutcomes)
    dropout: Dropout = field(default_factory=Dropout)
    missingness: Missingness = field(default_factory=Missingness)

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> CohortConfig:
        """Build a config from (possibly partial) nested dictionaries; unknown keys are errors."""
        kwargs = {}
        base = cls()
        for f in dataclasses.fields(cls):
            if f.name not in data:
                continue
            value = data[f.name]
            if f.name == "seed":
                kwargs["seed"] = int(value)
                continue
            current = getattr(base, f.name)
            if not isinstance(value, dict):
                raise ValueError(f"config section '{f.name}' must be a mapping")
            known = {g.name for g in dataclasses.fields(current)}
            unknown = set(value) - known
            if unknown:
                raise ValueError(f"unknown parameter(s) in '{f.name}': {', '.join(sorted(unknown))}")
            kwargs[f.name] = dataclasses.replace(current, **value)
        unknown = set(data) - {f.name for f in dataclasses.fields(cls)}
        if unknown:
            raise ValueError(f"unknown config section(s): {', '.join(sorted(unknown))}")
        return cls(**kwargs)


def parameter_table() -> list[dict]:
    """One row per documented parameter: section, name, default, level, unit and doc."""
    rows = []
    config = CohortConfig()
    for section in dataclasses.fields(CohortConfig):
        if section.name == "seed":
            rows.append({"section": "", "name": "seed", "default": config.seed, "level": "", "unit": "",
                         "doc": "Seed of the random number generator; the same seed gives the same cohort."})
            continue
        obj = getattr(config, section.name)
        for f in dataclasses.fields(obj):
            rows.append({
                "section": section.name,
                "name": f.name,
                "default": getattr(obj, f.name),
                "level": f.metadata.get("level", ""),
                "unit": f.metadata.get("unit", ""),
                "doc": f.metadata.get("doc", ""),
            })
    return rows
