"""Executing a queued impact run (called by the background task): the follow-up file joined to the allocation (the
arm by the school's or class's code, never from the file), the intention-to-treat model, effect size, attrition
against the WWC boundaries and the CONSORT counts, stored all at once; or the reason it failed, and nothing else.
Hedges' g divides the impact (adjusted for the baseline covariates) by the total variance of the same model without
them (`covariates_of`), as the EEF's guidance asks.

No figures are kept when an arm has fewer than MIN_CELL analysed students (the run fails and says so)."""

from __future__ import annotations

import hashlib
import logging

import pandas as pd
from django.db import transaction
from django.utils import timezone

from safeschool.ingest.readers import TableReadError, read_table
from safeschool.stats.formula import ModelSpecError, identifiers, parse_formula
from safeschool.trials import attrition as wwc
from safeschool.trials import designs, impact, outcomes
from safeschool.vocabulary import MIN_CELL
from safeschool.web.interventions import selectors_allocation as sel
from safeschool.web.interventions.models import ImpactRun, RunStatus, Trial

log = logging.getLogger(__name__)
BOUNDARIES = ("cautious", "optimistic")
DESIGN_TERMS = frozenset({"treat", "block", "period", "post"})  # kept in the model that standardises g


class TooFew(ValueError):
    """An arm has fewer than MIN_CELL analysed students."""


def boundary_of(trial: Trial) -> str:
    """The WWC boundary the trial uses: its protocol's choice, else the cautious one (the WWC's default)."""
    protocol = sel.protocol_of(trial)
    chosen = (protocol.content or {}).get("attrition_boundary") if protocol else None
    return chosen if chosen in BOUNDARIES else "cautious"


def assemble(trial: Trial, frame: pd.DataFrame, formula: str) -> tuple[pd.DataFrame, str]:
    """The analysis data: the file with the arm, `treat` (and `block`) from the allocation and `_analysed`."""
    stored = sel.stored_units(sel.allocation_of(trial))
    key = "class_id" if trial.unit == "class" else "school_id"
    data = frame.copy()
    for column in ("student_id", "school_id", "class_id"):
        if column in data:
            data[column] = data[column].astype(str)
    units = stored.set_index("unit")
    data["arm"] = data[key].map(units.arm)
    if trial.design == "sw":
        step = data[key].map(units.step).astype(float)
        data["treat"] = (pd.to_numeric(data["period"], errors="coerce") >= step).astype(int)
    else:
        data["treat"] = (data["arm"] == "intervention").astype(int)
    data["block"] = data[key].map(units.block).astype(str)
    needed = [c for c in parse_formula(formula).columns() if c not in ("treat", "block")]
    for column in needed:
        if column not in ("student_id", "school_id", "class_id"):
            data[column] = pd.to_numeric(data[column], errors="coerce")
    data["_analysed"] = data[needed].notna().all(axis=1) & data["arm"].notna()
    return data, key


def covariates_of(trial: Trial, formula: str) -> list[str]:
    """The baseline covariates g's denominator leaves out (EEF: the impact adjusted for them, divided by the total
    variance of the model without them): the trial's covariates and any other fixed term of the model but the
    design's own (the treatment, strata, periods, the comparison's before/after)."""
    fixed = identifiers(parse_formula(formula).fixed)
    return list(dict.fromkeys([*(trial.covariates or []), *(c for c in fixed if c not in DESIGN_TERMS)]))


def counts(trial: Trial, data: pd.DataFrame, key: str) -> tuple[dict, dict | None]:
    """(CONSORT counts per arm, attrition of students and clusters) — students counted once each."""
    per_student = data.groupby("student_id", sort=False).agg(
        arm=("arm", "first"), unit=(key, "first"), _analysed=("_analysed", "any"))
    flow = wwc.consort(per_student.reset_index(), unit_cols="unit", arm="arm", analysed_col="_analysed")
    stored = sel.stored_units(sel.allocation_of(trial))
    for arm, n in stored.arm.value_counts().items():
        entry = flow.setdefault(str(arm), {"clusters_assigned": 0, "clusters_lost": 0, "clusters_analysed": 0,
                                           "students_assigned": 0, "students_lost": 0, "students_analysed": 0})
        entry["clusters_assigned"] = int(n)
        entry["clusters_lost"] = int(n) - entry["clusters_analysed"]
    if len(flow) != 2 or any(f["students_assigned"] == 0 for f in flow.values()):
        return flow, None
    students = wwc.attrition({a: f["students_assigned"] for a, f in flow.items()},
                             {a: f["students_analysed"] for a, f in flow.items()})
    clusters = wwc.attrition({a: f["clusters_assigned"] for a, f in flow.items()},
                             {a: f["clusters_analysed"] for a, f in flow.items()})
    return flow, {"students": students, "clusters": clusters, "boundary_used": boundary_of(trial)}


def disclosure_check(data: pd.DataFrame) -> None:
    analysed = data[data["_analysed"]]
    groups = analysed.groupby("treat")["student_id"].nunique()
    if len(groups) < 2 or int(groups.min()) < MIN_CELL:
        raise TooFew(f"an arm has fewer than {MIN_CELL} analysed students: no figures are shown")


def impact_run_execute(*, run_id: int) -> ImpactRun:
    """Run the analysis; store result, CONSORT and attrition on success, or the reason on failure."""
    run = ImpactRun.objects.select_related("trial").get(pk=run_id)
    if run.status in (RunStatus.SUCCEEDED, RunStatus.FAILED):
        return run
    ImpactRun.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING)
    trial = run.trial
    try:
        with run.data.open("rb") as fh:
            digest = hashlib.sha256(fh.read()).hexdigest()
        frame = read_table(run.data.path)
        data, key = assemble(trial, frame, run.formula)
        disclosure_check(data)
        flow, attrition = counts(trial, data, key)
        analysed = data[data["_analysed"]].drop(columns=["_analysed", "arm"])
        result = impact.estimate_impact(analysed, formula=run.formula, treatment=designs.impact_term(trial.design),
                                        family=run.family, attainment=outcomes.outcome(run.outcome).attainment,
                                        covariates=covariates_of(trial, run.formula))
        result["provenance"] = {"sha256": digest, "rows": int(len(frame)), "rows_analysed": int(len(analysed)),
                                "formula": run.formula, "family": run.family, "unit": key}
    except (ModelSpecError, TableReadError, ValueError, KeyError) as exc:
        return _fail(run, str(exc))
    except Exception as exc:  # an engine failure must still leave a clear, stored reason
        log.exception("impact run %s failed", run.pk)
        return _fail(run, f"{type(exc).__name__}: {exc}")
    with transaction.atomic():
        ImpactRun.objects.filter(pk=run.pk).update(status=RunStatus.SUCCEEDED, result=result, consort=flow,
                                                   attrition=attrition, error="", finished_at=timezone.now())
    run.refresh_from_db()
    return run


def _fail(run: ImpactRun, reason: str) -> ImpactRun:
    ImpactRun.objects.filter(pk=run.pk).update(status=RunStatus.FAILED, error=(reason.splitlines() or ["failed"])[0][:2000]
                                               or "failed", result=None, consort=None, attrition=None,
                                               finished_at=timezone.now())
    run.refresh_from_db()
    return run


def impact_run_abandoned(run_id: int, *, reason: str) -> None:
    """The worker died while the run ran (core.worker's recovery): failed with the reason, unless it finished."""
    ImpactRun.objects.filter(pk=run_id).exclude(status__in=[RunStatus.SUCCEEDED, RunStatus.FAILED]).update(
        status=RunStatus.FAILED, error=reason, result=None, consort=None, attrition=None, finished_at=timezone.now())
