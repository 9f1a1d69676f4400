"""What the pages show of impact runs, and the trial page's allocation and impact panels (`trial_panels`).

Results are shown only when every arm has at least MIN_CELL analysed students (the execution already refuses to
store figures otherwise; this checks again before anything is shown)."""

from __future__ import annotations

from django.utils.translation import gettext

from safeschool.stats.formula import ModelSpecError, parse_formula
from safeschool.trials import designs, outcomes
from safeschool.web.core import formatting
from safeschool.web.interventions import selectors_allocation as sel
from safeschool.web.interventions.charts_impact import consort_chart, consort_shown
from safeschool.web.interventions.models import ImpactRun, RunStatus, Trial, TrialStatus

FROM_ALLOCATION = {"treat", "block"}  # columns the platform adds from the allocation, never read from the file


def formula_for(trial: Trial, outcome: str) -> str:
    """The primary outcome's pre-registered model; a secondary outcome's from the design (same covariates)."""
    if outcome == trial.primary_outcome and trial.analysis_model.strip():
        return trial.analysis_model.strip()
    return designs.analysis_formula(trial.design, outcomes.outcome(outcome).column, list(trial.covariates or []))


def family_for(outcome: str) -> str:
    return outcomes.outcome(outcome).family


def needed_columns(trial: Trial, formula: str) -> list[str]:
    """The columns a follow-up file must have for this model (ModelSpecError when it cannot be read)."""
    columns = parse_formula(formula).columns()
    ids = ["student_id", "school_id"] + (["class_id"] if trial.unit == "class" or "class_id" in columns else [])
    return list(dict.fromkeys([*ids, *(c for c in columns if c not in FROM_ALLOCATION)]))


def file_columns(trial: Trial) -> list[dict]:
    """Per outcome of the trial, the model and the columns its follow-up file needs (for the upload page)."""
    rows = []
    for code in dict.fromkeys([trial.primary_outcome, *(trial.secondary_outcomes or [])]):
        if code not in outcomes.OUTCOMES:
            continue
        formula = formula_for(trial, code)
        try:
            columns = needed_columns(trial, formula)
        except ModelSpecError:
            columns = []
        rows.append({"outcome": gettext(outcomes.OUTCOMES[code].label), "formula": formula, "columns": columns})
    return rows


def impact_runs(trial: Trial):
    return ImpactRun.objects.filter(trial=trial).select_related("created_by").order_by("-created_at", "-pk")


def shown(run: ImpactRun) -> bool:
    """Figures may be shown: a succeeded run whose every arm has >= MIN_CELL analysed students."""
    if run.status != RunStatus.SUCCEEDED or not run.result or not run.consort:
        return False
    return consort_shown(run.consort)


def method_label(method: str) -> str:
    return {"hedges_g_total_variance": gettext("Hedges' g on the total variance"),
            "cox_index": gettext("Cox index (binary outcome)")}.get(method, method)


def attrition_view(attrition: dict | None) -> dict | None:
    """The attrition figures with the WWC verdict under the boundary the trial uses."""
    if not attrition:
        return None
    used = attrition.get("boundary_used", "cautious")
    out = {"used": used, "used_label": gettext("cautious") if used == "cautious" else gettext("optimistic")}
    for level in ("students", "clusters"):
        figures = attrition.get(level)
        if figures:
            out[level] = {"overall": figures["overall"], "differential": figures["differential"],
                          "verdict": figures["boundary"][used], "limit": figures.get(f"{used}_max"),
                          "low": figures["boundary"][used] == "low"}
    out["reference"] = (attrition.get("students") or {}).get("reference", "")
    return out


def level_label(group: str) -> str:
    """A variance component's level in words: school_id -> School, class_id:school_id -> Class, Residual."""
    first = str(group).split(":")[0]
    return {"school_id": gettext("School"), "class_id": gettext("Class"), "block": gettext("Block"),
            "Residual": gettext("Student (residual)")}.get(first, group)


PROPORTION_COLUMNS = {"attendance_rate"}  # gaussian outcomes on a 0–1 scale: impacts read in percentage points


def impact_text(result: dict, outcome: str) -> str:
    """The impact and its 95 % CI in the outcome's own units: a proportion (attendance) in percentage points
    ("+0.6 points (0.0 to 1.1)"), a scale or a log-odds with two significant digits ("0.12 (0.05 to 0.19)")."""
    low, high = (result.get("ci") or [None, None])[:2]
    spec = outcomes.OUTCOMES.get(outcome)
    if spec is not None and spec.column in PROPORTION_COLUMNS:
        return formatting.interval_points(result.get("estimate"), low, high)
    return formatting.interval_significant(result.get("estimate"), low, high)


def run_display(run: ImpactRun) -> dict:
    """The result page's context beyond the run itself."""
    spec = outcomes.OUTCOMES.get(run.outcome)
    view = {"outcome_label": gettext(spec.label) if spec else run.outcome, "shown": shown(run),
            "r": run.result or {}, "attrition_view": attrition_view(run.attrition),
            "can_complete": False, "suppressed": run.status == RunStatus.SUCCEEDED and not shown(run)}
    if view["shown"]:
        view["method"] = method_label(run.result.get("effect_size_method", ""))
        view["attainment"] = run.result.get("months_progress") is not None
        view["consort_spec"] = consort_chart(run.consort, run.trial.unit)
        view["impact_text"] = impact_text(run.result, run.outcome)
        view["components"] = [{**v, "level": level_label(v["group"])} for v in run.result.get("variance_components", [])]
    return view


def can_complete(user, trial: Trial) -> bool:
    return (user.has_perm("interventions.design_trial") and trial.status == TrialStatus.RANDOMISED
            and ImpactRun.objects.filter(trial=trial, status=RunStatus.SUCCEEDED).exists())


def trial_panels(*, user, trial) -> dict:
    """The trial page's two panels: the allocation summary (counts per arm; no unit's arm) and the impact runs."""
    protocol = sel.protocol_of(trial)
    runs = list(impact_runs(trial)[:10])
    return {
        "trial": trial,
        "allocation": sel.allocation_summary(user=user, trial=trial),
        "locked": bool(protocol and protocol.locked),
        "can_allocate": user.has_perm("interventions.design_trial") and trial.status == TrialStatus.REGISTERED,
        "can_run_impact": user.has_perm("interventions.run_impact") and trial.status == TrialStatus.RANDOMISED,
        "can_complete": can_complete(user, trial),
        "runs": [{"run": r, "outcome_label": gettext(outcomes.OUTCOMES[r.outcome].label)
                  if r.outcome in outcomes.OUTCOMES else r.outcome, "shown": shown(r),
                  "effect_size": (r.result or {}).get("effect_size") if shown(r) else None} for r in runs],
        "has_report": trial.status in (TrialStatus.RANDOMISED, TrialStatus.COMPLETED),
    }
