"""The small line chart of a goal's indicator (0-100) at the baseline and every later closed campaign, with the
target as a dashed rule. Built with the project's chart layer (research.charts.spec: the theme, a summary sentence
and the data table); a point not shown for a small group reaches the browser as its label, with no value."""

from __future__ import annotations

import altair as alt
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext

from safeschool import chart_theme as theme
from safeschool.web.core import formatting
from safeschool.web.research.charts import HEIGHT, LINES, WIDTH, column, spec, wrap
from safeschool.web.selfeval.selectors_plans import SHOWN, SUPPRESSED, Progress


def goal_chart(progress: Progress, *, title: str, target: float | None, summary: str) -> dict | None:
    """None when fewer than two points exist (nothing to draw a line through)."""
    if len(progress.points) < 2:
        return None
    rows = []
    for p in progress.points:
        when = date_format(timezone.localtime(p.campaign.closed_at).date(), "SHORT_DATE_FORMAT")
        name = p.campaign.title + (" " + gettext("(baseline)") if p.is_baseline else "")
        shown = p.state == SHOWN
        rows.append({"campaign": wrap(f"{name} · {when}"), "name": name, "score_100": p.score_100 if shown else None,
                     "display": formatting.number(p.score_100, 0) if shown else
                     (formatting.hidden_short("small") if p.state == SUPPRESSED else formatting.MISSING),
                     "suppressed": not shown, "reason": "small" if p.state == SUPPRESSED else None})
    order = [r["campaign"] for r in rows]
    base = alt.Chart(alt.Data(values=rows)).encode(
        x=alt.X("campaign:N", sort=order, title=None, axis=alt.Axis(labelAngle=0, labelExpr=LINES)))
    y = alt.Y("score_100:Q", title=gettext("0–100"), scale=alt.Scale(domain=[0, 100]),
              axis=alt.Axis(tickCount=5))
    visible = base.transform_filter("isValid(datum.score_100)")
    tooltip = [alt.Tooltip("name:N", title=gettext("Campaign")), alt.Tooltip("display:N", title=gettext("Score"))]
    layers = [
        visible.mark_line(color=theme.PRIMARY).encode(y=y),
        visible.mark_point(filled=True, size=70, color=theme.PRIMARY, opacity=1).encode(y="score_100:Q",
                                                                                        tooltip=tooltip),
        visible.mark_text(dy=-8, baseline="bottom", color=theme.INK).encode(y="score_100:Q", text="display:N"),
        base.transform_filter("!isValid(datum.score_100)").mark_text(baseline="bottom", color=theme.MUTED).encode(
            y=alt.value(HEIGHT - 4), text="display:N"),
    ]
    if not formatting.is_missing(target):
        layers.append(alt.Chart(alt.Data(values=[{"target": float(target)}])).mark_rule(
            color=theme.REFERENCE, strokeDash=[4, 4]).encode(y="target:Q"))
    chart = alt.layer(*layers).properties(width=WIDTH, height=HEIGHT, title=title)
    return spec(chart, summary=summary, rows=rows, columns=[
        column("name", gettext("Campaign")), column("score_100", gettext("Score (0–100)"), "number:0")])
