"""Vega-Lite chart specifications (built with Altair) for school and country profiles.

Every figure written on a chart is written by the formatting layer (web/core/formatting.py) in the reader's
language and carried in the data as `display`, so a label reads exactly as the same figure in a table. Labels are
never cut: long category names wrap onto two lines, a bar's value sits inside the bar when the bar is long and
just after it otherwise (the scale leaves room for it), and the chart's width is its container's. Each spec
carries its text alternative in `usermeta` (a summary sentence and the data table; web/core/charts.py).

A suppressed cell reaches the browser as its label ("n<10", or "hidden" when it protects a small group) with no
count and no mean.
"""

from __future__ import annotations

import textwrap

import altair as alt
import pandas as pd
from django.utils.translation import gettext, pgettext

from safeschool import chart_theme as theme
from safeschool.web.core import formatting

WIDTH = "container"
WRAP = 20              # characters per line of a category label
BAND_HEIGHT = 36       # pixels per bar: room for a two-line label
INSIDE_FROM = 0.55     # a bar at least this share of the scale carries its value inside
HEIGHT = 180           # a small multiple's plot
LINES = "split(datum.label, '\\n')"  # an axis label with line breaks, drawn on several lines


def wrap(text: str, width: int = WRAP) -> str:
    """A category label broken into lines of at most `width` characters (drawn with LINES)."""
    return "\n".join(textwrap.wrap(str(text), width)) or str(text)


def records(df: pd.DataFrame) -> list[dict]:
    return [{k: (None if (v is None or (isinstance(v, float) and pd.isna(v))) else v) for k, v in r.items()}
            for r in df.to_dict(orient="records")]


def hidden_text(row) -> str:
    return formatting.hidden_short(row.get("reason"))


def why(row) -> str:
    return formatting.hidden_reason(row.get("reason")) if row.get("suppressed") else ""


def column(field: str, title: str, fmt: str = "text") -> dict:
    return {"field": field, "title": title, "format": fmt}


def spec(chart, *, summary: str, columns: list[dict], rows: list[dict]) -> dict:
    """The spec of `chart` with the theme and its text alternative (summary sentence and data table)."""
    # validate=False: checking the spec against the Vega-Lite JSON schema took most of a profile page's time
    # (about 1 s a page); the specs come from this module only, and tests validate them once (test_charts)
    result = chart.to_dict(validate=False)
    result.pop("$schema", None)  # vega-embed reads the version from the vendored library; nothing is fetched
    result["config"] = theme.vega_config()
    result["usermeta"] = {"summary": summary, "table": {"columns": columns, "rows": rows}}
    return result


def _scale_max(values) -> float:
    finite = [float(v) for v in values if not formatting.is_missing(v)]
    return max(finite) if finite and max(finite) > 0 else 1.0


def bars(data: pd.DataFrame, *, category: str, value: str, title: str, value_title: str, display, summary: str,
         columns: list[dict], axis_format: str | None = None, colour: str = theme.PRIMARY,
         reference: tuple[float, str] | None = None) -> dict:
    """Horizontal bars of `value` per `category` with the value written on each bar (`display(row)`); a
    suppressed row shows its label instead of a bar. `reference`: a dashed rule at (value, its label)."""
    data = data.copy()
    data["label"] = data[category].map(lambda c: wrap(c))
    data["display"] = data.apply(lambda r: hidden_text(r) if r.get("suppressed") else display(r), axis=1)
    data["why"] = data.apply(why, axis=1)
    top = _scale_max(list(data[value]) + ([reference[0]] if reference else []))
    data["at"] = data[value].fillna(0)
    data["inside"] = data[value].map(lambda v: not formatting.is_missing(v) and float(v) >= INSIDE_FROM * top)
    rows = records(data)
    base = alt.Chart(alt.Data(values=rows)).encode(
        y=alt.Y("label:N", sort=list(dict.fromkeys(data["label"])), title=None, axis=alt.Axis(labelExpr=LINES)))
    x = alt.X(f"{value}:Q", title=value_title, scale=alt.Scale(domain=[0, top], nice=False),
              axis=alt.Axis(tickCount=4, **({"format": axis_format} if axis_format else {})))
    tooltip = [alt.Tooltip(f"{category}:N", title=gettext("Group")),
               alt.Tooltip("display:N", title=value_title)]
    layers = [
        base.transform_filter("!datum.suppressed").mark_bar(color=colour).encode(x=x, tooltip=tooltip),
        base.transform_filter("datum.inside").mark_text(align="right", dx=-6, color=theme.LABEL_INSIDE,
                                                         fontWeight=600).encode(x="at:Q", text="display:N"),
        base.transform_filter("!datum.inside").mark_text(align="left", dx=4, color=theme.INK).encode(
            x="at:Q", text="display:N", tooltip=[alt.Tooltip("why:N", title=gettext("Not shown"))]),
    ]
    if reference:
        rule = alt.Chart(alt.Data(values=[{"x": reference[0], "what": reference[1]}])).mark_rule(
            color=theme.REFERENCE, strokeDash=[4, 4]).encode(x="x:Q", tooltip=alt.Tooltip("what:N", title=None))
        layers.insert(1, rule)
    chart = alt.layer(*layers).properties(width=WIDTH, height=BAND_HEIGHT * max(len(data), 1), title=title)
    return spec(chart, summary=summary, columns=columns, rows=rows)


def banded(bands: pd.DataFrame, title: str, *, x_title: str | None = None) -> dict:
    """Number of students per band (achievement, attendance); a suppressed band shows its label, no count."""
    data = bands.copy()
    data["band"] = data["band"].map(gettext)
    x_title = x_title or gettext("Students")
    shown = data[~data.suppressed.astype(bool)]
    if len(shown):
        most = shown.loc[shown["count"].astype(float).idxmax()]
        # Translators: a chart's one-sentence summary, e.g. "Most students (1,131) are in the band 90-94 %."
        summary = gettext("Most students (%(n)s) are in the band %(band)s.") % {
            "n": formatting.count(most["count"]), "band": most["band"]}
    else:
        summary = gettext("Every band is hidden to protect small groups.")
    return bars(data, category="band", value="count", title=title, value_title=x_title, summary=summary,
                display=lambda r: formatting.count(r["count"]),
                columns=[column("band", gettext("Band")), column("count", x_title, "count"),
                         column("share", pgettext("a proportion of students", "Share"), "percent")])


def group_shares(groups: pd.DataFrame, title: str, *, value_title: str | None = None) -> dict:
    """The share of each group (e.g. left education early by gender); a suppressed group shows its label."""
    data = groups.copy()
    data["group"] = data["group"].map(gettext)
    value_title = value_title or pgettext("a proportion of students", "Share")
    shown = data[~data.suppressed.astype(bool)]
    if len(shown) == 1:
        only = shown.iloc[0]
        # Translators: a chart's summary when one group alone can be shown, e.g. "Only Girls can be shown (8.7 %)."
        summary = gettext("Only %(group)s can be shown (%(value)s); the other groups are hidden.") % {
            "group": only["group"], "value": formatting.percent(only["value"])}
    elif len(shown):
        high = shown.loc[shown["value"].astype(float).idxmax()]
        low = shown.loc[shown["value"].astype(float).idxmin()]
        # Translators: a chart's summary, e.g. "Highest: Boys (14.3 %); lowest: Another gender (9.7 %)."
        summary = gettext("Highest: %(high)s (%(high_value)s); lowest: %(low)s (%(low_value)s).") % {
            "high": high["group"], "high_value": formatting.percent(high["value"]), "low": low["group"],
            "low_value": formatting.percent(low["value"])}
    else:
        summary = gettext("Every group is hidden to protect small groups.")
    return bars(data, category="group", value="value", title=title, value_title=value_title, summary=summary,
                display=lambda r: formatting.percent(r["value"]), axis_format="~%", colour=theme.PRIMARY,
                columns=[column("group", gettext("Group")), column("n", gettext("Students"), "count"),
                         column("value", value_title, "percent")])


def trend(summary: pd.DataFrame, measure: str, title: str, *, share: bool = False, digits: int = 2,
          waves: dict[int, str] | None = None) -> dict:
    """One measure by wave: mean (or share) with its 95 % CI, the value written above each point; a suppressed
    wave shows its label at the bottom of the plot."""
    data = summary[summary.measure == measure].copy()
    waves = waves or {}
    data["wave_label"] = data["wave"].map(lambda w: waves.get(int(w)) or gettext("Wave %(n)s") % {"n": int(w)})
    fmt = (lambda v: formatting.percent(v, 1)) if share else (lambda v: formatting.number(v, digits))
    data["display"] = data.apply(lambda r: hidden_text(r) if r.suppressed else fmt(r["mean"]), axis=1)
    data["why"] = data.apply(why, axis=1)
    lows = [v for v in data.ci_low if not formatting.is_missing(v)]
    highs = [v for v in data.ci_high if not formatting.is_missing(v)]
    low, high = (min(lows), max(highs)) if lows else (0.0, 1.0)
    pad = max(high - low, 0.02 if share else 0.2) * 0.35
    domain = [low - pad, high + pad]  # room above the highest interval for its label, below for hidden waves
    data["at"] = data["ci_high"]
    rows = records(data)
    order = list(dict.fromkeys(data.sort_values("wave")["wave_label"]))
    base = alt.Chart(alt.Data(values=rows)).encode(
        x=alt.X("wave_label:N", sort=order, title=None, axis=alt.Axis(labelAngle=0, labelExpr=LINES)))
    y = alt.Y("ci_low:Q", title=None, scale=alt.Scale(domain=domain, nice=False, zero=False),
              axis=alt.Axis(tickCount=4, **({"format": "~%"} if share else {})))
    visible = base.transform_filter("!datum.suppressed")
    tooltip = [alt.Tooltip("wave_label:N", title=gettext("Wave")), alt.Tooltip("display:N", title=title),
               alt.Tooltip("n:Q", title=gettext("Students"))]
    chart = alt.layer(
        visible.mark_rule(strokeWidth=2, color=theme.OTHERS).encode(y=y, y2="ci_high:Q"),
        visible.mark_line(color=theme.PRIMARY).encode(y="mean:Q"),
        visible.mark_point(filled=True, size=70, color=theme.PRIMARY, opacity=1).encode(y="mean:Q", tooltip=tooltip),
        visible.mark_text(dy=-6, baseline="bottom", color=theme.INK).encode(y="at:Q", text="display:N"),
        # a hidden wave: its label near the bottom of the plot, at no position a figure could be read from
        base.transform_filter("datum.suppressed").mark_text(baseline="bottom", color=theme.MUTED).encode(
            y=alt.value(HEIGHT - 4), text="display:N", tooltip=[alt.Tooltip("why:N", title=gettext("Not shown"))]),
    ).properties(width=WIDTH, height=HEIGHT, title=title)
    shown = data[~data.suppressed.astype(bool)].sort_values("wave")
    if len(shown) >= 2:
        first, last = shown.iloc[0], shown.iloc[-1]
        # Translators: a chart's summary, e.g. "From 2.87 in Wave 1 to 2.89 in Wave 2."
        text = gettext("From %(first)s in %(first_wave)s to %(last)s in %(last_wave)s.") % {
            "first": first.display, "first_wave": first.wave_label, "last": last.display,
            "last_wave": last.wave_label}
    elif len(shown) == 1:
        text = gettext("%(value)s in %(wave)s; the other waves are hidden or not measured.") % {
            "value": shown.iloc[0].display, "wave": shown.iloc[0].wave_label}
    else:
        text = gettext("Every wave is hidden to protect small groups.")
    fig = "percent" if share else f"number:{digits}"
    return spec(chart, summary=text, rows=rows, columns=[
        column("wave_label", gettext("Wave")), column("n", gettext("Students"), "count"),
        column("mean", gettext("Mean") if not share else pgettext("a proportion of students", "Share"), fig),
        column("ci_low", gettext("95 % CI from"), fig), column("ci_high", gettext("95 % CI to"), fig)])
