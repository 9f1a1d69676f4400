"""Reads that compare: a school among the schools of its stage and country, the countries side by side, and the
network by country for the home page. Every figure here is a figure some page already publishes (a school's or a
country's mean, rounded as displayed, or a count of at least MIN_CELL), so putting them side by side reveals
nothing new; whatever is left out is counted, so the page can say so."""

from __future__ import annotations

import pandas as pd
from django.db.models import Avg, Count, IntegerField
from django.db.models.functions import Cast

from safeschool.stats import descriptives as d
from safeschool.stats.disclosure import rounded
from safeschool.vocabulary import MIN_CELL
from safeschool.web.network.selectors import members_by_country
from safeschool.web.research.models import Outcome, School, Student, StudentScales
from safeschool.web.research.selectors import (
    PROFILE_MEASURES,
    Profile,
    country_list,
    precision,
    published_school_ids,
    student_frame,
)

# the key measures a school is compared on, and followed by wave
KEY_MEASURES = ("security", "belonging", "engagement", "attendance_rate")
# other schools a school is shown among: fewer would single one out as "the other school" and say little
MIN_PEERS = 2


def school_peers(*, school: School, profile: Profile) -> dict:
    """Where the school stands among the other schools of its stage and country, at its last wave: per key
    measure the school's own published mean, the published means of the other schools, and how many other schools
    were left out because the measure covers fewer than MIN_CELL of their students (their pages hide it too).

    A measure is `shown` only when the school's own mean is published and at least MIN_PEERS other schools'
    are: then every dot is a mean over at least MIN_CELL students that the school's own page already shows."""
    wave = profile.last_wave
    others = list(School.objects.filter(country_id=school.country_id, stage=school.stage).exclude(pk=school.pk)
                  .values_list("pk", flat=True))
    frame = student_frame(students=Student.objects.filter(school_class__school__in=others)) if others and wave \
        else pd.DataFrame(columns=["school_id", "wave", *KEY_MEASURES])
    at_wave = frame[frame.wave == wave] if len(frame) else frame
    measures = {}
    for measure in KEY_MEASURES:
        own = profile.value(wave, measure) if wave else None
        values, left_out = [], 0
        for pk in others:
            column = at_wave[at_wave.school_id == pk][measure] if len(at_wave) else pd.Series(dtype=float)
            stat = d.mean_ci(column, MIN_CELL, precision(measure))
            if stat["suppressed"]:
                left_out += 1
            else:
                values.append(stat["mean"])
        own_shown = bool(own) and not own.get("suppressed")
        measures[measure] = {"label": PROFILE_MEASURES[measure], "own": own["mean"] if own_shown else None,
                             "own_n": own["n"] if own_shown else None, "others": sorted(values),
                             "left_out": left_out,
                             "shown": own_shown and len(values) >= MIN_PEERS}
    return {"wave": wave, "n_others": len(others), "measures": measures}


def _by_country_and_wave(queryset, country_path: str, fields: dict) -> dict[int, tuple[int, dict]]:
    """{country id: (its last wave, {field: (n, mean)})} over the rows of `queryset`."""
    annotations = {}
    for name, expression in fields.items():
        annotations[f"mean_{name}"] = Avg(expression)
        annotations[f"n_{name}"] = Count(expression)
    rows = queryset.values(country_path, "wave__number").annotate(**annotations)
    found: dict[int, tuple[int, dict]] = {}
    for row in rows:
        country, wave = row[country_path], row["wave__number"]
        if country not in found or wave > found[country][0]:
            found[country] = (wave, {name: (row[f"n_{name}"], row[f"mean_{name}"]) for name in fields})
    return found


def _published(n: int, mean, measure: str) -> float | None:
    return None if n < MIN_CELL or mean is None else rounded(float(mean), precision(measure))


def country_indicators() -> list[dict]:
    """Per country: its policy indicators and, at its last wave, the mean security, belonging and attendance and
    the share who left early, over the students of its schools of at least MIN_CELL students (the figures its
    country page shows); a figure over fewer than MIN_CELL students is None."""
    published = published_school_ids()
    path = "student__school_class__school__country_id"
    scales = _by_country_and_wave(
        StudentScales.objects.filter(student__school_class__school__in=published), path,
        {"security": "security", "belonging": "belonging"})
    outcomes = _by_country_and_wave(
        Outcome.objects.filter(student__school_class__school__in=published), path,
        {"attendance_rate": "attendance_rate", "dropped_out": Cast("dropped_out", IntegerField())})
    rows = []
    for country in country_list():
        row = {"code": country.code, "name": country.name, "n_schools": country.n_schools,
               "n_students": country.n_students if country.n_students >= MIN_CELL else None,
               "tracking_age": country.tracking_age, "grade_repetition": _share(country.grade_repetition_pct),
               "esl_rate": _share(country.esl_rate_pct), "inclusion_index": country.inclusion_index}
        for source, measures in ((scales, ("security", "belonging")), (outcomes, ("attendance_rate", "dropped_out"))):
            wave, figures = source.get(country.pk, (None, {}))
            for measure in measures:
                row[measure] = _published(*figures.get(measure, (0, None)), measure)
            row["wave"] = row.get("wave") or wave
        rows.append(row)
    return rows


def _share(percent) -> float | None:
    return None if percent is None else round(float(percent) / 100, 4)


def network_by_country() -> list[dict]:
    """The network by country for the home page: the countries with schools in the registry (schools, and
    students in schools of at least MIN_CELL students) and the countries network members come from (members;
    fewer than MIN_CELL is shown as such)."""
    members = members_by_country()
    countries = {c.code: c for c in country_list()}
    rows = []
    for code in dict.fromkeys([*countries, *members]):
        country = countries.get(code)
        n_members = members.get(code, 0)
        rows.append({"code": code, "name": country.name if country else None,
                     "n_schools": country.n_schools if country else 0,
                     "n_students": (country.n_students if country.n_students >= MIN_CELL else None) if country else 0,
                     "n_members": n_members if n_members >= MIN_CELL or n_members == 0 else None,
                     "in_registry": country is not None})
    return rows
