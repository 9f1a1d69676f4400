"""Executing a queued web import (called by the background task): the whole import or nothing, and a stored
reason when it is refused."""

from __future__ import annotations

import logging

from django.utils import timezone

from safeschool.ingest.mapping import MappingError, parse_mapping
from safeschool.web.imports import staging
from safeschool.web.imports.applying import import_apply, import_check
from safeschool.web.imports.models import ImportJob

log = logging.getLogger(__name__)


def import_job_execute(*, job_id: int) -> ImportJob:
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    if job.finished:
        return job
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING, started_at=timezone.now())
    staging.staging_sweep()
    try:
        table, _ = staging.staged(job.token, job.created_by)  # as read at upload: the original is not parsed again
        prepared = import_check(table=table, mapping=parse_mapping(job.mapping))
        outcome = import_apply(prepared=prepared, user=job.created_by) if prepared.ok else None
        if outcome is None:  # the database changed since the check (e.g. students removed)
            first = prepared.problems[0]
            return _finish(job, status=ImportJob.Status.FAILED,
                           error=f"{len(prepared.problems)} problem(s), first: {first}; nothing was imported")
    except MappingError as exc:
        return _finish(job, status=ImportJob.Status.FAILED, error=f"{exc}; nothing was imported")
    except Exception as exc:  # a bug must still leave a clear, stored reason (the transaction rolled back)
        log.exception("import job %s failed", job.pk)
        return _finish(job, status=ImportJob.Status.FAILED, error=f"{type(exc).__name__}: {exc}; nothing was imported")
    staging.discard(job.token)
    return _finish(job, status=ImportJob.Status.SUCCEEDED, batch=outcome.batch, already=outcome.already)


def _finish(job: ImportJob, **fields) -> ImportJob:
    ImportJob.objects.filter(pk=job.pk).update(finished_at=timezone.now(), **fields)
    job.refresh_from_db()
    return job


def import_job_abandoned(job_id: int, *, reason: str) -> None:
    """The worker died during the import (core.worker's recovery): its transaction never committed, so nothing was
    imported; the job is failed with the reason and its upload kept, to be imported again."""
    ImportJob.objects.filter(pk=job_id, status__in=[ImportJob.Status.QUEUED, ImportJob.Status.RUNNING]).update(
        status=ImportJob.Status.FAILED, error=f"{reason}; nothing was imported", finished_at=timezone.now())
