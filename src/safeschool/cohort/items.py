"""Item-level survey answers generated from the instrument registry: each item is its scale's simulated score plus
item noise, rounded to the response range, reverse-keyed items mirrored, with item non-response. The files read
like a survey tool's export (one row per respondent and wave) and go through the same importer as real files."""

from __future__ import annotations

import numpy as np
import pandas as pd

from safeschool.instruments.registry import Instrument, registry

STUDENT_INSTRUMENTS = ("kss", "strs_sf", "pssm", "engagement", "climate")
TEACHER_INSTRUMENTS = ("tses_sf",)
LANGUAGES = {"IT": "it", "ES": "es", "PT": "pt", "EL": "el", "RO": "ro"}  # others answer in English here
ITEM_NOISE = 0.8  # SD of an item around its scale score, in response units
ITEM_MISSING = 0.015  # share of single items left blank by respondents who answered the survey


def _item_block(scores: pd.DataFrame, instrument: Instrument, rng: np.random.Generator) -> dict[str, np.ndarray]:
    out = {}
    for item in instrument.items:
        scale = next((s for s in instrument.scales if s.target and item in s.items), None)
        if scale is None:
            continue
        field = scale.target.split(".", 1)[1]
        base = scores[field].to_numpy(dtype=float)
        value = np.clip(np.round(base + rng.normal(0, ITEM_NOISE, len(base))), instrument.minimum, instrument.maximum)
        if item in instrument.reverse:
            value = instrument.minimum + instrument.maximum - value
        value[rng.random(len(base)) < ITEM_MISSING] = np.nan
        out[item] = value
    return out


def survey_items(scales: pd.DataFrame, teacher_scales: pd.DataFrame, languages: dict[str, str],
                 teacher_languages: dict[str, str], seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(student_items, teacher_items): wide tables with id, wave, language and one column per item. A student's
    row of one instrument is blank where the simulated scale score is missing (did not answer that wave)."""
    rng = np.random.default_rng(seed)
    instruments = registry()
    student = {"student_id": scales.student_id.to_numpy(), "wave": scales.wave.to_numpy(),
               "language": scales.student_id.map(languages).fillna("en").to_numpy()}
    for code in STUDENT_INSTRUMENTS:
        student |= _item_block(scales, instruments[code], rng)
    teacher = {"teacher_id": teacher_scales.teacher_id.to_numpy(), "wave": teacher_scales.wave.to_numpy(),
               "language": teacher_scales.teacher_id.map(teacher_languages).fillna("en").to_numpy()}
    for code in TEACHER_INSTRUMENTS:
        teacher |= _item_block(teacher_scales, instruments[code], rng)
    student_items, teacher_items = pd.DataFrame(student), pd.DataFrame(teacher)
    for frame in (student_items, teacher_items):
        items = frame.columns[3:]
        frame[items] = frame[items].astype("Int8")
    return student_items, teacher_items
