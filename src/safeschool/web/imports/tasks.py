"""Background imports (django-tasks: the database backend with `safeschool worker`)."""

from django_tasks import task

from safeschool.web.core.worker import on_abandoned
from safeschool.web.imports.execution import import_job_abandoned, import_job_execute


@task()
def run_import(job_id: int) -> str:
    return import_job_execute(job_id=job_id).status


on_abandoned(run_import, import_job_abandoned)  # its worker killed mid-import: failed, nothing imported
