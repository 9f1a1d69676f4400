"""Background tasks (django-tasks: its database backend with `safeschool worker`; immediate in tests)."""

from django_tasks import task

from safeschool.web.analysis.execution import analysis_run_abandoned, analysis_run_execute
from safeschool.web.core.worker import on_abandoned


@task()
def run_analysis(run_id: int) -> str:
    return analysis_run_execute(run_id=run_id).status


on_abandoned(run_analysis, analysis_run_abandoned)  # its worker killed mid-run: failed, with the reason
