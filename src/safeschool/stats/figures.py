"""Vega-Lite figures of analysis results (built with Altair): the same specification is drawn in the browser
and written to SVG/PNG files by the command line. Only strata that may be displayed (n >= 10) are plotted."""

from __future__ import annotations

from pathlib import Path

import altair as alt
import pandas as pd

from safeschool import chart_theme as theme

LEVEL_ORDER = ["country", "school", "class", "student"]
# colours from the one chart theme (Okabe-Ito), so analyses look like the rest of the platform
LEVEL_COLOURS = [theme.PALETTE[0], theme.PALETTE[1], theme.PALETTE[2], theme.PALETTE[3]]
BLOCK_COLOURS = {"individual": theme.PALETTE[0], "relational": theme.PALETTE[1], "community": theme.PALETTE[2],
                 "political": theme.PALETTE[3]}


def _values(df: pd.DataFrame) -> alt.Data:
    clean = df.astype(object).where(df.notna(), None)
    return alt.Data(values=clean.to_dict(orient="records"))


def _spec(chart) -> dict:
    spec = chart.configure_view(stroke=None).to_dict()
    spec.pop("$schema", None)
    return theme.themed(spec)


def variance_partition(variance: pd.DataFrame, steps: list[str], title: str) -> dict:
    """Stacked bars: the variance at each level (student, class, school, country) after each step."""
    data = variance.copy()
    data["order"] = data.level.map({lvl: i for i, lvl in enumerate(LEVEL_ORDER)}).fillna(len(LEVEL_ORDER))
    chart = alt.Chart(_values(data)).mark_bar().encode(
        y=alt.Y("step:N", sort=steps, title=None),
        x=alt.X("variance:Q", title="Variance", stack="zero"),
        color=alt.Color("level:N", sort=LEVEL_ORDER, scale=alt.Scale(domain=LEVEL_ORDER, range=LEVEL_COLOURS),
                        title="Level", legend=alt.Legend(orient="bottom")),
        order=alt.Order("order:Q"),
        tooltip=[alt.Tooltip("step:N"), alt.Tooltip("level:N"), alt.Tooltip("variance:Q", format=".3g"),
                 alt.Tooltip("vpc:Q", format=".1%", title="share (VPC)"),
                 alt.Tooltip("pcv:Q", format=".1%", title="explained vs null (PCV)")],
    ).properties(width="container", height=40 * len(steps) + 20, title=title)
    return _spec(chart)


def coefficients(coefs: pd.DataFrame, title: str) -> dict:
    """Estimates with 95 % CIs of the final model, one panel per ecological block with its own scale (country
    policies, estimated from a handful of countries, would otherwise dwarf the student-level effects)."""
    data = coefs.copy()
    blocks = [b for b in BLOCK_COLOURS if b in set(data.block)]
    panels = []
    for block in blocks:
        part = data[data.block == block]
        base = alt.Chart(_values(part)).encode(y=alt.Y("term:N", sort=list(part.term), title=None))
        rule = base.mark_rule(strokeWidth=2, color=BLOCK_COLOURS[block]).encode(
            x=alt.X("ci_low:Q", title=f"{block} (estimate, 95 % CI)"), x2="ci_high:Q")
        point = base.mark_point(filled=True, size=60, color=BLOCK_COLOURS[block]).encode(
            x="estimate:Q",
            tooltip=[alt.Tooltip("term:N"), alt.Tooltip("estimate:Q", format=".3g"),
                     alt.Tooltip("ci_low:Q", format=".3g"), alt.Tooltip("ci_high:Q", format=".3g"),
                     alt.Tooltip("p:Q", format=".3g")])
        zero = alt.Chart(alt.Data(values=[{"x": 0}])).mark_rule(strokeDash=[4, 4], color=theme.REFERENCE).encode(x="x:Q")
        panels.append(alt.layer(zero, rule, point).properties(width="container", height=18 * len(part) + 10))
    return _spec(alt.vconcat(*panels, title=title).resolve_scale(x="independent"))


def caterpillar(strata: pd.DataFrame, *, value: str, low: str, high: str, title: str, x_title: str,
                reference: float | None = None) -> dict:
    """Strata sorted by `value` with intervals (only displayable strata are passed in)."""
    data = strata.sort_values(value).copy()
    order = list(data.stratum)
    base = alt.Chart(_values(data[["stratum", "n", value, low, high]])).encode(y=alt.Y("stratum:N", sort=order,
                                                                                     title=None))
    rule = base.mark_rule(color=theme.PRIMARY).encode(x=alt.X(f"{low}:Q", title=x_title, scale=alt.Scale(zero=False)),
                                                   x2=f"{high}:Q")
    point = base.mark_point(filled=True, color=theme.PRIMARY).encode(
        x=f"{value}:Q", tooltip=[alt.Tooltip("stratum:N"), alt.Tooltip("n:Q", title="students"),
                                 alt.Tooltip(f"{value}:Q", format=".3g"), alt.Tooltip(f"{low}:Q", format=".3g"),
                                 alt.Tooltip(f"{high}:Q", format=".3g")])
    layers = [rule, point]
    if reference is not None:
        layers.insert(0, alt.Chart(alt.Data(values=[{"x": reference}])).mark_rule(strokeDash=[4, 4], color=theme.REFERENCE)
                      .encode(x="x:Q"))
    return _spec(alt.layer(*layers).properties(width="container", height=14 * len(data) + 40, title=title))


def write(spec: dict, path_without_suffix: Path, *, width: int = 720) -> list[Path]:
    """Write a spec to SVG and PNG (vl-convert: offline, no browser)."""
    import json

    import vl_convert as vlc

    fixed = json.loads(json.dumps(spec))

    def pin(node):  # files have no container: give every part a fixed width
        if isinstance(node, dict):
            if node.get("width") == "container":
                node["width"] = width
            for value in node.values():
                pin(value)
        elif isinstance(node, list):
            for value in node:
                pin(value)

    pin(fixed)
    text = json.dumps(fixed)
    svg = path_without_suffix.with_suffix(".svg")
    png = path_without_suffix.with_suffix(".png")
    svg.write_text(vlc.vegalite_to_svg(text))
    png.write_bytes(vlc.vegalite_to_png(text, scale=2))
    return [svg, png]
