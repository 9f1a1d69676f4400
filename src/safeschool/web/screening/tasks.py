"""Background tasks (django-tasks: its database backend with `safeschool worker`). Training takes seconds to a
minute; scoring a cohort a few seconds: neither runs inside a request."""

from django_tasks import task

from safeschool.screening.data import ScreeningDataError
from safeschool.web.core.worker import on_abandoned
from safeschool.web.screening.execution import model_train_execute, scoring_run_abandoned, scoring_run_execute


@task()
def train_model_task(**params) -> dict:
    """{"model_id": pk} of the stored draft, or {"error": one line} when the data cannot support the model."""
    try:
        return {"model_id": model_train_execute(**params).pk}
    except ScreeningDataError as exc:
        return {"error": str(exc)}


@task()
def score_all_task(run_id: int) -> str:
    return scoring_run_execute(run_id=run_id).status


# its worker killed mid-run: the scoring run failed, with the reason (a killed training's task is failed, which
# the model page shows as a failed training)
on_abandoned(score_all_task, scoring_run_abandoned)
