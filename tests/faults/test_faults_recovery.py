"""core.worker's recovery, in process: which workers count as gone, what a recovered task of each kind leaves (the
run or job failed with the reason its page shows, no results), and that every task kind was thought about."""

from __future__ import annotations

import subprocess

import pytest
from django.test import Client
from django.urls import reverse
from django_tasks.base import Task

from safeschool.web.accounts.models import Role
from safeschool.web.accounts.services import user_create
from safeschool.web.analysis import tasks as analysis_tasks
from safeschool.web.analysis.models import AnalysisRun
from safeschool.web.core import worker
from safeschool.web.core.worker import ABANDONED_REASON, LOST, tasks_recover, worker_alive, worker_id_make
from safeschool.web.hub import tasks as hub_tasks
from safeschool.web.imports import tasks as import_tasks
from safeschool.web.imports.models import ImportJob
from safeschool.web.interventions import tasks as intervention_tasks
from safeschool.web.screening import tasks as screening_tasks

# tasks with nothing of their own to mark failed: the task's row is (the model page reads a training's row; an
# e-mail task has no page)
NO_RECORD = {"safeschool.web.screening.tasks.train_model_task", "safeschool.web.hub.tasks.notify_post",
             "safeschool.web.hub.tasks.send_digest"}


def test_every_task_kind_has_its_record_marked_failed_or_has_none():
    tasks = {t.module_path for module in (analysis_tasks, hub_tasks, import_tasks, intervention_tasks, screening_tasks)
             for t in vars(module).values() if isinstance(t, Task)}
    assert len(tasks) == 7  # every @task of src/ (grep "@task"): a new one must be added here
    assert tasks - NO_RECORD == set(worker._HANDLERS)


def _gone_pid() -> int:
    probe = subprocess.Popen(["true"])
    probe.wait()
    return probe.pid


def test_which_workers_are_gone():
    me = worker_id_make()
    host, pid, started = me.rsplit(":", 2)
    assert worker_alive(me)
    assert not worker_alive(f"{host}:{_gone_pid()}:{started}")
    assert not worker_alive(f"{host}:{pid}:{int(started) + 1}")  # the pid reused by another process
    assert worker_alive(f"elsewhere.example:{_gone_pid()}:1")  # another machine's: left alone
    assert worker_alive("Zk3v8b2PqLmN0aXr4Ts6Uy1Wc5Od7Ef9")  # django-tasks' own random id: left alone


def _running(task_result, owner: str):
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.filter(pk=task_result.id).update(status="RUNNING", worker_ids=[owner])
    return DBTaskResult.objects.get(pk=task_result.id)


@pytest.mark.django_db
def test_recovered_tasks_leave_their_run_and_job_failed_with_the_reason_on_the_page():
    admin = user_create(username="a", password="pw-admin-1234", role=Role.ADMIN)
    host = worker_id_make().rsplit(":", 2)[0]
    dead, alive = f"{host}:{_gone_pid()}:1", worker_id_make()
    run = AnalysisRun.objects.create(kind="ecological", parameters={"outcome": "achievement", "wave": 1},
                                     status="running", created_by=admin)
    other = AnalysisRun.objects.create(kind="ecological", parameters={"outcome": "achievement", "wave": 1},
                                       status="running", created_by=admin)
    job = ImportJob.objects.create(token="0" * 32, file_name="x.csv", mapping={}, status="running", created_by=admin)
    lost_run = _running(analysis_tasks.run_analysis.enqueue(run.pk), dead)
    kept_run = _running(analysis_tasks.run_analysis.enqueue(other.pk), alive)  # its worker still runs
    lost_job = _running(import_tasks.run_import.enqueue(job.pk), dead)
    lost_mail = _running(hub_tasks.send_digest.enqueue("weekly"), dead)

    recovered = {r.pk for r in tasks_recover()}
    assert recovered == {lost_run.pk, lost_job.pk, lost_mail.pk}
    for row in (lost_run, lost_job, lost_mail):
        row.refresh_from_db()
        assert (row.status, row.exception_class_path) == ("FAILED", LOST)
    kept_run.refresh_from_db()
    assert kept_run.status == "RUNNING"
    run.refresh_from_db(), other.refresh_from_db(), job.refresh_from_db()
    assert (run.status, run.error, run.result, run.charts) == ("failed", ABANDONED_REASON, None, None)
    assert other.status == "running"
    assert (job.status, job.error) == ("failed", f"{ABANDONED_REASON}; nothing was imported")
    assert tasks_recover() == []  # once

    client = Client()
    client.force_login(admin)
    page = client.get(reverse("analysis:run_detail", args=[run.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "the background worker stopped while this was running" in page


@pytest.mark.django_db
def test_a_run_that_finished_before_the_kill_keeps_its_results():
    """Killed after the results were committed but before the task's row was: the run stays succeeded."""
    run = AnalysisRun.objects.create(kind="ecological", parameters={"outcome": "achievement"}, status="succeeded",
                                     result={"x": 1}, charts={})
    host = worker_id_make().rsplit(":", 2)[0]
    _running(analysis_tasks.run_analysis.enqueue(run.pk), f"{host}:{_gone_pid()}:1")
    assert len(tasks_recover()) == 1
    run.refresh_from_db()
    assert (run.status, run.result) == ("succeeded", {"x": 1})
