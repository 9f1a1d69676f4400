"""Background tasks of the interventions app (django-tasks: its database backend with `safeschool worker`)."""

from django_tasks import task

from safeschool.web.interventions.execution_impact import impact_run_execute


@task()
def run_impact(run_id: int) -> str:
    return impact_run_execute(run_id=run_id).status
