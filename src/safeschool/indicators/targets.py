"""Early leavers from education and training (ESL: % of 18-24-year-olds with at most lower secondary education and
in no education or training) against the EU's targets: a country's national series, its regions' latest rates, and
the distance to, and the years below, a target.

The targets are EU-level: "below 9 %" by 2030 (Council Resolution on a strategic framework for European cooperation
in education and training towards the European Education Area and beyond (2021-2030), OJ C 66, 26.2.2021, p. 1,
2021/C 66/01) and "below 10 %" by 2020 (the Europe 2020 headline target). Below means strictly below: 9.0 % has
not met the 2030 target.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from safeschool.indicators.eurostat import Observation

TARGET_2030 = 9.0
TARGET_2020 = 10.0
TARGETS = {2030: TARGET_2030, 2020: TARGET_2020}

# The rows that are the ESL indicator in each dataset. The codes are Eurostat's (ESTAT's codelists): age Y18-24,
# unit PC (percentage), sex T/F/M; edat_lfse_14 also breaks the rate down by labour status, whose total is wstatus
# POP (population) - see the dataset's table "Early leavers from education and training by sex and labour status",
# wstatus "Population", and SDMX queries such as edat_lfse_16/A.PC.T+M+F.Y18-24 for the regional file. A wstatus
# dimension, wherever it appears, is held to POP.
ESL_SELECTION = {"age": "Y18-24", "unit": "PC"}
WSTATUS_TOTAL = "POP"
# sdg_04_10 is the headline (SDG) series; edat_lfse_14 the same rate by labour status; edat_lfse_16 the regional
# file, whose two-letter rows are the countries
PREFERENCE = ("sdg_04_10", "edat_lfse_14", "edat_lfse_16")
TREND_YEARS = 5


@dataclass(frozen=True)
class Point:
    year: int
    value: float | None  # None: Eurostat publishes no figure (":"), its flags say why (e.g. "c", "u")
    flags: str
    break_in_series: bool


def is_esl(observation: Observation, *, sex: str = "T") -> bool:
    """Is this observation the ESL rate (18-24, %, total labour status) for that sex?"""
    dims = dict(observation.dims)
    return (observation.sex == sex and all(dims.get(name) == code for name, code in ESL_SELECTION.items())
            and dims.get("wstatus", WSTATUS_TOTAL) == WSTATUS_TOTAL)


def national_series(observations: Iterable[Observation], *, geo: str, sex: str = "T") -> list[Point]:
    """The ESL series for one geo (a country or an aggregate) and sex, by year, from the first dataset in PREFERENCE
    that has it; years without a figure are kept (value None) with their flags."""
    by_dataset: dict[str, list[Observation]] = {}
    for observation in observations:
        if observation.geo == geo and is_esl(observation, sex=sex):
            by_dataset.setdefault(observation.dataset, []).append(observation)
    for dataset in PREFERENCE:
        if by_dataset.get(dataset):
            rows = sorted(by_dataset[dataset], key=lambda row: row.year)
            return [Point(row.year, row.value, row.flags, row.break_in_series) for row in rows]
    return []


def regional_latest(observations: Iterable[Observation], *, country: str) -> list[dict]:
    """Each NUTS region of a country in edat_lfse_16 (sex T) at its latest year with a figure, by geo code."""
    latest: dict[str, Observation] = {}
    for observation in observations:
        if (observation.dataset == "edat_lfse_16" and len(observation.geo) > 2 and observation.country == country
                and observation.value is not None and is_esl(observation)):
            held = latest.get(observation.geo)
            if held is None or observation.year > held.year:
                latest[observation.geo] = observation
    return [{"geo": geo, "year": row.year, "value": row.value, "flags": row.flags}
            for geo, row in sorted(latest.items())]


def distance(value: float | None, target: float) -> float | None:
    """value - target in percentage points (negative: below the target); None when there is no value."""
    return None if value is None else round(value - target, 10)


def met(value: float | None, target: float) -> bool | None:
    """Strictly below the target ("below 9 %"); None when there is no value."""
    return None if value is None else value < target


def years_met(points: Iterable[Point], target: float) -> list[int]:
    return [point.year for point in points if met(point.value, target)]


def summary(points: list[Point], target: float = TARGET_2030) -> dict:
    """The latest figure, its distance to the target, whether and when the target was met, breaks in the series and
    the change from the first to the last of the latest TREND_YEARS years with a figure (None with fewer than two)."""
    valued = [point for point in points if point.value is not None]
    last = valued[-1] if valued else None
    met_years = years_met(valued, target)
    window = valued[-TREND_YEARS:]
    trend = round(window[-1].value - window[0].value, 10) if len(window) >= 2 else None
    return {
        "latest_year": last.year if last else None,
        "latest": last.value if last else None,
        "latest_flags": last.flags if last else "",
        "distance": distance(last.value if last else None, target),
        "met": met(last.value if last else None, target),
        "years_met": met_years,
        "first_year_met": met_years[0] if met_years else None,
        "breaks": [point.year for point in points if point.break_in_series],
        "trend": trend,
    }
