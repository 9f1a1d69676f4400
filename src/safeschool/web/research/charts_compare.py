"""Charts that compare (built with Altair): a school among the schools of its stage and country, the countries
side by side (one small chart per indicator), and the network on a tile-grid map of Europe drawn with rect and
text marks (no map tiles, nothing fetched). Figures on marks are written by the formatting layer, as in charts.py.
"""

from __future__ import annotations

import altair as alt
import pandas as pd
from django.utils.translation import gettext

from safeschool import chart_theme as theme
from safeschool.web.core import formatting
from safeschool.web.research.charts import WIDTH, bars, column, records, spec

SHARES = {"attendance_rate", "dropped_out"}


def _figure(measure: str, value, digits: int = 2) -> str:
    return formatting.percent(value, 1) if measure in SHARES else formatting.number(value, digits)


def peer_strip(measure: str, figures: dict, title: str) -> dict:
    """Each other school of the same stage and country as a grey tick, this school as an orange one with its value
    written above it. Other schools are not named: the chart is about where this school stands."""
    this = gettext("This school")
    other = gettext("Another school of the same stage and country")
    rows = [{"who": other, "value": v, "display": "", "this": False} for v in figures["others"]]
    rows.append({"who": this, "value": figures["own"], "display": _figure(measure, figures["own"]), "this": True})
    rows.sort(key=lambda r: r["value"])
    values = [r["value"] for r in rows]
    pad = max(max(values) - min(values), 0.02 if measure in SHARES else 0.2) * 0.25
    domain = [min(values) - pad, max(values) + pad]
    base = alt.Chart(alt.Data(values=rows)).encode(
        x=alt.X("value:Q", title=None, scale=alt.Scale(domain=domain, nice=False, zero=False),
                axis=alt.Axis(tickCount=4, **({"format": "~%"} if measure in SHARES else {}))))
    tooltip = [alt.Tooltip("who:N", title=gettext("School")),
               alt.Tooltip("value:Q", title=title, format=".1~%" if measure in SHARES else ".2f")]
    chart = alt.layer(
        base.transform_filter("!datum.this").mark_tick(color=theme.OTHERS, thickness=2, size=28).encode(
            y=alt.value(40), tooltip=tooltip),
        base.transform_filter("datum.this").mark_tick(color=theme.HIGHLIGHT, thickness=4, size=36).encode(
            y=alt.value(40), tooltip=tooltip),
        base.transform_filter("datum.this").mark_text(baseline="bottom", dy=-20, fontWeight=600,
                                                      color=theme.HIGHLIGHT).encode(y=alt.value(40),
                                                                                    text="display:N"),
    ).properties(width=WIDTH, height=64, title=title)
    below = sum(1 for v in figures["others"] if v < figures["own"])
    # Translators: where a school stands, e.g. "This school: 2.89; 4 of the 6 other schools of its stage and
    # country have a lower mean."
    summary = gettext("This school: %(value)s; %(below)s of the %(n)s other schools of its stage and country are "
                      "lower.") % {"value": _figure(measure, figures["own"]), "below": formatting.count(below),
                                   "n": formatting.count(len(figures["others"]))}
    fig = "percent" if measure in SHARES else "number:2"
    return spec(chart, summary=summary, rows=rows,
                columns=[column("who", gettext("School")), column("value", title, fig)])


# country indicator -> (title, format, reference line)
def _indicators() -> dict:
    return {
        "esl_rate": (gettext("Early leavers from education and training (18–24)"), "percent",
                     (0.09, gettext("EU 2030 target: below 9 %"))),
        "dropped_out": (gettext("Left education early in the network's schools (last wave)"), "percent", None),
        "attendance_rate": (gettext("Attendance rate (last wave)"), "percent", None),
        "security": (gettext("Attachment security (1–4), mean (last wave)"), "number:2", None),
        "belonging": (gettext("Sense of belonging (1–5), mean (last wave)"), "number:2", None),
        "grade_repetition": (gettext("Grade repetition"), "percent", None),
        "tracking_age": (gettext("Age of first tracking"), "count", None),
        "inclusion_index": (gettext("Inclusion index (0–1)"), "number:2", None),
        "n_students": (gettext("Students in the network's schools"), "count", None),
    }


def country_panels(rows: list[dict]) -> dict[str, dict]:
    """One bar chart per indicator comparing the countries (small multiples); a country whose figure covers
    fewer than MIN_CELL students shows "n<10" instead of a bar."""
    panels = {}
    for key, (title, fmt, reference) in _indicators().items():
        data = pd.DataFrame([{"country": r["name"], "value": r[key], "suppressed": r[key] is None,
                              "reason": None} for r in rows])
        if data.empty or data.suppressed.all():
            continue
        kind, _, digits = fmt.partition(":")
        write = {"percent": lambda v: formatting.percent(v, 1), "count": formatting.count,
                 "number": lambda v, d=int(digits or 2): formatting.number(v, d)}[kind]
        shown = data[~data.suppressed].sort_values("value")
        # Translators: a chart's summary, e.g. "Lowest: Poland (5.3 %); highest: Romania (15.6 %)."
        summary = gettext("Lowest: %(low)s (%(low_value)s); highest: %(high)s (%(high_value)s).") % {
            "low": shown.iloc[0].country, "low_value": write(shown.iloc[0].value),
            "high": shown.iloc[-1].country, "high_value": write(shown.iloc[-1].value)}
        panels[key] = bars(data, category="country", value="value", title=title, value_title=None, summary=summary,
                           display=lambda r, w=write: w(r["value"]), axis_format="~%" if kind == "percent" else None,
                           reference=reference, columns=[column("country", gettext("Country")),
                                                         column("value", title, fmt)])
    return panels


# A tile-grid map of Europe: (column, row) of each country the network's members may come from.
TILES = {
    "SE": (4, 0), "FI": (5, 0),
    "IE": (0, 1), "UK": (1, 1), "DK": (3, 1), "EE": (5, 1),
    "NL": (2, 2), "DE": (3, 2), "PL": (4, 2), "LV": (5, 2),
    "FR": (1, 3), "BE": (2, 3), "CZ": (3, 3), "SK": (4, 3), "LT": (5, 3),
    "PT": (0, 4), "ES": (1, 4), "LU": (2, 4), "AT": (3, 4), "HU": (4, 4), "RO": (5, 4),
    "IT": (2, 5), "SI": (3, 5), "HR": (4, 5), "BG": (5, 5),
    "MT": (2, 6), "EL": (5, 6), "CY": (6, 6),
}


def network_map(rows: list[dict]) -> dict:
    """Europe as a grid of tiles: a country with schools in the registry is dark, with its number of schools
    written on it; a country with members only is light; the rest are outlines."""
    by_code = {r["code"]: r for r in rows}
    data = []
    for code, (col, row) in TILES.items():
        found = by_code.get(code, {})
        schools = found.get("n_schools") or 0
        kind = "registry" if schools else ("members" if found else "none")
        data.append({"code": code, "col": col, "row": row, "kind": kind,
                     "name": found.get("name") or formatting.label("country", code),
                     "n_schools": schools if schools else None,
                     "n_students": found.get("n_students"), "n_members": found.get("n_members"),
                     "suppressed": False, "display": formatting.count(schools) if schools else ""})
    colour = alt.Color("kind:N", legend=None, scale=alt.Scale(domain=["registry", "members", "none"],
                                                              range=[theme.PRIMARY, "#c9d8ec", "#ffffff"]))
    base = alt.Chart(alt.Data(values=data)).encode(
        x=alt.X("col:O", axis=None, scale=alt.Scale(paddingInner=0.08)),
        y=alt.Y("row:O", axis=None, scale=alt.Scale(paddingInner=0.08)))
    tooltip = [alt.Tooltip("name:N", title=gettext("Country")), alt.Tooltip("n_schools:Q", title=gettext("Schools")),
               alt.Tooltip("n_students:Q", title=gettext("Students"), format=","),
               alt.Tooltip("n_members:Q", title=gettext("Members"))]
    chart = alt.layer(
        base.mark_rect(stroke=theme.GRID, cornerRadius=3).encode(color=colour, tooltip=tooltip),
        base.mark_text(baseline="bottom", dy=-1, fontWeight=600).encode(
            text="code:N", color=alt.condition("datum.kind == 'registry'", alt.value("#ffffff"),
                                               alt.value(theme.INK))),
        base.transform_filter("datum.kind == 'registry'").mark_text(baseline="top", dy=2, color="#ffffff").encode(
            text="display:N"),
    ).properties(width=WIDTH, height=300, title=gettext("The network in Europe: schools per country"))
    registry = [r for r in rows if r["in_registry"]]
    # Translators: the home page map's summary, e.g. "6 countries with 120 schools; members from 8 countries."
    summary = gettext("%(countries)s countries with %(schools)s schools in the registry (dark tiles, with their "
                      "number of schools); network members from %(member_countries)s countries (light tiles: "
                      "members only).") % {
        "countries": formatting.count(len(registry)),
        "schools": formatting.count(sum(r["n_schools"] for r in registry)),
        "member_countries": formatting.count(sum(1 for r in rows if r["n_members"] != 0))}
    # a count of fewer than MIN_CELL is None: the table says "n<10" for it (the "hidden" fields)
    table_rows = records(pd.DataFrame([{**r, "name": r["name"] or formatting.label("country", r["code"]),
                                        "hidden": [f for f in ("n_students", "n_members") if r[f] is None]}
                                       for r in rows]))
    return spec(chart, summary=summary, rows=table_rows, columns=[
        column("name", gettext("Country")), column("n_schools", gettext("Schools"), "count"),
        column("n_students", gettext("Students"), "count"), column("n_members", gettext("Members"), "count")])
