"""The background worker killed with SIGKILL while it runs an analysis: the run ends failed with a reason (never
half-written: no results stored), and a new worker recovers it and goes on with the queue."""

from __future__ import annotations

import signal
import subprocess
import sys

import pytest

from safeschool.web.analysis.models import AnalysisRun
from safeschool.web.analysis.tasks import run_analysis
from safeschool.web.core.worker import ABANDONED_REASON, LOST
from safeschool.web.hub.tasks import send_digest

from .faultkit import SCRIPT, env_for, kill_group, query, start, wait_for

pytestmark = pytest.mark.faults


def _task(home, task_id):
    return query(home, "SELECT status, exception_class_path FROM django_tasks_database_dbtaskresult WHERE id = ?",
                 (task_id,))[0]


def _run(home, run_id):
    return query(home, "SELECT status, error, result, charts FROM analysis_analysisrun WHERE id = ?", (run_id,))[0]


def _queue() -> dict:
    """Analysis runs A (to be killed) and B, and a digest, queued in this order."""
    ids = {}
    for name in ("a", "b"):
        run = AnalysisRun.objects.create(kind="ecological", parameters={"outcome": "achievement", "wave": 1})
        ids[name] = {"run": run.pk, "task": str(run_analysis.enqueue(run.pk).id).replace("-", "")}
    ids["digest"] = {"task": str(send_digest.enqueue("weekly").id).replace("-", "")}
    return ids


def test_a_worker_killed_mid_analysis_leaves_it_failed_and_the_next_worker_takes_the_queue(fault_home_make, tmp_path):
    ids = _queue()
    fault_home = fault_home_make()
    marker = tmp_path / "running"
    worker = start(fault_home, [sys.executable, str(SCRIPT),
                                "slow-worker", str(marker)], tmp_path / "slow-worker.log")
    try:
        wait_for(marker.exists, timeout=60, what="the worker to start analysis run A")
        # the kill comes while the run is RUNNING in both tables: a real mid-task state
        assert _task(fault_home, ids["a"]["task"])[0] == "RUNNING"
        assert _run(fault_home, ids["a"]["run"])[0] == "running"
        kill_group(worker, signal.SIGKILL)
    finally:
        kill_group(worker, signal.SIGKILL)
    assert worker.returncode == -signal.SIGKILL
    # nothing changed by the kill itself: still "running", no results (the results are stored in one transaction)
    assert _run(fault_home, ids["a"]["run"])[:1] == ("running",)
    assert _run(fault_home, ids["a"]["run"])[2:] == (None, None)

    done = subprocess.run([sys.executable, "-m", "safeschool.cli", "worker", "--batch", "--quiet"],
                          env=env_for(fault_home), capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "left running by a worker that is gone" in " ".join(done.stderr.split())

    status, error, result, charts = _run(fault_home, ids["a"]["run"])
    assert (status, error, result, charts) == ("failed", ABANDONED_REASON, None, None)
    assert _task(fault_home, ids["a"]["task"]) == ("FAILED", LOST)
    # the queue went on: run B was taken and finished (the empty database has no students: its own reason),
    # the digest task succeeded
    status_b, error_b, _, _ = _run(fault_home, ids["b"]["run"])
    assert status_b in ("succeeded", "failed") and error_b != ABANDONED_REASON
    assert _task(fault_home, ids["b"]["task"])[0] in ("SUCCESSFUL", "FAILED")
    assert _task(fault_home, ids["digest"]["task"])[0] == "SUCCESSFUL"
    assert query(fault_home, "SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE status IN ('READY', 'RUNNING')"
                 ) == [(0,)]
