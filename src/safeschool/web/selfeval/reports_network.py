"""The network comparison for researchers and administrators: for one dimension or subdimension, per informant
group, how the schools of each stage and country score (the middle half and the median, report.network_summary;
a stage and country of fewer than 10 schools is hidden, and its stage across the network shown in its place),
with one chosen school highlighted. A group with no place shown gets a sentence, not an empty chart."""

from __future__ import annotations

from django.utils.translation import gettext

from safeschool.selfeval import questionnaire as questionnaires
from safeschool.selfeval import report as reports
from safeschool.vocabulary import MIN_CELL, STAGES
from safeschool.web.core import formatting
from safeschool.web.selfeval import charts, selectors_reports
from safeschool.web.selfeval.reports import informant_label, name


def _place(stage: str, country: str) -> str:
    if country == reports.ALL_COUNTRIES:
        # Translators: a stage's schools in every country of the network, e.g. "Lower secondary, all countries".
        return gettext("%(stage)s, all countries") % {"stage": formatting.label("stage", stage)}
    return f"{formatting.label('stage', stage)}, {formatting.label('country', country)}"


def _rows(summary: list[dict], informant: str) -> list[dict]:
    """One group's places, stage by stage: each country of the stage with enough schools; when a country of the
    stage has too few, the stage across the network in its place (country ALL_COUNTRIES) — the fallback the school
    report uses. Places with too few schools stay in the data table, without figures."""
    by_stage: dict[str, list[dict]] = {}
    for r in summary:
        if r.get("informant") == informant:
            by_stage.setdefault(r["stage"], []).append(
                {"place": _place(r["stage"], r["country"]), "stage": r["stage"], "country": r["country"],
                 "n_schools": r.get("n_schools"), "p25": r.get("p25"), "median": r.get("median"),
                 "p75": r.get("p75"), "suppressed": r.get("median") is None})
    out = []
    for stage in sorted(by_stage, key=lambda s: (STAGES.index(s) if s in STAGES else len(STAGES), s)):
        countries = sorted((r for r in by_stage[stage] if r["country"] != reports.ALL_COUNTRIES),
                           key=lambda r: r["place"])
        wide = [r for r in by_stage[stage] if r["country"] == reports.ALL_COUNTRIES]
        out += countries
        if any(r["suppressed"] for r in countries):
            out += [r | {"stage_wide": True} for r in wide]
    return out


def _highlight_place(rows: list[dict], school) -> str | None:
    """Where the highlighted school's dot goes: its stage and country when shown, else its stage network-wide."""
    for country in (school.country.code, reports.ALL_COUNTRIES):
        if any(r["stage"] == school.stage and r["country"] == country and not r["suppressed"] for r in rows):
            return _place(school.stage, country)
    return None


def _choice(value, allowed: list[str], default: str) -> str:
    return value if value in allowed else default


def _school_id(value) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def network_page(user, params) -> dict:
    """The network page's context for the chosen code (`code`), groups and highlighted school (`school`, an id)."""
    q = questionnaires.load()
    codes = [c for d in q.dimensions for c in [d.code, *(s.code for s in d.subdimensions)]]
    code = _choice(params.get("code"), codes, codes[0])
    results, meta = selectors_reports.network_results(user, q.version)
    summary = reports.network_summary(results, meta, stage_wide=True, codes=[code])
    schools = list(selectors_reports.network_schools(user))
    chosen = next((s for s in schools if s.pk == _school_id(params.get("school"))), None)
    mine = {}
    if chosen is not None:
        for row in results.get(chosen.code) or []:
            if row.get("code") == code and row.get("level") in ("dimension", "subdimension") \
                    and row.get("score_100") is not None:
                mine[row["informant"]] = row["score_100"]
    figures = []
    for informant in questionnaires.INFORMANTS:
        rows = _rows(summary, informant)
        if not rows:
            continue
        shown = [r for r in rows if not r["suppressed"]]
        figure = {"informant": informant, "label": informant_label(informant), "rows": rows, "chart": None,
                  "stage_wide": any(r.get("stage_wide") and not r["suppressed"] for r in rows)}
        if not shown:  # no chart frame without a mark: the page says why in words
            # Translators: on the network comparison, when no place can be shown for a group, e.g. "No stage has
            # 10 schools with a score from Families, in one country or across the network: nothing is shown."
            figure["empty"] = gettext("No stage has %(n)s schools with a score from %(group)s, in one country or "
                                      "across the network: nothing is shown.") % {
                "n": MIN_CELL, "group": informant_label(informant)}
            figures.append(figure)
            continue
        highlight = None
        place = _highlight_place(rows, chosen) if chosen is not None and informant in mine else None
        if place is not None:
            highlight = {"place": place, "school": chosen.name, "score_100": mine[informant]}
        # Translators: a chart's title on the network comparison, e.g. "Safe Learning as Teachers see it, by stage
        # and country".
        title = gettext("%(name)s as %(group)s see it, by stage and country") % {
            "name": name(q, code), "group": informant_label(informant)}
        figure["chart"] = charts.network_ranges(rows, highlight, title)
        figures.append(figure)
    return {"code": code, "code_name": name(q, code), "figures": figures, "schools": schools, "chosen": chosen,
            "mine": {informant_label(k): v for k, v in mine.items()},
            "options": [{"code": c, "name": name(q, c), "is_dimension": any(d.code == c for d in q.dimensions)}
                        for c in codes],
            "n_schools": len(results),
            # Translators: the note under the network comparison.
            "note": gettext("Each school counts with its latest closed campaign. A stage and country with fewer than "
                            "10 schools is not shown; the stage's schools in all countries of the network are shown "
                            "in its place (“all countries”), when they are 10 or more.")}
