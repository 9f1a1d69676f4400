"""Simulate a LETS CARE-design cohort whose outcomes have known determinants at four ecological levels.

`simulate(config)` returns a `Cohort` of pandas tables plus the truth (every generating parameter and the
realised random effects); `Cohort.write(dir)` writes one CSV per table and `truth.json`. See docs/simulation.md.
The levels are drawn in `levels.py`, the waves in `waves.py`; this module runs them in order and adds the truth.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from safeschool import __version__, csvsafe
from safeschool.cohort import levels
from safeschool.cohort.items import LANGUAGES, survey_items
from safeschool.cohort.params import CohortConfig
from safeschool.cohort.waves import CENTRING, Waves, waves

TABLES = (
    "countries", "recs", "schools", "classes", "teachers", "teacher_classes", "students", "waves",
    "scales", "teacher_scales", "outcomes", "random_effects", "student_items", "teacher_items",
    "true_risk",
)


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
            csvsafe.frame_to_csv(self.tables[name], path, index=False)
            written.append(path)
        truth_path = out / "truth.json"
        truth_path.write_text(json.dumps(self.truth, indent=2, default=_json_default))
        written.append(truth_path)
        return written


def _json_default(value):
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"cannot serialise {type(value)!r}")


def simulate(config: CohortConfig | None = None, progress=None) -> Cohort:
    """Simulate a cohort. `progress(step_name)` is called after each step when given."""
    config = config or CohortConfig()
    problems = config.sizes.problems()
    if problems:
        raise CohortSizeError(problems[0])
    tick = progress or (lambda _name: None)
    # One generator for every level, drawn from in this order: the same seed must give the same cohort.
    rng = np.random.default_rng(config.seed)
    countries = levels.countries(config, rng)
    tick("countries")
    schools = levels.schools(config, rng, countries)
    tick("schools")
    staff = levels.classes_and_teachers(config, rng, schools)
    tick("classes and teachers")
    students = levels.students(config, rng, countries, schools, staff)
    tick("students")
    measured = waves(config, rng, countries, schools, staff, students)
    tick("waves")
    tables, truth = _tables_and_truth(config, countries, schools, staff, students, measured)
    tick("truth")
    return Cohort(tables=tables, truth=truth)


def _tables_and_truth(config: CohortConfig, countries: levels.Countries, schools: levels.Schools,
                      staff: levels.ClassesAndTeachers, students: levels.Students,
                      measured: Waves) -> tuple[dict[str, pd.DataFrame], dict]:
    """Every table in file order (with the realised random effects and item-level answers), and the truth."""
    achievement_effects = {  # level: (unit ids, realised random intercepts)
        "country": (countries.table.country_id, countries.u_achievement),
        "school": (schools.ids, schools.u_achievement),
        "class": (staff.class_ids, staff.u_achievement),
        "student": (students.ids, measured.u_student),
    }
    dropout_effects = {
        "country": (countries.table.country_id, countries.u_dropout),
        "school": (schools.ids, schools.u_dropout),
    }
    tables = {
        "countries": countries.table, "recs": countries.recs, "schools": schools.table, "classes": staff.classes,
        "teachers": staff.teachers, "teacher_classes": staff.teacher_classes, "students": students.table,
        "waves": measured.table, "scales": measured.scales, "teacher_scales": measured.teacher_scales,
        "outcomes": measured.outcomes,
        "random_effects": _random_effects({"achievement": achievement_effects, "dropout": dropout_effects}),
    }
    # item-level answers from the instrument registry (their own random stream: the tables above do not change)
    tables["student_items"], tables["teacher_items"] = _survey_items(tables, config.seed + 1)
    # the simulated truth a screening model can at best recover (its AUC is the ceiling); never loaded
    tables["true_risk"] = pd.DataFrame({"student_id": students.ids, "p_dropped_out": np.round(measured.p_dropout, 6)})
    truth = _truth(config, tables, {level: effect for level, (_, effect) in achievement_effects.items()})
    return tables, truth


def _random_effects(effects: dict[str, dict[str, tuple]]) -> pd.DataFrame:
    """One row per realised random effect: outcome, level, unit and effect (rounded for the file)."""
    table = pd.concat([
        pd.DataFrame({"outcome": outcome, "level": level, "unit": units, "effect": effect})
        for outcome, by_level in effects.items() for level, (units, effect) in by_level.items()
    ], ignore_index=True)
    table["effect"] = table["effect"].round(4)
    return table


def _survey_items(tables: dict[str, pd.DataFrame], seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(student_items, teacher_items), each respondent answering in the language of their country."""
    schools, classes = tables["schools"], tables["classes"]
    school_country = schools.set_index("school_id").country_id
    class_country = classes.set_index("class_id").school_id.map(school_country)
    language = {c: LANGUAGES.get(c, "en") for c in tables["countries"].country_id}
    return survey_items(
        tables["scales"], tables["teacher_scales"],
        tables["students"].set_index("student_id").class_id.map(class_country).map(language).to_dict(),
        tables["teachers"].set_index("teacher_id").school_id.map(school_country).map(language).to_dict(), seed)


def _truth(config: CohortConfig, tables: dict[str, pd.DataFrame], achievement_effects: dict) -> dict:
    """Every generating parameter, the centring constants and what the draws realised (truth.json)."""
    outcomes = tables["outcomes"]
    last = outcomes[outcomes.wave == config.sizes.waves].merge(tables["students"][["student_id", "class_id"]],
                                                               on="student_id")
    last = last.merge(tables["classes"][["class_id", "school_id"]], on="class_id").merge(
        tables["schools"][["school_id", "stage"]], on="school_id")
    occasion_sd = config.achievement.sd_occasion
    return {
        "generator": f"safeschool {__version__}",
        "config": config.to_dict(),
        "realised": {
            "dropout_rate": round(float(last.dropped_out.mean()), 4),
            "dropout_rate_by_stage": {k: round(float(v), 4) for k, v in last.groupby("stage").dropped_out.mean().items()},
            "achievement_variance": {
                level: round(float(np.var(effect, ddof=1)), 2) if len(effect) > 1 else 0.0
                for level, effect in achievement_effects.items()
            } | {"occasion": round(occasion_sd**2, 2)},
            "rows": {k: len(v) for k, v in tables.items()},
        },
        "centring": dict(CENTRING),
    }
