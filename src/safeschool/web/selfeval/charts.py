"""Vega-Lite charts of a school's self-evaluation report and of the network comparison, through the project's chart
layer (web/research/charts.py: `spec`, `column`, wrapped category labels; web/core/charts.py draws them with their
text alternative). Only groups that are shown reach a chart: a group below its disclosure threshold has no row, no
score and no n in the chart data. Every figure written on a chart comes from the formatting layer.

Informant groups keep one colour everywhere (Okabe–Ito, chart_theme.PALETTE); a highlighted school is
chart_theme.HIGHLIGHT among the others.
"""

from __future__ import annotations

import altair as alt
from django.utils.translation import gettext

from safeschool import chart_theme as theme
from safeschool.web.core import formatting
from safeschool.web.research.charts import BAND_HEIGHT, LINES, WIDTH, column, spec, wrap

INFORMANT_COLOURS = {"leaders": theme.PALETTE[0], "teachers": theme.PALETTE[1], "students": theme.PALETTE[2],
                     "families": theme.PALETTE[3]}
SCALE = [0, 100]


def _informant_scale(informants: list[str]) -> alt.Scale:
    return alt.Scale(domain=[formatting.label("informant", i) for i in informants],
                     range=[INFORMANT_COLOURS.get(i, theme.INK) for i in informants])


def _legend() -> alt.Legend:
    return alt.Legend(title=None, orient="bottom", direction="horizontal", columns=2, labelLimit=0)


def _score_axis(title: str) -> alt.X:
    return alt.X("score_100:Q", title=title, scale=alt.Scale(domain=SCALE, nice=False),
                 axis=alt.Axis(tickCount=5, values=[0, 25, 50, 75, 100]))


def dimension_bars(rows: list[dict], informants: list[str]) -> dict:
    """Dimension scores (0-100) per shown group as grouped horizontal bars. `rows`: {code, name, informant,
    score_100} for shown groups only (reports.dimension_rows)."""
    data = [{"dimension": r["name"], "label": wrap(r["name"]), "group": formatting.label("informant", r["informant"]),
             "score_100": r["score_100"], "display": formatting.number(r["score_100"], 0)}
            for r in rows if not formatting.is_missing(r.get("score_100"))]
    order = list(dict.fromkeys(d["label"] for d in data))
    groups = [formatting.label("informant", i) for i in informants]
    x_title = gettext("Score (0–100)")
    base = alt.Chart(alt.Data(values=data)).encode(
        y=alt.Y("label:N", sort=order, title=None, axis=alt.Axis(labelExpr=LINES)),
        yOffset=alt.YOffset("group:N", sort=groups),
        color=alt.Color("group:N", scale=_informant_scale(informants), legend=_legend(), sort=groups))
    bars = base.mark_bar().encode(x=_score_axis(x_title), tooltip=[
        alt.Tooltip("dimension:N", title=gettext("Dimension")), alt.Tooltip("group:N", title=gettext("Group")),
        alt.Tooltip("display:N", title=x_title)])
    labels = base.mark_text(align="left", dx=3, color=theme.INK, fontSize=10).encode(x="score_100:Q", text="display:N")
    height = BAND_HEIGHT * max(len(order), 1) * max(1, (len(informants) + 1) // 2)
    chart = alt.layer(bars, labels).properties(width=WIDTH, height=height,
                                               title=gettext("Dimension scores by informant group"))
    if data:
        low = min(data, key=lambda d: d["score_100"])
        high = max(data, key=lambda d: d["score_100"])
        # Translators: a chart's summary, e.g. "Highest: Safe Learning as Teachers see it (72); lowest: Safe School
        # as Students see it (48)."
        summary = gettext("Highest: %(high)s as %(high_group)s see it (%(high_score)s); lowest: %(low)s as "
                          "%(low_group)s see it (%(low_score)s).") % {
            "high": high["dimension"], "high_group": high["group"], "high_score": high["display"],
            "low": low["dimension"], "low_group": low["group"], "low_score": low["display"]}
    else:
        summary = gettext("No group has enough respondents to be shown.")
    return spec(chart, summary=summary, rows=data, columns=[
        column("dimension", gettext("Dimension")), column("group", gettext("Group")),
        column("score_100", x_title, "number:0")])


def gap_dots(rows: list[dict], informants: list[str]) -> dict:
    """Perception gaps: per subdimension, each shown group's score on one line (a dot plot), the line spanning the
    lowest to the highest group. `rows`: {code, name, informant, score_100} (reports.gap_rows)."""
    data = [{"subdimension": r["name"], "label": wrap(r["name"], 24),
             "group": formatting.label("informant", r["informant"]), "score_100": r["score_100"],
             "display": formatting.number(r["score_100"], 0)}
            for r in rows if not formatting.is_missing(r.get("score_100"))]
    order = list(dict.fromkeys(d["label"] for d in data))
    spans = {}
    for d in data:
        low, high = spans.get(d["label"], (d["score_100"], d["score_100"]))
        spans[d["label"]] = (min(low, d["score_100"]), max(high, d["score_100"]))
    lines = [{"label": k, "low": v[0], "high": v[1]} for k, v in spans.items()]
    groups = [formatting.label("informant", i) for i in informants]
    x_title = gettext("Score (0–100)")
    y = alt.Y("label:N", sort=order, title=None, axis=alt.Axis(labelExpr=LINES))
    span = alt.Chart(alt.Data(values=lines)).mark_rule(color=theme.GRID, strokeWidth=3).encode(
        y=y, x=alt.X("low:Q", scale=alt.Scale(domain=SCALE, nice=False)), x2="high:Q")
    dots = alt.Chart(alt.Data(values=data)).mark_point(filled=True, size=90, opacity=1).encode(
        y=y, x=_score_axis(x_title),
        color=alt.Color("group:N", scale=_informant_scale(informants), legend=_legend(), sort=groups),
        shape=alt.Shape("group:N", sort=groups, legend=None),
        tooltip=[alt.Tooltip("subdimension:N", title=gettext("Subdimension")),
                 alt.Tooltip("group:N", title=gettext("Group")), alt.Tooltip("display:N", title=x_title)])
    chart = alt.layer(span, dots).properties(width=WIDTH, height=BAND_HEIGHT * max(len(order), 1),
                                             title=gettext("Perception gaps: each group's score per subdimension"))
    if lines:
        widest = max(lines, key=lambda r: r["high"] - r["low"])
        # Translators: a chart's summary, e.g. "The groups disagree most on Safe teacher (a gap of 21 points)."
        summary = gettext("The groups disagree most on %(subdimension)s (a gap of %(gap)s points).") % {
            "subdimension": widest["label"].replace("\n", " "),
            "gap": formatting.number(widest["high"] - widest["low"], 0)}
    else:
        summary = gettext("No group has enough respondents to be shown.")
    return spec(chart, summary=summary, rows=data, columns=[
        column("subdimension", gettext("Subdimension")), column("group", gettext("Group")),
        column("score_100", x_title, "number:0")])


def network_ranges(rows: list[dict], highlight: dict | None = None) -> dict:
    """The distribution of one score across the network: per stage and country, the middle half of the schools
    (25th to 75th percentile) as a bar with the median as a tick; `highlight` ({place, score_100}) is one school's
    score as a dot. `rows`: {place, n_schools, p25, median, p75} with suppressed places carrying no figures."""
    data = [{"place": r["place"], "label": wrap(r["place"], 24), "n_schools": r.get("n_schools"),
             "p25": r.get("p25"), "median": r.get("median"), "p75": r.get("p75"),
             "suppressed": bool(r.get("suppressed")), "reason": "small",
             "display": formatting.number(r.get("median"), 0)} for r in rows]
    shown = [d for d in data if not d["suppressed"]]
    order = list(dict.fromkeys(d["label"] for d in data))
    y = alt.Y("label:N", sort=order, title=None, axis=alt.Axis(labelExpr=LINES))
    x_title = gettext("Score (0–100)")
    scale = alt.Scale(domain=SCALE, nice=False)
    band = alt.Chart(alt.Data(values=shown)).mark_bar(color=theme.OTHERS, height=14).encode(
        y=y, x=alt.X("p25:Q", title=x_title, scale=scale, axis=alt.Axis(values=[0, 25, 50, 75, 100])), x2="p75:Q",
        tooltip=[alt.Tooltip("place:N", title=gettext("Schools")),
                 alt.Tooltip("n_schools:Q", title=gettext("Number of schools")),
                 alt.Tooltip("display:N", title=gettext("Median"))])
    median = alt.Chart(alt.Data(values=shown)).mark_tick(color=theme.INK, thickness=2, size=20).encode(
        y=y, x=alt.X("median:Q", scale=scale))
    layers = [band, median]
    if highlight and not formatting.is_missing(highlight.get("score_100")):
        point = {"label": wrap(highlight["place"], 24), "score_100": highlight["score_100"],
                 "school": highlight.get("school", ""), "display": formatting.number(highlight["score_100"], 0)}
        layers.append(alt.Chart(alt.Data(values=[point])).mark_point(
            filled=True, size=120, color=theme.HIGHLIGHT, opacity=1).encode(
            y=y, x=alt.X("score_100:Q", scale=scale), tooltip=[alt.Tooltip("school:N", title=gettext("School")),
                                                               alt.Tooltip("display:N", title=x_title)]))
    chart = alt.layer(*layers).properties(width=WIDTH, height=BAND_HEIGHT * max(len(order), 1),
                                          title=gettext("Where the middle half of schools stand, by stage and country"))
    if shown:
        high = max(shown, key=lambda d: d["median"])
        # Translators: a chart's summary, e.g. "Highest median: Lower secondary, Italy (64), over 12 schools."
        summary = gettext("Highest median: %(place)s (%(median)s), over %(n)s schools.") % {
            "place": high["place"], "median": high["display"], "n": formatting.count(high["n_schools"])}
    else:
        summary = gettext("No stage and country has enough schools to be shown.")
    return spec(chart, summary=summary, rows=data, columns=[
        column("place", gettext("Schools")), column("n_schools", gettext("Number of schools"), "count"),
        column("p25", gettext("25th percentile"), "number:0"), column("median", gettext("Median"), "number:0"),
        column("p75", gettext("75th percentile"), "number:0")])
