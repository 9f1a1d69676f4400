"""The small bar chart of a partnership's monthly referral counts (counts only, never a student), with the project's
chart layer (research.charts.spec: the theme, a summary sentence and the data table)."""

from __future__ import annotations

import altair as alt
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext

from safeschool import chart_theme as theme
from safeschool.web.core import formatting
from safeschool.web.research.charts import HEIGHT, WIDTH, column, spec


def referrals_chart(referrals) -> dict | None:
    """None without counts."""
    if not referrals:
        return None
    rows = [{"month": date_format(r.month, "YEAR_MONTH_FORMAT"), "key": r.month.isoformat(), "count": r.count,
             "display": formatting.count(r.count)} for r in referrals]
    total = sum(r.count for r in referrals)
    summary = ngettext("%(total)s referral in %(months)s month recorded.",
                       "%(total)s referrals in %(months)s months recorded.", total) % {
        "total": formatting.count(total), "months": formatting.count(len(rows))}
    base = alt.Chart(alt.Data(values=rows)).encode(
        x=alt.X("month:N", sort=[r["month"] for r in rows], title=None, axis=alt.Axis(labelAngle=-45)))
    y = alt.Y("count:Q", title=gettext("Referrals"), axis=alt.Axis(tickMinStep=1))
    tooltip = [alt.Tooltip("month:N", title=gettext("Month")), alt.Tooltip("display:N", title=gettext("Referrals"))]
    chart = alt.layer(
        base.mark_bar(color=theme.PRIMARY).encode(y=y, tooltip=tooltip),
        base.mark_text(dy=-4, baseline="bottom", color=theme.INK).encode(y="count:Q", text="display:N"),
    ).properties(width=WIDTH, height=HEIGHT, title=gettext("Referrals per month"))
    return spec(chart, summary=summary, rows=rows, columns=[
        column("month", gettext("Month")), column("count", gettext("Referrals"), "count")])
