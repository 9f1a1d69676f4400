"""Background tasks of the interventions app (django-tasks: its database backend with `safeschool worker`)."""

from django_tasks import task

from safeschool.web.core.worker import on_abandoned
from safeschool.web.interventions.execution_impact import impact_run_abandoned, impact_run_execute


@task()
def run_impact(run_id: int) -> str:
    return impact_run_execute(run_id=run_id).status


on_abandoned(run_impact, impact_run_abandoned)  # its worker killed mid-run: failed, with the reason
