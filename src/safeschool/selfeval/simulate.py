"""Simulated answers to the School Evaluation Questionnaire, for tests, the demo, the benchmark and anyone who wants
to try `safeschool selfeval score` without real data. Deterministic per seed; pure (no Django).

The model, on the 0–100 scale of docs/selfeval.md, for respondent r of informant group g at school s, indicator i:

    target = BASE + item_i + LEVEL_SD × level_s + SHIFT_g + gap_(subdimension(i), g) + person_r

A Likert answer is a latent normal draw around that target (put on the item scale) cut into the scale's categories
at the half points, so answers pile up at the ends as real ones do. Leaders rate about 10 points above teachers,
teachers above students, families in between (SHIFTS), with subdimension-specific gaps on top (GAPS). Yes/no practices
and figures are facts about the school: the school has the practice or not (more likely at a better school) and each
leader reports it (nearly always the same); teachers, students and families asked about a practice see it less
reliably. Figures are only ever reported by leaders, within plausible ranges (attendance 85–97 %, suspensions 0–12
per 100 students ...) and always within the indicator's declared min and max. About 3 % of answers are left blank.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from safeschool.csvsafe import frame_to_csv
from safeschool.selfeval.questionnaire import INFORMANTS, Indicator, Questionnaire
from safeschool.vocabulary import COUNTRIES, STAGES

DEFAULT_N = {"leaders": 3, "teachers": 40, "students": 200, "families": 80}
BASE = 62.0          # the average school's 0–100 score as teachers see it
LEVEL_SD = 8.0       # points per standard deviation of the school level
ITEM_SD = 6.0        # spread of the indicators' own baselines (some practices are rarer than others)
PERSON_SD = 13.0     # a respondent's general leniency, in points (gives alphas around 0.8)
ANSWER_SD = 0.75     # latent noise of one Likert answer, in scale points
NON_RESPONSE = 0.03  # share of blank answers
# Perception shifts per informant group, in points: leaders ~10 above teachers, teachers above students, families
# in between (the SELFIE pattern: those who run the school see it more favourably).
SHIFTS = {"leaders": 10.0, "teachers": 0.0, "families": -4.0, "students": -8.0}
# Subdimension-specific gaps on top of SHIFTS, in points (codes absent from a questionnaire are ignored).
GAPS: dict[str, dict[str, float]] = {
    "safe_relationships": {"students": -7.0, "leaders": 4.0},           # bullying is seen from below
    "safe_teacher": {"teachers": -8.0, "leaders": 5.0},                 # workload and wellbeing
    "safe_functioning": {"students": -6.0},                            # voice and fair rules
    "kind_school": {"families": -6.0},                                 # partnership with families
    "wise_school_teaching_learning": {"students": -8.0, "families": -3.0},  # academic pressure
    "school_development_policies": {"teachers": -5.0, "families": -5.0},   # who is in the planning
}
# Plausible (low, high) per figure code, the better end reached by a better school; others use their declared range.
PLAUSIBLE = {"student_attendance": (85.0, 97.0), "staff_attendance": (92.0, 99.0), "suspensions": (0.0, 12.0),
             "grade_repetition": (0.0, 10.0), "early_leaving": (0.0, 12.0), "student_teacher_ratio": (8.0, 20.0)}
YES_SHARE_NOT_LEADER = (0.2, 0.8)  # P(a non-leader answers yes) when the school lacks / has the practice
NETWORK_SHARES = {"teachers": 0.2, "students": 0.55, "families": 0.25}  # of the non-leader respondents


def _item_offsets(questionnaire: Questionnaire) -> dict[str, float]:
    """Each indicator's own baseline offset, stable across schools and seeds (from its code)."""
    return {code: float(np.random.default_rng(zlib.crc32(code.encode())).normal(0.0, ITEM_SD))
            for code in questionnaire.indicators}


def _subdimension_of(questionnaire: Questionnaire) -> dict[str, str]:
    return {i.code: s.code for d in questionnaire.dimensions for s in d.subdimensions for i in s.indicators}


def simulate_campaign(questionnaire: Questionnaire, *, school: str, n: Mapping[str, int] | None = None,
                      level: float = 0.0, gaps: Mapping[str, Mapping[str, float]] | None = None,
                      seed: int = 0) -> pd.DataFrame:
    """One school's answers: a frame of ``school``, ``informant`` and one float column per indicator code in the
    questionnaire's order (NaN = blank or not asked), rows grouped by informant in INFORMANTS order.

    ``n``: respondents per informant group (missing groups get none); ``level``: the school's level in standard
    deviations (0 = average); ``gaps``: subdimension -> {informant: points} replacing GAPS for those subdimensions."""
    counts = {g: int((DEFAULT_N if n is None else n).get(g, 0)) for g in INFORMANTS}
    rng = np.random.default_rng([seed, zlib.crc32(school.encode())])
    gap_table = {**GAPS, **(gaps or {})}
    offsets = _item_offsets(questionnaire)
    sub_of = _subdimension_of(questionnaire)
    indicators = list(questionnaire.indicators.values())
    facts = _school_facts(indicators, offsets, level, rng)
    blocks = []
    for group, size in counts.items():
        if size <= 0:
            continue
        person = rng.normal(0.0, PERSON_SD, size)[:, None]
        columns = np.full((size, len(indicators)), np.nan)
        for k, ind in enumerate(indicators):
            if group not in ind.informants:
                continue
            if ind.type == "likert":
                target = (BASE + offsets[ind.code] + LEVEL_SD * level + SHIFTS[group]
                          + gap_table.get(sub_of[ind.code], {}).get(group, 0.0) + person[:, 0])
                columns[:, k] = _likert(target, ind.scale, rng)
            elif ind.type == "yes_no":
                has = facts[ind.code] == 1.0
                p_yes = (0.95 if has else 0.05) if group == "leaders" else YES_SHARE_NOT_LEADER[int(has)]
                columns[:, k] = (rng.random(size) < p_yes).astype(float)
            elif group == "leaders":  # figures: the school's own number, the same from every leader
                columns[:, k] = facts[ind.code]
        blank = rng.random(columns.shape) < NON_RESPONSE
        columns[blank] = np.nan
        block = pd.DataFrame(columns, columns=[i.code for i in indicators])
        block.insert(0, "informant", group)
        block.insert(0, "school", school)
        blocks.append(block)
    if not blocks:
        return pd.DataFrame(columns=["school", "informant", *questionnaire.indicators])
    return pd.concat(blocks, ignore_index=True)


def _likert(target_100: np.ndarray, scale: tuple[int, int], rng: np.random.Generator) -> np.ndarray:
    """A latent normal around the target (0–100 put on the scale) cut at the half points into low..high."""
    low, high = scale
    latent = low + np.clip(target_100, 0, 100) / 100 * (high - low) + rng.normal(0.0, ANSWER_SD, target_100.shape)
    return np.clip(np.rint(latent), low, high)


def _school_facts(indicators: list[Indicator], offsets: dict[str, float], level: float,
                  rng: np.random.Generator) -> dict[str, float]:
    """Whether the school has each yes/no practice (1/0) and the value of each figure."""
    facts = {}
    for ind in indicators:
        if ind.type == "yes_no":
            logit = 0.4 + 0.9 * level + offsets[ind.code] / ITEM_SD
            facts[ind.code] = float(rng.random() < 1 / (1 + np.exp(-logit)))
        elif ind.type == "figure":
            spec = ind.figure
            low, high = PLAUSIBLE.get(ind.code, (spec.min + 0.25 * (spec.max - spec.min),
                                                 spec.min + 0.75 * (spec.max - spec.min)))
            # position in the plausible range: 0.5 for the average school, towards the better end for a better one
            good = float(np.clip(0.5 + 0.18 * level + rng.normal(0.0, 0.15), 0.0, 1.0))
            value = low + (good if spec.higher_is_better else 1 - good) * (high - low)
            facts[ind.code] = float(np.clip(round(value, 1), spec.min, spec.max))
    return facts


def network_sizes(respondents: int, rng: np.random.Generator) -> dict[str, int]:
    """Respondents per group for one school of a simulated network: 1-5 leaders, the rest split around
    NETWORK_SHARES with school-to-school variation (so some schools have a family group under the threshold)."""
    leaders = int(min(max(1, round(respondents * 0.015)), 5, max(respondents - 1, 1)))
    shares = rng.dirichlet([NETWORK_SHARES[g] * 12 for g in NETWORK_SHARES])
    rest = max(respondents - leaders, 0)
    sizes = np.floor(shares * rest).astype(int)
    sizes[np.argmax(shares)] += rest - sizes.sum()
    return {"leaders": leaders, **{g: int(s) for g, s in zip(NETWORK_SHARES, sizes, strict=True)}}


def school_codes(schools: int) -> list[str]:
    return [f"S{k:03d}" for k in range(1, schools + 1)]


def simulate_network(questionnaire: Questionnaire, schools: int = 120, respondents: int = 200, seed: int = 0,
                     on_school: Callable[[str], None] | None = None) -> pd.DataFrame:
    """Answers of ``schools`` schools (codes S001, S002 ...) of about ``respondents`` respondents each, school levels
    drawn from a standard normal and each school's gaps varying around GAPS. ``on_school`` is called after each
    school (for a progress bar)."""
    rng = np.random.default_rng(seed)
    frames = []
    for code in school_codes(schools):
        level = float(rng.normal())
        gaps = {sub: {g: v + float(rng.normal(0.0, 3.0)) for g, v in shifts.items()} for sub, shifts in GAPS.items()}
        frames.append(simulate_campaign(questionnaire, school=code, n=network_sizes(respondents, rng), level=level,
                                        gaps=gaps, seed=seed))
        if on_school:
            on_school(code)
    return pd.concat(frames, ignore_index=True)


def network_meta(schools: int = 120, seed: int = 0, countries: int = 4) -> dict[str, dict[str, str]]:
    """Stage and country of each simulated school (codes as simulate_network), from the first ``countries`` EU
    countries and the school stages, for peer comparisons and the network summary."""
    rng = np.random.default_rng([seed, 1])
    stages = STAGES[1:4]  # primary, lower and upper secondary (in STAGES' order): where students answer
    places = [c for c, _ in COUNTRIES[:countries]]
    return {code: {"stage": stages[int(rng.integers(len(stages)))], "country": places[int(rng.integers(len(places)))]}
            for code in school_codes(schools)}


def write_csv(responses: pd.DataFrame, path: str | Path) -> None:
    """The frame as a responses CSV `safeschool selfeval score` reads: whole numbers without decimals, blanks
    empty."""
    frame_to_csv(responses, path, index=False, float_format="%g", na_rep="")
