"""Vega-Lite chart specifications (built with Altair) for profiles. A suppressed cell reaches the browser as its
label ("n<10", or "hidden" when it protects a small group) with no count and no mean."""

from __future__ import annotations

import altair as alt
import pandas as pd

from safeschool.stats.disclosure import label, short_label

WIDTH = "container"
PALETTE = ["#1f6f8b", "#e07a5f", "#3d405b", "#81b29a", "#f2cc8f"]


def _records(df: pd.DataFrame) -> list[dict]:
    return [{k: (None if (v is None or (isinstance(v, float) and pd.isna(v))) else v) for k, v in r.items()}
            for r in df.to_dict(orient="records")]


def _display(row, shown: str) -> str:
    return short_label(row.get("reason")) if row["suppressed"] else shown


def _why(row) -> str:
    return label(row.get("reason")) if row["suppressed"] else ""


def _spec(chart: alt.TopLevelMixin) -> dict:
    # validate=False: checking the spec against the Vega-Lite JSON schema took most of a profile page's time
    # (about 1 s a page); the specs come from this module only, and tests validate them once (test_charts)
    spec = chart.configure_view(stroke=None).configure_axis(labelFontSize=12, titleFontSize=12).to_dict(
        validate=False)
    spec.pop("$schema", None)  # vega-embed reads the version from the vendored library; nothing is fetched
    return spec


def wave_means(summary: pd.DataFrame, measures: list[str], title: str, *, domain=None) -> dict:
    """Mean and 95 % CI of each measure by wave; suppressed waves are shown as an 'n<10' label."""
    data = summary[summary.measure.isin(measures)].copy()
    data["wave"] = data["wave"].astype(str)
    data["display"] = data.apply(lambda r: _display(r, "" if r.suppressed else f"{r['mean']:.2f}"), axis=1)
    data["why"] = data.apply(_why, axis=1)
    source = alt.Data(values=_records(data[["wave", "label", "mean", "ci_low", "ci_high", "n", "suppressed", "display",
                                            "why"]]))
    base = alt.Chart(source).encode(
        x=alt.X("wave:N", title="Wave", axis=alt.Axis(labelAngle=0)),
        color=alt.Color("label:N", title=None, scale=alt.Scale(range=PALETTE), legend=alt.Legend(orient="bottom")),
        xOffset="label:N",
    )
    y = alt.Y("mean:Q", title="Mean (95 % CI)", scale=alt.Scale(domain=domain, zero=False) if domain else
              alt.Scale(zero=False))
    visible = base.transform_filter("!datum.suppressed")
    points = visible.mark_point(filled=True, size=80).encode(
        y=y, tooltip=[alt.Tooltip("label:N", title="Measure"), alt.Tooltip("wave:N", title="Wave"),
                      alt.Tooltip("mean:Q", format=".2f", title="Mean"), alt.Tooltip("n:Q", title="Students")])
    bars = visible.mark_rule(strokeWidth=2).encode(y="ci_low:Q", y2="ci_high:Q")
    hidden = base.transform_filter("datum.suppressed").mark_text(dy=-4).encode(
        y=alt.value(140), text="display:N", tooltip=[alt.Tooltip("label:N", title="Measure"),
                                                     alt.Tooltip("why:N", title="Not shown")])
    return _spec(alt.layer(bars, points, hidden).properties(width=WIDTH, height=260, title=title))


def banded(bands: pd.DataFrame, title: str, *, x_title: str = "Students") -> dict:
    """Horizontal bars of counts per band; a suppressed band carries its label instead of a bar (and no count)."""
    data = bands.copy()
    data["display"] = data.apply(lambda r: _display(r, "" if r.suppressed else str(int(r["count"]))), axis=1)
    data["at"] = data["count"].fillna(0)  # where the label sits: 0 for a hidden band
    source = alt.Data(values=_records(data[["band", "order", "count", "at", "suppressed", "display"]]))
    base = alt.Chart(source).encode(y=alt.Y("band:N", sort=alt.SortField("order"), title=None))
    bar = base.mark_bar(color=PALETTE[0]).encode(
        x=alt.X("count:Q", title=x_title),
        tooltip=[alt.Tooltip("band:N", title="Band"), alt.Tooltip("display:N", title="Students")])
    text = base.mark_text(align="left", dx=4).encode(x="at:Q", text="display:N")
    return _spec(alt.layer(bar, text).properties(width=WIDTH, height=30 * max(len(data), 1) + 20, title=title))


def group_shares(groups: pd.DataFrame, title: str, *, value_title: str = "Share") -> dict:
    """Horizontal bars of a share per group (e.g. early leaving by gender); a suppressed group shows its label."""
    data = groups.copy()
    data["display"] = data.apply(lambda r: _display(r, "" if r.suppressed else f"{r.value:.1%}"), axis=1)
    data["at"] = data["value"].fillna(0)
    source = alt.Data(values=_records(data[["group", "value", "at", "display", "suppressed"]]))
    base = alt.Chart(source).encode(y=alt.Y("group:N", title=None, sort=None))
    bar = base.mark_bar(color=PALETTE[1]).encode(
        x=alt.X("value:Q", title=value_title, axis=alt.Axis(format="%")),
        tooltip=[alt.Tooltip("group:N", title="Group"), alt.Tooltip("display:N", title=value_title)])
    text = base.mark_text(align="left", dx=4).encode(x="at:Q", text="display:N")
    return _spec(alt.layer(bar, text).properties(width=WIDTH, height=30 * max(len(data), 1) + 20, title=title))
