"""The network comparison for researchers and administrators: for one dimension or subdimension, per informant
group, how the schools of each stage and country score (the middle half and the median, report.network_summary;
a stage and country of fewer than 10 schools is hidden), with one chosen school highlighted."""

from __future__ import annotations

from django.utils.translation import gettext

from safeschool.selfeval import questionnaire as questionnaires
from safeschool.selfeval import report as reports
from safeschool.web.core import formatting
from safeschool.web.selfeval import charts, selectors_reports
from safeschool.web.selfeval.reports import informant_label, name


def _place(stage: str, country: str) -> str:
    return f"{formatting.label('stage', stage)}, {formatting.label('country', country)}"


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
    summary = [r for r in reports.network_summary(results, meta) if r.get("code") == code]
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
        rows = [{"place": _place(r["stage"], r["country"]), "stage": r["stage"], "country": r["country"],
                 "n_schools": r.get("n_schools"), "p25": r.get("p25"), "median": r.get("median"), "p75": r.get("p75"),
                 "suppressed": r.get("median") is None}
                for r in summary if r.get("informant") == informant]
        if not rows:
            continue
        rows.sort(key=lambda r: (r["stage"], r["place"]))
        highlight = None
        if chosen is not None and informant in mine:
            highlight = {"place": _place(chosen.stage, chosen.country.code), "school": chosen.name,
                         "score_100": mine[informant]}
        # Translators: a chart's title on the network comparison, e.g. "Safe Learning as Teachers see it, by stage
        # and country".
        title = gettext("%(name)s as %(group)s see it, by stage and country") % {
            "name": name(q, code), "group": informant_label(informant)}
        figures.append({"informant": informant, "label": informant_label(informant), "rows": rows,
                        "chart": charts.network_ranges(rows, highlight, title)})
    return {"code": code, "code_name": name(q, code), "figures": figures, "schools": schools, "chosen": chosen,
            "mine": {informant_label(k): v for k, v in mine.items()},
            "options": [{"code": c, "name": name(q, c), "is_dimension": any(d.code == c for d in q.dimensions)}
                        for c in codes],
            "n_schools": len(results),
            # Translators: the note under the network comparison.
            "note": gettext("Each school counts with its latest closed campaign. A stage and country with fewer than "
                            "10 schools is not shown.")}
