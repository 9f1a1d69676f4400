"""A document figure (publishing.document.Figure) as the Vega-Lite spec the site's charts draw (core.charts
.figure_html and static/core/charts.js): bars (horizontal, whiskers from `low` to `high`, a colour per series with
a legend), lines (a year axis written without a thousands separator, one line per series, flagged points drawn as
a distinct mark with their flags in the tooltip) and dots (a point and its interval); reference rules dashed and
labelled. Every figure a reader sees on the chart (a bar's value, a tooltip) is written by core.formatting in the
active language and travels as `display`; axes use d3 formats read in the page's language by charts.js.

The spec's `usermeta` carries the text alternative (the figure's summary and its table) by the core.charts
convention. Rows that are suppressed, or have no value, are not drawn: only their table row says why."""

from __future__ import annotations

from django.utils.translation import gettext

from safeschool import chart_theme as theme
from safeschool.indicators.records import FLAGS
from safeschool.publishing.document import Chart, Figure
from safeschool.web.core import formatting
from safeschool.web.core.charts import FIGURES, formatted

WIDTH = "container"
BAND = 28        # pixels per bar or dot row
SERIES_BAND = 18  # pixels per bar of a series within a category
HEIGHT = 240     # a line chart's plot
WRAP = 24
LINES = "split(datum.label, '\\n')"
FITS = "scale('x', datum.rule) + 6.5 * length(datum.rule_label) + 4 < width"  # a rule's label fits on its right


def display(value, fmt: str) -> str:
    """A value as a reader reads it (the same as in the figure's table)."""
    return str(formatted(value, fmt))


def d3_format(fmt: str, span: float | None = None) -> str:
    """The d3 format of an axis; a percent axis spanning five points or more reads whole percentages."""
    kind, _, digits = (fmt or "number:2").partition(":")
    if kind == "percent":
        return ".0%" if span is not None and span >= 0.05 else f".{int(digits or 0)}%"
    if kind == "count":
        return ",d"
    return f",.{int(digits or 2)}f"


def drawn_rows(chart: Chart) -> list[dict]:
    """The rows a chart draws: a suppressed row, or one hiding or lacking its value, has no mark."""
    rows = []
    for r in chart.rows:
        hidden = set(r.get("hidden") or ())
        if r.get("suppressed") or chart.value in hidden or formatting.is_missing(r.get(chart.value)):
            continue
        row = dict(r)
        for bound in (chart.low, chart.high):
            if bound and (bound in hidden or formatting.is_missing(row.get(bound))):
                row[bound] = None
        rows.append(row)
    return rows


def flag_letters(value) -> str:
    """The known flag letters of a cell ("bp"), in order, unknown letters dropped."""
    return "".join(letter for letter in dict.fromkeys(str(value or "")) if letter in FLAGS)


def flag_text(value) -> str:
    """A point's flags as a reader reads them: "p: provisional; b: break in time series"."""
    return "; ".join(f"{letter}: {gettext(FLAGS[letter])}" for letter in flag_letters(value))


def flag_notes(figure: Figure) -> list[str]:
    """The meaning of every flag the figure's drawn points carry, once each (a footnote under the chart)."""
    chart = figure.chart
    if not chart.flag:
        return []
    letters = dict.fromkeys(letter for r in drawn_rows(chart) for letter in flag_letters(r.get(chart.flag)))
    return [f"{letter}: {gettext(FLAGS[letter])}" for letter in letters]


def _wrap(text, width: int = WRAP) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(str(text), width)) or str(text)


def _title_lines(title: str, width: int = 32) -> str | list[str] | None:
    """An axis title, in lines of at most `width` characters when long (a phone-wide chart cuts one long line)."""
    import textwrap

    if not title:
        return None
    lines = textwrap.wrap(str(title), width)
    return lines if len(lines) > 1 else str(title)


def _value_scale(chart: Chart, rows: list[dict], *, zero: bool = True) -> dict:
    if chart.domain:
        return {"domain": list(chart.domain), "nice": False}
    values = [float(r[f]) for r in rows for f in (chart.value, chart.low, chart.high) if f and r.get(f) is not None]
    values += [float(rule.value) for rule in chart.rules]
    if not values:
        return {"zero": zero}
    low, high = min(values), max(values)
    if zero:
        low, high = min(low, 0.0), max(high, 0.0)
    return {"domain": [low, high], "zero": zero, "nice": True}


def _axis(chart: Chart, scale: dict, **extra) -> dict:
    domain = scale.get("domain")
    span = (domain[1] - domain[0]) if domain else None
    axis = {"format": d3_format(chart.format, span), "tickCount": 5, **extra}
    if chart.format.partition(":")[0] == "count":
        axis["tickMinStep"] = 1  # counts are whole: a small range reads 0 1 2, never 0 0 0 1 1
    return axis


def _series(chart: Chart, rows: list[dict]) -> list[str]:
    return list(dict.fromkeys(str(r.get(chart.series)) for r in rows)) if chart.series else []


def _colour(chart: Chart, series: list[str]) -> dict:
    return {"field": chart.series, "type": "nominal", "sort": series,
            "scale": {"domain": series, "range": [theme.PALETTE[i % len(theme.PALETTE)] for i in range(len(series))]},
            "legend": {"title": None, "orient": "bottom", "direction": "horizontal", "labelLimit": 0}}


def _tooltip(chart: Chart, value_title: str, *extra: dict) -> list[dict]:
    tips = [{"field": "label" if chart.kind != "lines" else "x_display", "type": "nominal",
             "title": chart.category_title or " "}]
    if chart.series:
        tips.append({"field": chart.series, "type": "nominal", "title": " "})
    tips.append({"field": "display", "type": "nominal", "title": value_title or " "})
    if chart.low and chart.high:
        tips.append({"field": "interval", "type": "nominal", "title": " "})
    return tips + list(extra)


def _rule_layers(chart: Chart, axis: str, fmt: str) -> list[dict]:
    """Dashed reference lines (a target, an average) with their labels."""
    if not chart.rules:
        return []
    data = {"values": [{"rule": float(r.value), "rule_label": r.label, "rule_display": display(r.value, fmt)}
                       for r in chart.rules]}
    rule = {"data": data, "mark": {"type": "rule", "color": theme.REFERENCE, "strokeDash": [6, 4], "size": 1.5},
            "encoding": {axis: {"field": "rule", "type": "quantitative"},
                         "tooltip": [{"field": "rule_label", "type": "nominal"}]}}
    if axis == "y":  # horizontal rules: each label at the right end of its own line
        texts = [{"data": data,
                  "mark": {"type": "text", "color": theme.REFERENCE, "fontSize": theme.FONT_SIZE - 1,
                           "align": "right", "dy": -6, "baseline": "bottom", "x": "width"},
                  "encoding": {axis: {"field": "rule", "type": "quantitative"}, "text": {"field": "rule_label"}}}]
        return [rule, *texts]
    # vertical rules: labels stacked above the plot, one line each (two close targets, 9 % and 10 %, would
    # overlap on one line), and above the category axis' title when there is one
    above = 18 if chart.category_title else 0
    texts = []
    for i, value in enumerate(data["values"]):
        texts.append({"data": {"values": [value]},
                      "mark": {"type": "text", "color": theme.REFERENCE, "fontSize": theme.FONT_SIZE - 1,
                               # right of its rule when it fits there, else left of it (never cut at the edge)
                               "align": {"expr": f"{FITS} ? 'left' : 'right'"}, "dx": {"expr": f"{FITS} ? 4 : -4"},
                               "dy": -6 - above - 15 * i, "baseline": "bottom", "y": 0},
                      "encoding": {axis: {"field": "rule", "type": "quantitative"},
                                   "text": {"field": "rule_label"}}})
    return [rule, *texts]


def _records(chart: Chart, rows: list[dict], fmt: str) -> list[dict]:
    out = []
    for r in rows:
        rec = dict(r)
        rec["display"] = display(r.get(chart.value), fmt)
        if chart.kind != "lines":
            rec["label"] = _wrap(r.get(chart.category))
        else:
            rec["x_display"] = str(r.get(chart.category))
        if chart.low and chart.high and r.get(chart.low) is not None and r.get(chart.high) is not None:
            rec["interval"] = formatting.interval(r.get(chart.value), r.get(chart.low), r.get(chart.high),
                                                  int(fmt.partition(":")[2] or 2))
            if fmt.startswith("percent"):
                rec["interval"] = (f"{display(r[chart.low], fmt)} – {display(r[chart.high], fmt)}")
        out.append(rec)
    return out


def _bars(chart: Chart, rows: list[dict]) -> dict:
    fmt = chart.format
    order = list(dict.fromkeys(_wrap(r.get(chart.category)) for r in rows))
    series = _series(chart, rows)
    scale = _value_scale(chart, rows)
    if scale.get("domain") and not chart.domain:  # room right of the longest bar for its value label
        low, high = scale["domain"]
        scale["domain"] = [low, high + 0.15 * ((high - low) or 1)]
    x = {"field": chart.value, "type": "quantitative", "title": _title_lines(chart.value_title),
         "scale": scale, "axis": _axis(chart, scale, grid=True)}
    y = {"field": "label", "type": "nominal", "sort": order, "title": chart.category_title or None,
         "axis": {"labelExpr": LINES, "labelLimit": 0}}
    encoding = {"y": y, "x": x, "tooltip": _tooltip(chart, chart.value_title)}
    # side by side within a category only when a category has bars of several series (else one bar, centred)
    series_of = {}
    for r in rows:
        series_of.setdefault(_wrap(r.get(chart.category)), set()).add(str(r.get(chart.series)))
    offset = bool(series) and any(len(found) > 1 for found in series_of.values())
    if series:
        encoding["color"] = _colour(chart, series)
    if offset:
        encoding["yOffset"] = {"field": chart.series, "type": "nominal", "sort": series}
    layers = [{"mark": {"type": "bar", **({} if series else {"color": theme.PRIMARY})}, "encoding": encoding}]
    if chart.low and chart.high:
        whisker = {"y": y, "x": {"field": chart.low, "type": "quantitative"},
                   "x2": {"field": chart.high}, "tooltip": encoding["tooltip"]}
        if offset:
            whisker["yOffset"] = encoding["yOffset"]
        layers.append({"mark": {"type": "rule", "color": theme.INK, "size": 1.5}, "encoding": whisker})
    labels = {"y": y, "x": {"field": chart.high if chart.high else chart.value, "type": "quantitative"},
              "text": {"field": "display"}}
    if offset:
        labels["yOffset"] = encoding["yOffset"]
    layers.append({"mark": {"type": "text", "align": "left", "dx": 4, "color": theme.INK}, "encoding": labels})
    layers += _rule_layers(chart, "x", fmt)
    per_category = SERIES_BAND * max(1, len(series)) + 8 if offset else BAND
    return {"height": max(1, len(order)) * per_category, "layer": layers}


def _lines(chart: Chart, rows: list[dict]) -> dict:
    fmt = chart.format
    series = _series(chart, rows)
    years = sorted({r[chart.category] for r in rows if r.get(chart.category) is not None})
    x = {"field": chart.category, "type": "quantitative", "title": chart.category_title or None,
         "scale": {"zero": False, "nice": False, **({"domain": [years[0], years[-1]]} if years else {})},
         # years read "2019", never "2,019": an integer format without grouping, one tick per year at most
         "axis": {"format": "d", "tickMinStep": 1, "grid": False, "labelOverlap": True}}
    scale = _value_scale(chart, rows, zero=bool(chart.domain) and chart.domain[0] == 0)
    y = {"field": chart.value, "type": "quantitative", "title": _title_lines(chart.value_title),
         "scale": scale, "axis": _axis(chart, scale, grid=True)}
    encoding = {"x": x, "y": y}
    if series:
        encoding["color"] = _colour(chart, series)
    line = {"mark": {"type": "line", "strokeWidth": 2, **({} if series else {"color": theme.PRIMARY})},
            "encoding": encoding}
    flag_tip = [{"field": "flag_text", "type": "nominal", "title": " "}] if chart.flag else []
    points = {"mark": {"type": "point", "filled": True, "size": 40, **({} if series else {"color": theme.PRIMARY})},
              "encoding": {**encoding, "tooltip": _tooltip(chart, chart.value_title, *flag_tip)}}
    layers = [line, points]
    if chart.flag:
        layers.append({"transform": [{"filter": "datum.flag_text != ''"}],
                       "mark": {"type": "point", "shape": "diamond", "filled": False, "size": 160,
                                "strokeWidth": 2, "color": theme.HIGHLIGHT},
                       "encoding": {"x": x, "y": y, "tooltip": _tooltip(chart, chart.value_title, *flag_tip)}})
    layers += _rule_layers(chart, "y", fmt)
    return {"height": HEIGHT, "layer": layers}


def _dots(chart: Chart, rows: list[dict]) -> dict:
    fmt = chart.format
    order = list(dict.fromkeys(_wrap(r.get(chart.category)) for r in rows))
    series = _series(chart, rows)
    y = {"field": "label", "type": "nominal", "sort": order, "title": chart.category_title or None,
         "axis": {"labelExpr": LINES, "labelLimit": 0, "grid": True}}
    scale = _value_scale(chart, rows, zero=False)
    x = {"field": chart.value, "type": "quantitative", "title": _title_lines(chart.value_title),
         "scale": scale, "axis": _axis(chart, scale)}
    tooltip = _tooltip(chart, chart.value_title)
    layers = []
    if chart.low and chart.high:
        layers.append({"mark": {"type": "rule", "color": theme.MUTED, "size": 2},
                       "encoding": {"y": y, "x": {"field": chart.low, "type": "quantitative"},
                                    "x2": {"field": chart.high}, "tooltip": tooltip}})
    point = {"y": y, "x": x, "tooltip": tooltip}
    if series:
        point["color"] = _colour(chart, series)
    layers.append({"mark": {"type": "point", "filled": True, "size": 70,
                            **({} if series else {"color": theme.PRIMARY})}, "encoding": point})
    layers += _rule_layers(chart, "x", fmt)
    return {"height": max(1, len(order)) * BAND, "layer": layers}


KINDS = {"bars": _bars, "lines": _lines, "dots": _dots}


def table_meta(figure: Figure) -> dict:
    """The figure's table in the core.charts `usermeta` form."""
    return {"columns": [{"field": c.field, "title": c.title, "format": c.format} for c in figure.table.columns],
            "rows": [scrubbed(r, [c.field for c in figure.table.columns if c.format.partition(":")[0] in FIGURES])
                     for r in figure.table.rows]}


def scrubbed(row: dict, figures: list[str]) -> dict:
    """`row` without the figures it hides (a suppressed row, or fields listed in `hidden`): even a value a builder
    left in by mistake never reaches a page."""
    hidden = set(figures) if row.get("suppressed") else set(row.get("hidden") or ())
    return {k: (None if k in hidden else v) for k, v in row.items()}


def spec(figure: Figure) -> dict:
    """The Vega-Lite spec of `figure` (themed; its text alternative in `usermeta`), for core.charts.figure_html."""
    chart = figure.chart
    if chart.kind not in KINDS:
        raise ValueError(f"unknown chart kind {chart.kind!r}")
    rows = drawn_rows(chart)
    values = _records(chart, rows, chart.format)
    if chart.flag:
        for rec in values:
            rec["flag_text"] = flag_text(rec.get(chart.flag))
    body = KINDS[chart.kind](chart, rows)
    result = {"title": figure.title, "width": WIDTH, "data": {"values": values}, **body,
              "config": theme.vega_config(),
              "usermeta": {"summary": figure.summary, "table": table_meta(figure)}}
    return theme.themed(result)
