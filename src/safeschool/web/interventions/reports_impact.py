"""The trial's final report as a PDF (core.pdf): design, the pre-registered protocol's hash and lock time, the
deviations with their reasons, the allocation's audit record, the balance table, the CONSORT flow and the results
of the latest impact run that may be shown. Counts of units per arm only: no unit's arm, no per-student row."""

from __future__ import annotations

from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import get_language, gettext

from safeschool import chart_theme
from safeschool.trials import outcomes
from safeschool.vocabulary import MIN_CELL
from safeschool.web.core import formatting
from safeschool.web.core.pdf import FAMILY, Document
from safeschool.web.interventions import selectors_allocation as sel
from safeschool.web.interventions import selectors_impact
from safeschool.web.interventions.charts_impact import FLOW_STEPS, flow_rows, stage_label
from safeschool.web.interventions.models import RunStatus, Trial


def _when(value) -> str:
    return date_format(localtime(value), "SHORT_DATETIME_FORMAT") if value else formatting.MISSING


def _outcome(code: str) -> str:
    spec = outcomes.OUTCOMES.get(code)
    return gettext(spec.label) if spec else code


def balance_rows(balance: list[dict]) -> list[tuple]:
    return [(formatting.label("variable", r["variable"]), formatting.number(r.get("mean_control")),
             formatting.number(r.get("mean_intervention")), formatting.number(r.get("std_diff")),
             (gettext("%(control)s / %(intervention)s students") if r.get("level") == "student"
              else gettext("%(control)s / %(intervention)s units")) % {
                 "control": formatting.count(r.get("n_control")),
                 "intervention": formatting.count(r.get("n_intervention"))})
            for r in balance]


def _consort(pdf: Document, consort: dict, unit: str) -> None:
    """The flow as boxes: one column per arm, assigned -> lost -> analysed, joined by lines."""
    rows = flow_rows(consort, unit)
    arms = list(dict.fromkeys(r["arm"] for r in rows))
    width, height, gap = 80, 14, 6
    left = pdf.l_margin
    if pdf.get_y() + 3 * (height + gap) + 10 > pdf.h - pdf.b_margin:
        pdf.add_page()
    top = pdf.get_y() + 6
    pdf.set_font(FAMILY, "B", 9)
    for i, arm in enumerate(arms):
        x = left + i * (width + 10)
        pdf.set_xy(x, top - 6)
        pdf.cell(width, 5, formatting.label("trial_arm", arm), align="C")
        for j, stage in enumerate(FLOW_STEPS):
            row = next(r for r in rows if r["arm"] == arm and r["stage"] == stage)
            y = top + j * (height + gap)
            pdf.set_fill_color(*chart_theme.rgb(chart_theme.SURFACE))
            pdf.rect(x, y, width, height, style="DF")
            pdf.set_xy(x + 1, y + 1)
            pdf.set_font(FAMILY, "B", 8)
            pdf.cell(width - 2, 5, stage_label(stage), align="C", new_x="LMARGIN", new_y="NEXT")
            pdf.set_xy(x + 1, y + 7)
            pdf.set_font(FAMILY, "", 8)
            pdf.cell(width - 2, 5, row["text"], align="C")
            if j:
                pdf.line(x + width / 2, y - gap, x + width / 2, y)
    pdf.set_xy(left, top + 3 * (height + gap))


def _results(pdf: Document, run) -> None:
    r = run.result
    pdf.line_of_text(gettext("Outcome: %(outcome)s; model: %(formula)s (%(family)s)") % {
        "outcome": _outcome(run.outcome), "formula": r.get("formula", run.formula), "family": run.family})
    pdf.table((gettext("Figure"), gettext("Value")), [
        (gettext("Impact estimate (95 % CI)"), selectors_impact.impact_text(r, run.outcome)),
        (gettext("p-value"), formatting.p_value(r.get("p"))),
        (selectors_impact.method_label(r.get("effect_size_method", "")),
         formatting.interval(r.get("effect_size"), *(r.get("effect_size_ci") or [None, None]))),
        *([(gettext("EEF months' progress"), formatting.count(r["months_progress"]))]
          if r.get("months_progress") is not None else []),
        (gettext("Students analysed"), formatting.count(r.get("n"))),
    ], widths=(80, 90))
    attrition = selectors_impact.attrition_view(run.attrition)
    if attrition:
        pdf.heading(gettext("Attrition"))
        rows = []
        for level, label in (("clusters", gettext("Clusters")), ("students", gettext("Students"))):
            if attrition.get(level):
                a = attrition[level]
                rows.append((label, formatting.percent(a["overall"]), formatting.percent(a["differential"]),
                             gettext("low") if a["low"] else gettext("high")))
        pdf.line_of_text(gettext("Against the What Works Clearinghouse %(boundary)s boundary.") % {
            "boundary": attrition["used_label"]})
        pdf.table((gettext("Level"), gettext("Overall"), gettext("Differential"), gettext("Attrition")), rows,
                  widths=(50, 40, 40, 40))
    pdf.heading(gettext("Variance components"))
    pdf.table((gettext("Level"), gettext("Term"), gettext("Variance")),
              [(selectors_impact.level_label(v["group"]), v["term"], formatting.significant(v["variance"], 2)) for v in r.get("variance_components", [])],
              widths=(60, 50, 60))
    prov = r.get("provenance") or {}
    pdf.line_of_text(gettext("Data: SHA-256 %(hash)s, %(rows)s rows (%(analysed)s analysed).") % {
        "hash": prov.get("sha256", ""), "rows": formatting.count(prov.get("rows")),
        "analysed": formatting.count(prov.get("rows_analysed"))})


def report_document(*, user, trial: Trial) -> Document:
    title = gettext("Trial report: %(title)s") % {"title": trial.title}
    pdf = Document(footer=title)
    pdf.set_title(title)
    pdf.set_lang(get_language() or "en")
    pdf.set_subject(str(trial.intervention))
    pdf.title_block(title, gettext("Intervention: %(name)s · status: %(status)s") % {
        "name": trial.intervention.name, "status": trial.get_status_display()})
    pdf.heading(gettext("Design"))
    pdf.table((gettext("Item"), gettext("Value")), [
        (gettext("Design"), trial.get_design_display()),
        (gettext("Unit of assignment"), trial.get_unit_display()),
        (gettext("Primary outcome"), _outcome(trial.primary_outcome)),
        (gettext("Secondary outcomes"), ", ".join(_outcome(c) for c in trial.secondary_outcomes or [])
         or formatting.MISSING),
        (gettext("Covariates"), ", ".join(trial.covariates or []) or formatting.MISSING),
        (gettext("Analysis model"), trial.analysis_model or formatting.MISSING),
    ], widths=(50, 120))
    protocol = sel.protocol_of(trial)
    pdf.heading(gettext("Pre-registration"))
    if protocol and protocol.locked:
        pdf.line_of_text(gettext("Protocol locked on %(when)s; SHA-256 %(hash)s.") % {
            "when": _when(protocol.locked_at), "hash": protocol.content_hash})
        deviations = list(protocol.deviations.all())
        pdf.heading(gettext("Deviations from the protocol"))
        if deviations:
            pdf.table((gettext("When"), gettext("Item"), gettext("Change"), gettext("Reason")),
                      [(_when(d.recorded_at), d.field, d.change, d.reason) for d in deviations],
                      widths=(30, 30, 55, 55))
        else:
            pdf.line_of_text(gettext("None recorded."))
    else:
        pdf.line_of_text(gettext("The protocol is not locked yet."))
    allocation = sel.allocation_of(trial)
    pdf.heading(gettext("Allocation"))
    if allocation is None:
        pdf.line_of_text(gettext("Not allocated yet."))
    else:
        check = sel.reproduce(allocation)
        stored = sel.stored_units(allocation)
        pdf.table((gettext("Item"), gettext("Value")), [
            (gettext("Done by"), allocation.done_by.username if allocation.done_by else formatting.MISSING),
            (gettext("Done on"), _when(allocation.done_at)),
            (gettext("Seed"), str(allocation.seed) if user.has_perm("interventions.view_all_arms")
             else gettext("stored; shown to researchers")), (gettext("Algorithm"), allocation.algorithm),
            (gettext("Input hash"), allocation.input_hash),
            (gettext("Blocked by"), allocation.block_by or formatting.MISSING),
            (gettext("Reproduced from the seed"), gettext("identical") if check["identical"] else check["reason"]),
        ], widths=(50, 120))
        counts = sel.arm_counts(stored, trial.design)
        keys = sorted({k for c in counts for k in c["counts"]})
        pdf.table((gettext("Block"), *[formatting.label("trial_arm", k) if trial.design != "sw" else
                                       gettext("Step %(n)s") % {"n": k} for k in keys]),
                  [(c["block"] or formatting.MISSING, *[formatting.count(c["counts"].get(k, 0)) for k in keys])
                   for c in counts])
        if allocation.balance:
            pdf.heading(gettext("Baseline balance"))
            pdf.line_of_text(gettext("Students' characteristics in student-level standard deviations (pooled within "
                                     "arms, each arm from at least 10 students), the schools' own in standard "
                                     "deviations of the units."))
            pdf.table((gettext("Characteristic"), gettext("Control mean"), gettext("Intervention mean"),
                       gettext("Standardised difference"), gettext("Compared")), balance_rows(allocation.balance),
                      widths=(50, 30, 30, 30, 30))
    runs = [r for r in selectors_impact.impact_runs(trial) if r.status == RunStatus.SUCCEEDED]
    run = next((r for r in runs if selectors_impact.shown(r)), None)
    pdf.heading(gettext("Participant flow (CONSORT)"))
    if run is not None:
        _consort(pdf, run.consort, trial.unit)
        pdf.heading(gettext("Results (intention to treat)"))
        _results(pdf, run)
    else:
        pdf.line_of_text(gettext("No impact analysis with results that can be shown (each arm needs at least "
                                 "%(n)s analysed students).") % {"n": MIN_CELL})
    return pdf


def report_pdf(*, user, trial: Trial) -> bytes:
    return report_document(user=user, trial=trial).bytes()
