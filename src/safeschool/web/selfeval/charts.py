"""Vega-Lite charts of a school's self-evaluation report and of the network comparison, through the project's chart
layer (web/research/charts.py's conventions: the theme's config, `column`, category labels wrapped onto lines, never
cut; web/core/charts.py draws them with their text alternative). Only groups that are shown reach a chart: a group below its disclosure threshold has no row, no
score and no n in the chart data. Every figure written on a chart comes from the formatting layer.

Informant groups keep one colour everywhere (Okabe–Ito, chart_theme.PALETTE); a highlighted school is
chart_theme.HIGHLIGHT among the others.
"""

from __future__ import annotations

from django.utils.translation import gettext

from safeschool import chart_theme as theme
from safeschool.web.core import formatting
from safeschool.web.research.charts import BAND_HEIGHT, LINES, WIDTH, column, wrap

INFORMANT_COLOURS = {"leaders": theme.PALETTE[0], "teachers": theme.PALETTE[1], "students": theme.PALETTE[2],
                     "families": theme.PALETTE[3]}
SCALE = [0, 100]
TICKS = [0, 25, 50, 75, 100]


def spec(chart: dict, *, summary: str, columns: list[dict], rows: list[dict]) -> dict:
    """A Vega-Lite spec written as a dict (as research.charts.spec does for Altair charts: the theme's config and
    the text alternative in usermeta). Plain dicts: building these small charts with Altair took most of a
    report page's time (its deep copies), for the same JSON."""
    return chart | {"config": theme.vega_config(),
                    "usermeta": {"summary": summary, "table": {"columns": columns, "rows": rows}}}


def _informant_colour(informants: list[str]) -> dict:
    labels = [formatting.label("informant", i) for i in informants]
    return {"field": "group", "type": "nominal", "sort": labels,
            "scale": {"domain": labels, "range": [INFORMANT_COLOURS.get(i, theme.INK) for i in informants]},
            "legend": {"title": None, "orient": "bottom", "direction": "horizontal", "columns": 2, "labelLimit": 0}}


def _categories(field: str, order: list[str]) -> dict:
    return {"field": field, "type": "nominal", "sort": order, "title": None, "axis": {"labelExpr": LINES}}


def _score_axis(field: str, title: str | None = None) -> dict:
    axis = {"field": field, "type": "quantitative", "scale": {"domain": SCALE, "nice": False}}
    if title is not None:
        axis |= {"title": title, "axis": {"values": TICKS}}
    return axis


def _tooltip(*pairs: tuple[str, str]) -> list[dict]:
    return [{"field": field, "type": "nominal", "title": title} for field, title in pairs]


def dimension_bars(rows: list[dict], informants: list[str]) -> dict:
    """Dimension scores (0-100) per shown group as grouped horizontal bars. `rows`: {name, informant, score_100}
    for shown groups only (reports.page's dimension_chart)."""
    data = [{"dimension": r["name"], "label": wrap(r["name"]), "group": formatting.label("informant", r["informant"]),
             "score_100": r["score_100"], "display": formatting.number(r["score_100"], 0)}
            for r in rows if not formatting.is_missing(r.get("score_100"))]
    order = list(dict.fromkeys(d["label"] for d in data))
    colour = _informant_colour(informants)
    x_title = gettext("Score (0–100)")
    height = BAND_HEIGHT * max(len(order), 1) * max(1, (len(informants) + 1) // 2)
    chart = {
        "title": gettext("Dimension scores by informant group"), "width": WIDTH, "height": height,
        "data": {"values": data},
        "encoding": {"y": _categories("label", order), "yOffset": {"field": "group", "type": "nominal",
                                                                   "sort": colour["sort"]}, "color": colour},
        "layer": [
            {"mark": {"type": "bar"}, "encoding": {"x": _score_axis("score_100", x_title), "tooltip": _tooltip(
                ("dimension", gettext("Dimension")), ("group", gettext("Group")), ("display", x_title))}},
            {"mark": {"type": "text", "align": "left", "dx": 3, "color": theme.INK, "fontSize": 10},
             "encoding": {"x": _score_axis("score_100"), "text": {"field": "display", "type": "nominal"}}},
        ]}
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
    lowest to the highest group. `rows`: {name, informant, score_100} (reports.page's gap_chart)."""
    data = [{"subdimension": r["name"], "label": wrap(r["name"], 24),
             "group": formatting.label("informant", r["informant"]), "score_100": r["score_100"],
             "display": formatting.number(r["score_100"], 0)}
            for r in rows if not formatting.is_missing(r.get("score_100"))]
    order = list(dict.fromkeys(d["label"] for d in data))
    spans: dict[str, tuple[float, float]] = {}
    for d in data:
        low, high = spans.get(d["label"], (d["score_100"], d["score_100"]))
        spans[d["label"]] = (min(low, d["score_100"]), max(high, d["score_100"]))
    lines = [{"label": k, "low": v[0], "high": v[1]} for k, v in spans.items()]
    colour = _informant_colour(informants)
    x_title = gettext("Score (0–100)")
    y = _categories("label", order)
    chart = {
        "title": gettext("Perception gaps: each group's score per subdimension"), "width": WIDTH,
        "height": BAND_HEIGHT * max(len(order), 1),
        "layer": [
            {"data": {"values": lines}, "mark": {"type": "rule", "color": theme.GRID, "strokeWidth": 3},
             "encoding": {"y": y, "x": _score_axis("low"), "x2": {"field": "high"}}},
            {"data": {"values": data}, "mark": {"type": "point", "filled": True, "size": 90, "opacity": 1},
             "encoding": {"y": y, "x": _score_axis("score_100", x_title), "color": colour,
                          # the same legend as the colour's, so Vega-Lite merges the two into one (a shape legend
                          # of its own, or `legend: None` beside the colour's, is a conflict Vega warns about)
                          "shape": {"field": "group", "type": "nominal", "sort": colour["sort"],
                                    "legend": colour["legend"]},
                          "tooltip": _tooltip(("subdimension", gettext("Subdimension")), ("group", gettext("Group")),
                                              ("display", x_title))}},
        ]}
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


def network_ranges(rows: list[dict], highlight: dict | None = None, title: str = "") -> dict:
    """The distribution of one score across the network: per stage and country, the middle half of the schools
    (25th to 75th percentile) as a bar with the median as a tick; `highlight` ({place, school, score_100}) is one
    school's score as a dot (its place must be one shown). `rows`: {place, n_schools, p25, median, p75,
    suppressed}; a suppressed place reaches the chart's data table only, saying why, with no figure. Call it with
    at least one place shown (the page says in words when none is): a layer without data would leave an unnamed
    mark container in the SVG (axe: svg-img-alt), so such layers are left out."""
    data = [{"place": r["place"], "label": wrap(r["place"], 24), "n_schools": r.get("n_schools"),
             "p25": r.get("p25"), "median": r.get("median"), "p75": r.get("p75"),
             "suppressed": bool(r.get("suppressed")), "reason": "small",
             "display": formatting.number(r.get("median"), 0)} for r in rows]
    shown = [d for d in data if not d["suppressed"]]
    order = list(dict.fromkeys(d["label"] for d in shown))  # a place without figures: in the table only
    y = _categories("label", order)
    x_title = gettext("Score (0–100)")
    layers = [
        {"data": {"values": shown}, "mark": {"type": "bar", "color": theme.OTHERS, "height": 14},
         "encoding": {"y": y, "x": _score_axis("p25", x_title), "x2": {"field": "p75"},
                      "tooltip": _tooltip(("place", gettext("Schools")), ("display", gettext("Median")))
                      + [{"field": "n_schools", "type": "quantitative", "title": gettext("Number of schools")}]}},
        {"data": {"values": shown}, "mark": {"type": "tick", "color": theme.INK, "thickness": 2, "size": 20},
         "encoding": {"y": y, "x": _score_axis("median")}},
    ]
    if highlight and not formatting.is_missing(highlight.get("score_100")):
        point = {"label": wrap(highlight["place"], 24), "score_100": highlight["score_100"],
                 "school": highlight.get("school", ""), "display": formatting.number(highlight["score_100"], 0)}
        layers.append({"data": {"values": [point]},
                       "mark": {"type": "point", "filled": True, "size": 120, "color": theme.HIGHLIGHT, "opacity": 1},
                       "encoding": {"y": y, "x": _score_axis("score_100"), "tooltip": _tooltip(
                           ("school", gettext("School")), ("display", x_title))}})
    chart = {"title": title or gettext("Where the middle half of schools stand, by stage and country"), "width": WIDTH,
             "height": BAND_HEIGHT * max(len(order), 1), "layer": [la for la in layers if la["data"]["values"]]}
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
