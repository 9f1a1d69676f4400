"""Executing a queued analysis run (called by the background task): all results or none."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from safeschool.stats.analyses import provenance, run_ecological, run_maihda, select_stages
from safeschool.stats.mixed import ModelSpecError
from safeschool.web.analysis.models import AnalysisRun, Kind, Status
from safeschool.web.research.selectors import analysis_frame

log = logging.getLogger(__name__)


def analysis_run_execute(*, run_id: int) -> AnalysisRun:
    """Run the analysis; store results, charts and provenance on success, or the reason on failure."""
    run = AnalysisRun.objects.get(pk=run_id)
    if run.finished:
        return run
    AnalysisRun.objects.filter(pk=run.pk).update(status=Status.RUNNING, started_at=timezone.now())
    params = run.parameters
    try:
        frame = select_stages(analysis_frame(wave=int(params.get("wave", 1))), params.get("stages") or None)
        if frame.empty:
            raise ValueError("the database holds no students for this selection")
        if run.kind == Kind.ECOLOGICAL:
            output = run_ecological(frame, outcome=params["outcome"], family=params.get("family", "auto"))
        else:
            output = run_maihda(frame, outcome=params["outcome"], strata=params["strata"],
                                family=params.get("family", "auto"))
        record = provenance(frame, params)
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
