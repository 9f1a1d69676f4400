"""The CONSORT flow diagram of an impact run as a Vega-Lite chart (core.charts draws it with its text alternative),
and the rows the page, the chart and the PDF share: for each arm, clusters and students assigned, lost and
analysed.

Disclosure rule for CONSORT (docs/disclosure.md): the arm-level counts are shown exactly, small ones included —
CONSORT requires them, they describe the trial's flow rather than a characteristic of students, and suppressing
"lost" alone would not hide it (assigned minus analysed gives it back). They are shown only when every arm has at
least MIN_CELL analysed students (`consort_shown`; otherwise no figure of the run is shown at all), and counts per
cluster (school or class) are never shown."""

from __future__ import annotations

from django.utils.translation import gettext

from safeschool import chart_theme as theme
from safeschool.vocabulary import MIN_CELL
from safeschool.web.core import formatting
from safeschool.web.research.charts import WIDTH, column

FLOW_STEPS = ("assigned", "lost", "analysed")
ARM_COLOURS = {"intervention": theme.PALETTE[0], "control": theme.PALETTE[1]}


def stage_label(stage: str) -> str:
    return {"assigned": gettext("Assigned"),
            # Translators: CONSORT flow, participants lost to follow-up (not analysed)
            "lost": gettext("Lost to follow-up"),
            "analysed": gettext("Analysed")}[stage]


def consort_shown(consort: dict | None) -> bool:
    """CONSORT counts may be shown: every arm (at least two) has at least MIN_CELL analysed students."""
    analysed = [int(arm.get("students_analysed") or 0) for arm in (consort or {}).values()]
    return len(analysed) >= 2 and min(analysed) >= MIN_CELL


def students_text(n) -> str:
    """An arm-level CONSORT student count, exact (see the module's disclosure rule)."""
    return formatting.MISSING if n is None else formatting.count(int(n))


def flow_rows(consort: dict, unit: str) -> list[dict]:
    """One row per arm and stage: arm (code), arm_label, stage, stage_label, clusters, students (text); no rows
    unless every arm has at least MIN_CELL analysed students."""
    clusters_word = gettext("classes") if unit == "class" else gettext("schools")
    rows = []
    if not consort_shown(consort):
        return rows
    for arm in sorted(consort):
        counts = consort[arm]
        for order, stage in enumerate(FLOW_STEPS):
            clusters, students = counts.get(f"clusters_{stage}"), counts.get(f"students_{stage}")
            rows.append({"arm": arm, "arm_label": formatting.label("trial_arm", arm), "stage": stage,
                         "order": order, "stage_label": stage_label(stage),
                         "clusters": formatting.count(clusters), "students": students_text(students),
                         "text": gettext("%(clusters)s %(what)s · %(students)s students") % {
                             "clusters": formatting.count(clusters), "what": clusters_word,
                             "students": students_text(students)},
                         "box": "\n".join((f"{formatting.count(clusters)} {clusters_word}",
                                            gettext("%(students)s students") % {"students": students_text(students)}))})
    return rows


def consort_chart(consort: dict, unit: str) -> dict:
    """Boxes per arm (columns) and stage (rows, top to bottom), each with its counts, as a flow diagram."""
    rows = flow_rows(consort, unit)
    arms = list(dict.fromkeys(r["arm_label"] for r in rows))
    stages = [stage_label(s) for s in FLOW_STEPS]
    colours = [ARM_COLOURS.get(a, theme.INK) for a in dict.fromkeys(r["arm"] for r in rows)]
    summary = " ".join(
        gettext("%(arm)s: %(assigned)s assigned, %(lost)s lost, %(analysed)s analysed.") % {
            "arm": arm, **{r["stage"]: r["text"] for r in rows if r["arm_label"] == arm}} for arm in arms)
    encoding = {"x": {"field": "arm_label", "type": "nominal", "sort": arms, "title": None,
                      "axis": {"orient": "top", "labelAngle": 0, "domain": False, "ticks": False}},
                "y": {"field": "stage_label", "type": "nominal", "sort": stages, "title": None,
                      "axis": {"labelAngle": 0, "domain": False, "ticks": False, "labelLimit": 140}}}
    spec = {
        "title": gettext("Participant flow (CONSORT)"),
        "width": WIDTH, "height": 3 * 72,
        "data": {"values": rows},
        "encoding": encoding,
        "layer": [
            {"mark": {"type": "rect", "stroke": theme.INK, "strokeWidth": 1, "cornerRadius": 3, "opacity": 0.18},
             "encoding": {"color": {"field": "arm_label", "type": "nominal", "legend": None,
                                    "scale": {"domain": arms, "range": colours}}}},
            {"mark": {"type": "text", "lineBreak": "\n", "color": theme.INK, "fontSize": theme.FONT_SIZE - 1},
             "encoding": {"text": {"field": "box", "type": "nominal"}}},
        ],
        "config": theme.vega_config(),
        "usermeta": {"summary": summary, "table": {
            "columns": [column("arm_label", gettext("Arm")), column("stage_label", gettext("Stage")),
                        column("clusters", gettext("Schools") if unit != "class" else gettext("Classes")),
                        column("students", gettext("Students"))],
            "rows": rows}},
    }
    return spec
