"""Simulated answers to the partnership survey and the needs analysis, for the demo and for tests: seeded, realistic
rather than uniform. A partnership's latent quality (drawn once per partnership by the caller and passed to both
sides, so that the sides agree more than chance) moves every item and makes problems less likely; the REC side
rates the partnership a little higher; time, leadership and resources score lowest, as in the literature on
school–agency collaboration. Needs: leaders and teachers put different topics first; a country may stress some."""

from __future__ import annotations

import math

import numpy as np

from safeschool.partnership import instrument as instrument_module
from safeschool.partnership import needs as needs_module
from safeschool.partnership.taxonomy import PROBLEMS

# how often a side names each problem in a partnership of average quality
PROBLEM_RATES = {"time": 0.55, "funding": 0.3, "staff_turnover": 0.4, "unclear_roles": 0.2, "data_sharing": 0.25,
                 "families_reach": 0.3, "communication": 0.25, "leadership_support": 0.1, "bureaucracy": 0.2,
                 "training_gaps": 0.2, "trust": 0.08, "other": 0.03}
DIMENSION_SHIFT = {"shared_goals": 0.2, "roles": -0.1, "communication": -0.2, "trust": 0.2, "joint_work": -0.1,
                   "resources": -0.4}
SIDE_SHIFT = {"school": 0.0, "rec": 0.15}
NEEDS_BASE = {  # expected priority (1-4) per role
    "leader": {"leading_change": 3.2, "data_use": 3.0, "rec_partnership": 3.0, "school_climate": 2.9,
               "early_warning": 2.9, "families": 2.8, "alternatives_exclusion": 2.7},
    "teacher": {"early_warning": 3.2, "migrant_learners": 3.0, "sen_inclusion": 3.1, "wellbeing": 3.1,
                "classroom_climate": 2.9, "relationships": 2.8, "families": 2.9, "bullying": 2.7},
}
FORMAT_RATES = {"workshop": 0.6, "online_course": 0.35, "coaching": 0.45, "peer_learning": 0.4, "school_visits": 0.25,
                "resource_pack": 0.3}


def survey_response(rng: np.random.Generator, side: str, *, quality: float = 0.0, instrument=None,
                    problem_rates: dict[str, float] | None = None) -> dict:
    """One side's answer: {"answers": {item code: 1-5}, "problems": [codes]}. `quality`: the partnership's latent
    quality (about -1 poor to 1 strong; draw it once per partnership, e.g. rng.normal(0, 0.6)); `problem_rates`
    overrides PROBLEM_RATES for some codes (a country where data sharing is hard)."""
    instrument = instrument or instrument_module.load()
    if side not in SIDE_SHIFT:
        raise ValueError(f"unknown side {side!r}")
    low, high = instrument.scale
    answers = {}
    for dimension in instrument.dimensions:
        centre = 3.5 + quality + SIDE_SHIFT[side] + DIMENSION_SHIFT.get(dimension.code, 0.0)
        for item in dimension.items:
            answers[item.code] = int(min(high, max(low, round(centre + rng.normal(0, 0.6)))))
    rates = {**PROBLEM_RATES, **(problem_rates or {})}
    problems = [code for code in PROBLEMS
                if rng.random() < min(0.95, max(0.0, rates.get(code, 0.0) * math.exp(-0.8 * quality)))]
    return {"answers": answers, "problems": problems}


def needs_response(rng: np.random.Generator, role: str, *, needs=None, emphasis: dict[str, float] | None = None) -> dict:
    """One respondent's needs: {"needs": {topic code: 1-4}, "formats": [codes]} over the topics the role is asked;
    `emphasis` adds to some topics' expected priority (e.g. {"roma_inclusion": 0.8} where Roma pupils are many)."""
    needs = needs or needs_module.load()
    low, high = needs.scale
    base = NEEDS_BASE.get(role, {})
    ratings = {}
    for topic in needs.topics_for(role):
        centre = base.get(topic.code, 2.4) + (emphasis or {}).get(topic.code, 0.0)
        ratings[topic.code] = int(min(high, max(low, round(centre + rng.normal(0, 0.8)))))
    formats = [code for code in needs.formats if rng.random() < FORMAT_RATES.get(code, 0.3)]
    return {"needs": ratings, "formats": formats or [next(iter(needs.formats))]}
