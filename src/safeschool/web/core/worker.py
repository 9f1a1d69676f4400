"""The background worker's identity, and what a new worker does first: tasks left RUNNING by a worker that no longer
exists (killed with SIGKILL, out of memory, the machine restarted) are marked failed, and what each was running (an
analysis run, an import job, ...) is marked failed with a reason its page shows, so nothing stays "running" forever
and nothing half-written is ever shown as a result. The work itself is all-or-nothing in every task (results are
stored in one transaction at the end), so a killed task leaves nothing partial to clean up; it is not re-run by
itself: the page says to run it again.

django-tasks' database backend (django_tasks_db 0.13) marks a task RUNNING when a worker claims it and FAILED or
SUCCESSFUL when the task returns; a worker killed in between leaves it RUNNING with no heartbeat to tell it from
one still running. Our workers therefore take an id that says where they run, "<host>:<pid>:<process start time>"
(the start time tells a live worker from a new process that reuses its pid): a worker on the same machine whose
process is gone is known dead. Tasks of workers on other machines, and of ids not made here, are left alone.

Feature apps say what to mark failed with `on_abandoned(task, handler)` in their tasks module, which the recovery
imports through the task's path, so core imports no feature app."""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

log = logging.getLogger("safeschool.worker")

# Stored on the run, the job, ... (like the other stored reasons, in English) and shown by its page.
ABANDONED_REASON = ("the background worker stopped while this was running (it was killed or the server restarted); "
                    "nothing of it was kept: run it again")
LOST = "safeschool.web.core.worker.WorkerLost"  # the exception class path stored on the task's row

_HANDLERS: dict[str, Callable[..., object]] = {}


class WorkerLost(Exception):
    """The worker running the task ended before the task did (stored as the task's error, never raised)."""


def on_abandoned(task, handler: Callable[..., object]) -> None:
    """When `task` is found abandoned, call `handler(*args, reason=..., **kwargs)` with the task's own arguments,
    inside the transaction that marks the task failed."""
    _HANDLERS[task.module_path] = handler


def _host() -> str:
    return socket.gethostname()[:40]


def _start_time(pid: int) -> str:
    """The process's start time in clock ticks since boot (/proc/<pid>/stat, field 22); "" when unknown."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return ""


def worker_id_make() -> str:
    """This process's worker id: "<host>:<pid>:<start time>" (at most 64 characters, django-tasks' limit)."""
    pid = os.getpid()
    return f"{_host()}:{pid}:{_start_time(pid) or 0}"[:64]


def worker_alive(worker_id: str) -> bool:
    """False only when `worker_id` is a worker of this machine whose process is gone (or is another process now)."""
    parts = worker_id.rsplit(":", 2)
    if len(parts) != 3 or not parts[1].isdigit():
        return True  # not an id made here (another version's random id): cannot tell
    host, pid, started = parts
    if host != _host():
        return True  # another machine's worker: cannot tell from here
    now = _start_time(int(pid))
    if now or Path("/proc/self/stat").exists():
        return now != "" and (started in ("", "0") or now == started)
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def tasks_recover(*, alive: Callable[[str], bool] = worker_alive) -> list[DBTaskResult]:
    """Mark failed every RUNNING task whose worker is gone, and what it was running; the tasks so marked."""
    lost = []
    for result in DBTaskResult.objects.running().order_by("started_at"):
        owner = result.worker_ids[-1] if result.worker_ids else ""
        if alive(owner):
            continue
        with transaction.atomic():
            marked = DBTaskResult.objects.filter(pk=result.pk, status=TaskResultStatus.RUNNING).update(
                status=TaskResultStatus.FAILED, finished_at=timezone.now(), return_value=None,
                exception_class_path=LOST, traceback=f"WorkerLost: worker {owner} ended while the task ran\n")
            if not marked:
                continue  # finished or recovered by someone else meanwhile
            handler = _handler(result)
            if handler is not None:
                args, kwargs = result.args_kwargs.get("args", []), result.args_kwargs.get("kwargs", {})
                handler(*args, reason=ABANDONED_REASON, **kwargs)
        log.warning("task %s (%s) was left running by worker %s, which is gone: marked failed",
                    result.pk, result.task_path, owner)
        lost.append(result)
    return lost


def _handler(result: DBTaskResult) -> Callable[..., object] | None:
    try:
        result.task  # noqa: B018  (imports the task's module, which registers its handler)
    except Exception:  # a task that no longer exists: its row is marked failed, nothing else to do
        return None
    return _HANDLERS.get(result.task_path)
