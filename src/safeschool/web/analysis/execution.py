"""Executing a queued analysis run (called by the background task): all results or none."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from safeschool.stats.analyses import provenance, run_ecological, run_maihda, select_stages
from safeschool.stats.ecological import BlockSpec, default_spec
from safeschool.stats.mixed import ModelSpecError
from safeschool.trials import icc
from safeschool.web.analysis.models import AnalysisRun, Kind, Status
from safeschool.web.research.selectors import analysis_frame

log = logging.getLogger(__name__)

# the outcomes a within-country decomposition also gets bootstrap intervals for (trials.icc's codes)
ICC_OUTCOMES = {"achievement": "achievement", "attendance_rate": "attendance", "dropout": "dropout",
                "security": "security", "belonging": "belonging"}
ICC_BOOTSTRAP = 200  # cluster-bootstrap replicates of the variance shares (seed 0: the same data, the same interval)


def within_country_spec() -> BlockSpec:
    """The ecological blocks within one country: no country level, and no political block (its indicators are
    the country's, constant for every student)."""
    spec = default_spec()
    spec.groups.pop("country_id", None)
    spec.blocks["political"] = []
    return spec


def variance_intervals(frame, outcome: str) -> dict:
    """Shares of variance at school, class and student level with 95 % intervals (cluster bootstrap over
    schools, trials.icc.estimate), or why there are none (e.g. fewer than 10 schools)."""
    code = ICC_OUTCOMES.get(outcome)
    if code is None:
        return {"available": False, "reason": f"no bootstrap intervals for the outcome '{outcome}'"}
    try:
        est = icc.estimate(frame, outcome=code, n_boot=ICC_BOOTSTRAP, seed=0)
    except (ModelSpecError, ValueError) as exc:
        return {"available": False, "reason": str(exc).splitlines()[0]}
    return {"available": True, "method": "cluster bootstrap over schools, percentile intervals",
            "scale": est["scale"], "family": est["family"], "n_boot": est["n_boot"], "n_schools": est["n_schools"],
            "school": est["icc_school"], "school_ci": est["icc_school_ci"], "class": est["icc_class"],
            "class_ci": est["icc_class_ci"], "student": est["icc_student"], "student_ci": est["icc_student_ci"],
            "latent": est["latent"]}


def analysis_run_execute(*, run_id: int) -> AnalysisRun:
    """Run the analysis; store results, charts and provenance on success, or the reason on failure."""
    run = AnalysisRun.objects.get(pk=run_id)
    if run.finished:
        return run
    AnalysisRun.objects.filter(pk=run.pk).update(status=Status.RUNNING, started_at=timezone.now())
    params = run.parameters
    try:
        frame = select_stages(analysis_frame(wave=int(params.get("wave", 1))), params.get("stages") or None)
        country = params.get("country")
        if country:
            frame = frame[frame["country_id"].astype(str) == country]
        if frame.empty:
            raise ValueError("the database holds no students for this selection")
        if run.kind == Kind.ECOLOGICAL:
            output = run_ecological(frame, outcome=params["outcome"], family=params.get("family", "auto"),
                                    spec=within_country_spec() if country else None)
            if country:
                output.result["intervals"] = variance_intervals(frame, params["outcome"])
        else:
            output = run_maihda(frame, outcome=params["outcome"], strata=params["strata"],
                                family=params.get("family", "auto"))
        record = provenance(frame, params)
        if country:
            record["country"] = country
    except (ModelSpecError, ValueError, KeyError) as exc:
        return _fail(run, str(exc))
    except Exception as exc:  # a bug or an engine failure must still leave a clear, stored reason
        log.exception("analysis run %s failed", run.pk)
        return _fail(run, f"{type(exc).__name__}: {exc}")
    with transaction.atomic():
        AnalysisRun.objects.filter(pk=run.pk).update(
            status=Status.SUCCEEDED, result=output.result, charts=output.charts, provenance=record,
            finished_at=timezone.now(), error="")
    run.refresh_from_db()
    return run


def _fail(run: AnalysisRun, reason: str) -> AnalysisRun:
    AnalysisRun.objects.filter(pk=run.pk).update(status=Status.FAILED, error=reason.splitlines()[0][:2000] or "failed",
                                                 result=None, charts=None, finished_at=timezone.now())
    run.refresh_from_db()
    return run


def analysis_run_abandoned(run_id: int, *, reason: str) -> None:
    """The worker died while the run ran (core.worker's recovery): failed with the reason, unless it finished."""
    AnalysisRun.objects.filter(pk=run_id, status__in=[Status.QUEUED, Status.RUNNING]).update(
        status=Status.FAILED, error=reason, result=None, charts=None, finished_at=timezone.now())
