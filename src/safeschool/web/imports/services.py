"""Writes for imports: check, apply and undo a file (applying.py does the work), and queue a checked upload for the
background worker (services -> tasks -> execution -> applying, no cycle)."""

from __future__ import annotations

from django.db import transaction

from safeschool.ingest.mapping import Mapping
from safeschool.web.imports.applying import (  # noqa: F401  (the public write API of imports)
    ImportOutcome,
    ImportRefused,
    import_apply,
    import_check,
    import_file,
    import_undo,
)
from safeschool.web.imports.models import ImportJob
from safeschool.web.imports.tasks import run_import


def import_job_create(*, user, token: str, file_name: str, mapping: Mapping) -> ImportJob:
    """Queue a checked upload for the background worker (enqueued once the transaction commits)."""
    with transaction.atomic():
        job = ImportJob.objects.create(token=token, file_name=file_name[:255], mapping=mapping.as_dict(),
                                       created_by=user)

        def enqueue():
            result = run_import.enqueue(job.pk)
            ImportJob.objects.filter(pk=job.pk, task_id="").update(task_id=str(result.id)[:64])

        transaction.on_commit(enqueue)
    return job
