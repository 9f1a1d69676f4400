"""The student figures of a school's profile report: the school's facts, security, belonging and engagement by
wave, outcomes by wave, and the groups at the last wave — every figure from research.selectors' suppressed
summaries or protected here with the same rules (stats.disclosure: primary and complementary suppression against
the total shown beside a breakdown), so a hidden cell reaches the document as its reason and no number.

Everything here depends on the data and the language only, so it is computed once per data version and language
and shared through the cache, as the school page's figures are (research.selectors.profile_cached)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from django.utils.translation import gettext, pgettext

from safeschool.publishing.document import Chart, Facts, Figure, Notice, Paragraph, Section
from safeschool.stats import descriptives as d
from safeschool.stats.disclosure import EMPTY, Cell, rounded, suppress_groups
from safeschool.vocabulary import GROUPS, MIN_CELL
from safeschool.web.core import formatting
from safeschool.web.reports.common import hide, suppressed_row, table
from safeschool.web.research import selectors
from safeschool.web.research.models import School, Student

CLIMATE = ("security", "belonging", "engagement")  # the security section's measures, on their 1-4 / 1-5 scales
SHARES = ("attendance_rate", "dropped_out")           # outcomes published as shares
GROUP_MEASURES = ("security", "belonging")            # the group means beside early leaving
MEASURES = (*CLIMATE, "achievement", *SHARES)        # the by-wave measures the report shows
FIGURES = ("n", "mean", "ci_low", "ci_high")


def wave_name(number: int) -> str:
    return gettext("Wave %(n)s") % {"n": number}


def _clean(value):
    return None if value is None or (isinstance(value, float) and pd.isna(value)) else value


def hidden_text(reason: str | None = None) -> str:
    """A fact hidden by the disclosure rule, in words."""
    if reason == EMPTY:
        return formatting.MISSING
    # Translators: in place of a figure about a small group of students, e.g. "not shown (fewer than 10 students)".
    return gettext("not shown (fewer than %(n)s students)") % {"n": MIN_CELL}


# ---------------------------------------------------------------------------------------------------- figures
@dataclass
class StudentFigures:
    """What the report shows of a school's students: the number of students (None under MIN_CELL), the by-wave
    summary (descriptives.wave_summary, already suppressed), the last wave, the student rows the group breakdowns
    start from, and the numbers of classes and of waves with data."""

    n_students: int | None
    summary: pd.DataFrame
    last_wave: int | None
    frame: pd.DataFrame
    n_classes: int
    n_waves: int


def student_figures(school: School) -> StudentFigures:
    students = Student.objects.filter(school_class__school=school)
    frame = selectors.student_frame(students=students)
    n = students.count()
    empty = frame.empty
    summary = pd.DataFrame() if empty else d.wave_summary(
        frame, {m: selectors.PROFILE_MEASURES[m] for m in MEASURES}, MIN_CELL,
        digits={m: selectors.precision(m) for m in MEASURES})
    return StudentFigures(n_students=n if n >= MIN_CELL else None, summary=summary,
                          last_wave=None if empty else int(frame.wave.max()), frame=frame,
                          n_classes=school.classes.count(), n_waves=0 if empty else int(frame.wave.nunique()))


# ----------------------------------------------------------------------------------------------------- about
def about_section(school: School, figures: StudentFigures) -> Section:
    n = figures.n_students
    facts = Facts([
        (gettext("Country"), formatting.label("country", school.country.code)),
        (gettext("Stage"), formatting.label("stage", school.stage)),
        (gettext("Context"), str(school.get_context_display())),
        (gettext("Regional Educational Centre"), school.rec.name if school.rec else gettext("No partnership")),
        (gettext("Students"), formatting.count(n) if n is not None else hidden_text()),
        (gettext("Classes"), formatting.count(figures.n_classes)),
        (gettext("Waves"), formatting.count(figures.n_waves)),
    ])
    blocks: list = [facts]
    if n is None:
        blocks.insert(0, Notice(gettext("This school has fewer than %(n)s students: none of its figures can be "
                                        "shown.") % {"n": MIN_CELL}))
    return Section(gettext("About the school"), blocks, anchor="about")


def _hidden_note(rows: list[dict]) -> str:
    if not any(r.get("suppressed") or r.get("hidden") for r in rows):
        return ""
    return gettext("Figures about fewer than %(n)s students are not shown; where a total is published, one more "
                   "figure is hidden so that a small group cannot be worked out from it.") % {"n": MIN_CELL}


# ----------------------------------------------------------------------------------------------------- waves
def _wave_rows(figures: StudentFigures, measures) -> list[dict]:
    """The by-wave rows of `measures`, measure by measure (in that order), wave by wave."""
    by_measure: dict[str, list[dict]] = {m: [] for m in measures}
    for stat in figures.summary.to_dict("records"):
        if stat["measure"] in by_measure:
            by_measure[stat["measure"]].append(stat)
    rows = []
    for measure in measures:
        label = gettext(selectors.PROFILE_MEASURES[measure])
        for stat in sorted(by_measure[measure], key=lambda r: r["wave"]):
            wave = wave_name(int(stat["wave"]))
            labels = {"measure": label, "wave": wave, "category": f"{label} · {wave}"}
            if stat.get("suppressed"):
                rows.append(suppressed_row(labels, FIGURES, reason=stat.get("reason")))
            else:
                rows.append(labels | {f: _clean(stat.get(f)) for f in FIGURES})
    return rows


def _wave_table(caption: str, rows: list[dict], fmt: str) -> object:
    return table(caption, [("measure", gettext("Measure"), "text"), ("wave", gettext("Wave"), "text"),
                           ("n", gettext("Students"), "count"), ("mean", gettext("Mean"), fmt),
                           ("ci_low", gettext("95 % CI from"), fmt), ("ci_high", gettext("95 % CI to"), fmt)],
                 rows, note=_hidden_note(rows))


def _summary_sentence(rows: list[dict], fmt) -> str:
    shown = [r for r in rows if not r.get("suppressed")]
    if not shown:
        return gettext("Every figure is hidden to protect small groups.")
    parts = [f"{r['category']}: {fmt(r['mean'])}" for r in shown]
    return "; ".join(parts) + "."


def climate_section(figures: StudentFigures) -> Section:
    title = gettext("Security, belonging and engagement by wave")
    if figures.last_wave is None:
        return Section(title, [Paragraph(gettext("No survey wave has been recorded for this school yet."))],
                       anchor="climate")
    rows = _wave_rows(figures, CLIMATE)
    figure = Figure(
        # xgettext:no-python-format
        name="climate-by-wave", title=gettext("Mean score by wave with its 95 % confidence interval"),
        summary=_summary_sentence(rows, lambda v: formatting.number(v, 2)),
        chart=Chart(kind="dots", rows=rows, value="mean", category="category", series="wave", low="ci_low",
                    high="ci_high", format="number:2", value_title=gettext("Mean (scale 1-4 or 1-5)"),
                    category_title=gettext("Measure and wave"), domain=(1.0, 5.0)),
        table=_wave_table(gettext("Security, belonging and engagement by wave"), rows, "number:2"),
        note=gettext("Attachment security is measured on a scale of 1 to 4, belonging and engagement on 1 to 5."))
    return Section(title, [figure], anchor="climate")


def outcomes_section(figures: StudentFigures) -> Section:
    title = gettext("Outcomes by wave")
    if figures.last_wave is None:
        return Section(title, [Paragraph(gettext("No outcomes have been recorded for this school yet."))],
                       anchor="outcomes")
    achievement = _wave_rows(figures, ("achievement",))
    shares = _wave_rows(figures, SHARES)
    return Section(title, [
        Figure(name="achievement-by-wave", title=gettext("Achievement by wave (points)"),
               summary=_summary_sentence(achievement, lambda v: formatting.number(v, 0)),
               chart=Chart(kind="dots", rows=achievement, value="mean", category="wave", low="ci_low",
                           high="ci_high", format="number:0", value_title=gettext("Points"),
                           category_title=gettext("Wave")),
               table=_wave_table(gettext("Achievement by wave"), achievement, "number:0")),
        Figure(name="shares-by-wave", title=gettext("Attendance and early leaving by wave"),
               summary=_summary_sentence(shares, formatting.percent),
               chart=Chart(kind="bars", rows=shares, value="mean", category="category", series="wave", low="ci_low",
                           high="ci_high", format="percent", value_title=pgettext("a proportion of students", "Share"),
                           category_title=gettext("Measure and wave"), domain=(0.0, 1.0)),
               table=_wave_table(gettext("Attendance rate and share who left education early, by wave"), shares,
                                 "percent"),
               note=gettext("Left education early: the share of the school's students recorded as having left "
                            "by that wave.")),
    ], anchor="outcomes")


# ---------------------------------------------------------------------------------------------------- groups
def _group_cells(at_last: pd.DataFrame, name: str) -> dict[str, dict[str, Cell]]:
    """Per figure (left_early and the GROUP_MEASURES), the cell of each group of `name`: what
    descriptives.group_breakdown gives (n and mean over the group's non-missing values, then primary and
    complementary suppression against the school's total, disclosure.suppress_groups, and values rounded as
    published), from one pass over plain arrays instead of a pandas grouping per figure (a report has fifteen)."""
    at_last = at_last[at_last[name].notna()]
    keys = at_last[name].astype(str).to_numpy()
    flags = at_last["dropped_out"]
    values = {"left_early": np.where(flags.isna(), np.nan, flags.fillna(False).astype(bool).astype(float)),
              **{m: pd.to_numeric(at_last[m], errors="coerce").to_numpy(dtype=float) for m in GROUP_MEASURES}}
    order = list(GROUPS[name][1])
    present = sorted(set(keys), key=lambda key: (order.index(key) if key in order else len(order), key))
    masks = {key: keys == key for key in present}
    cells = {}
    for field, column in (("left_early", "dropped_out"), *((m, m) for m in GROUP_MEASURES)):
        groups = {}
        for key, mask in masks.items():
            v = values[field][mask]
            v = v[~np.isnan(v)]
            groups[key] = (len(v), float(v.mean()) if len(v) else None)
        digits = selectors.precision(column)
        cells[field] = {key: Cell(c.n, rounded(c.value, digits), c.suppressed, c.reason) for key, c in
                        suppress_groups(groups, k=MIN_CELL, total_shown=True).items()}
    return cells


def _breakdown(at_last: pd.DataFrame, name: str) -> list[dict]:
    """One characteristic's groups at the last wave: students and the share who left early (from the early-leaving
    figure's cells), mean security and belonging (each its own breakdown), every cell protected against the
    school's total published beside it."""
    cells = _group_cells(at_last, name)
    rows = []
    for key, left in cells["left_early"].items():
        row = {"characteristic": gettext(GROUPS[name][0]), "group": formatting.label(f"group:{name}", key),
               "n": left.n, "left_early": left.value, **{m: cells[m][key].value for m in GROUP_MEASURES}}
        for field in ("left_early", *GROUP_MEASURES):
            cell = cells[field][key]
            if cell.suppressed:
                row = hide(row, field, *(("n",) if field == "left_early" else ()), reason=cell.reason)
        if all(f in (row.get("hidden") or ()) for f in ("left_early", *GROUP_MEASURES)):
            row = suppressed_row({k: row[k] for k in ("characteristic", "group")},
                                 ("n", "left_early", *GROUP_MEASURES), reason=row.get("reason"))
        rows.append(row)
    return rows


def groups_section(figures: StudentFigures) -> Section:
    title = gettext("By group")
    if figures.last_wave is None:
        return Section(title, [Paragraph(gettext("No survey wave has been recorded for this school yet."))],
                       anchor="groups")
    at_last = figures.frame[figures.frame.wave == figures.last_wave]
    rows = [row for name in selectors.PROFILE_GROUPS for row in _breakdown(at_last, name)]
    wave = figures.last_wave
    chart_rows = [{"category": f"{r['characteristic']}: {r['group']}", "series": r["characteristic"],
                   "value": r["left_early"], **({"suppressed": True, "reason": r.get("reason")}
                                                if r["left_early"] is None else {})} for r in rows]
    shown = [r for r in chart_rows if not r.get("suppressed")]
    if shown:
        high = max(shown, key=lambda r: r["value"])
        # Translators: a chart's summary, e.g. "Highest share who left early: Gender: Boys (14.3 %)."
        summary = gettext("Highest share who left early: %(group)s (%(value)s).") % {
            "group": high["category"], "value": formatting.percent(high["value"])}
    else:
        summary = gettext("Every group is hidden to protect small groups.")
    blocks = [
        Paragraph(gettext("At wave %(wave)s. A group of fewer than %(n)s students is not shown, and neither is the "
                          "next smallest group of the same characteristic when that alone would let it be worked "
                          "out from the school's total.") % {"wave": wave, "n": MIN_CELL}),
        Figure(name="left-early-by-group",
               title=gettext("Left education early by wave %(wave)s, by group") % {"wave": wave},
               summary=summary,
               chart=Chart(kind="bars", rows=chart_rows, value="value", category="category", series="series",
                           format="percent", value_title=gettext("Left early"), category_title=gettext("Group")),
               table=table(gettext("Early leaving, security and belonging by group at wave %(wave)s") % {
                   "wave": wave}, [
                   ("characteristic", gettext("Characteristic"), "text"), ("group", gettext("Group"), "text"),
                   ("n", gettext("Students"), "count"), ("left_early", gettext("Left early"), "percent"),
                   ("security", gettext("Attachment security (mean)"), "number:2"),
                   ("belonging", gettext("Sense of belonging (mean)"), "number:2")], rows,
                   note=_hidden_note(rows))),
    ]
    return Section(title, blocks, anchor="groups")


def student_sections(school: School) -> list[Section]:
    """The four sections about the school's students (cached per data version and language by the caller)."""
    figures = student_figures(school)
    return [about_section(school, figures), climate_section(figures), outcomes_section(figures),
            groups_section(figures)]
