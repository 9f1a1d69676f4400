"""Simulated cluster-randomised trials with a known effect: the truth that the impact analysis must recover (the
coverage test, the demo's completed trial).

Schools are randomised (within two blocks, by ``allocate``) and students sit in classes in schools. For a
continuous outcome the variance given the arm is 1, split into ``icc_school``, ``icc_class`` and the students'
share, of which the baseline covariate explains ``rho**2``: ``effect`` is then the true effect in SDs of the
total variance. For a binary outcome the same shares hold on the latent logistic scale (residual pi^2/3) and
``effect`` is the log odds ratio (the Cox index is effect / 1.65). Attrition removes a random share of the
students' outcomes (missing completely at random); the rows stay, with ``y`` NaN, so the CONSORT flow can count
them.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from safeschool.trials.randomise import INTERVENTION, allocate

RHO_BASELINE = 0.5  # correlation of the baseline covariate with the students' share of the outcome
BASE_RATE = 0.2  # control-group event rate of a binary outcome (at average school and class)


def simulate_trial(design: str = "crt2", *, schools: int, classes_per_school: int, students_per_class: int,
                   icc_school: float, icc_class: float = 0.0, effect: float, attrition: float = 0.0, seed: int,
                   binary: bool = False) -> pd.DataFrame:
    """One simulated trial: columns student_id, school_id, class_id, block, treat (0/1), baseline, y (NaN for lost
    students); ``df.attrs`` holds the truth (design, effect, effect_size, icc_school, icc_class, attrition,
    binary, seed). Both designs randomise schools; ``design`` only records which analysis model is meant (crt2's
    ignores the classes, so give it icc_class 0 for a model that matches the data)."""
    if design not in ("crt2", "crt3"):
        raise ValueError(f"design must be crt2 or crt3 (got '{design}')")
    if schools < 4 or classes_per_school < 1 or students_per_class < 2:
        raise ValueError("a trial needs at least 4 schools, 1 class per school and 2 students per class")
    if min(icc_school, icc_class) < 0 or icc_school + icc_class >= 1:
        raise ValueError("icc_school and icc_class must be >= 0 with a sum below 1")
    if not 0 <= attrition < 1:
        raise ValueError(f"attrition must lie in [0, 1) (got {attrition})")
    rng = np.random.default_rng(seed)
    school_ids = [f"S{s + 1:03d}" for s in range(schools)]
    units = pd.DataFrame({"school_id": school_ids, "block": ["B1" if s < schools // 2 else "B2" for s in range(schools)]})
    arms = allocate(units, unit="school_id", block="block", seed=seed)
    treated = dict(zip(arms.unit, arms.arm == INTERVENTION, strict=True))
    school = np.repeat(np.arange(schools), classes_per_school * students_per_class)
    klass = np.repeat(np.arange(schools * classes_per_school), students_per_class)
    n = len(school)
    scale = math.pi ** 2 / 3 / (1 - icc_school - icc_class) if binary else 1.0  # latent total variance
    u_school = rng.normal(0, math.sqrt(icc_school * scale), schools)[school]
    u_class = rng.normal(0, math.sqrt(icc_class * scale), schools * classes_per_school)[klass]
    baseline = rng.normal(0, 1, n)
    treat = np.array([treated[school_ids[s]] for s in school], dtype=int)
    if binary:
        # the students' share is the logistic residual itself; the baseline shifts the log odds
        eta = math.log(BASE_RATE / (1 - BASE_RATE)) + effect * treat + u_school + u_class + RHO_BASELINE * baseline
        y = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(float)
    else:
        within = math.sqrt(1 - icc_school - icc_class)
        noise = rng.normal(0, 1, n)
        y = effect * treat + u_school + u_class + within * (RHO_BASELINE * baseline
                                                            + math.sqrt(1 - RHO_BASELINE ** 2) * noise)
    lost = rng.random(n) < attrition
    y[lost] = np.nan
    frame = pd.DataFrame({
        "student_id": [f"{school_ids[s]}-C{k % classes_per_school + 1}-{i + 1:03d}"
                       for i, (s, k) in enumerate(zip(school, klass, strict=True))],
        "school_id": [school_ids[s] for s in school],
        "class_id": [f"{school_ids[s]}-C{k % classes_per_school + 1}" for s, k in zip(school, klass, strict=True)],
        "block": units.block.to_numpy()[school],
        "treat": treat, "baseline": baseline, "y": y,
    })
    frame.attrs = {"design": design, "effect": effect, "effect_size": effect / 1.65 if binary else effect,
                   "effect_size_method": "cox_index" if binary else "hedges_g_total_variance",
                   "icc_school": icc_school, "icc_class": icc_class, "attrition": attrition, "binary": binary,
                   "seed": seed}
    return frame
