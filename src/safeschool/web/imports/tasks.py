"""Background imports (django-tasks: the database backend with `safeschool worker`)."""

from django_tasks import task

from safeschool.web.imports.execution import import_job_execute


@task()
def run_import(job_id: int) -> str:
    return import_job_execute(job_id=job_id).status
