"""Hub tasks: a new post's e-mails are queued once the post is committed (never sent inside the request), and the
digest scheduler queues both digests round after round, surviving a queue that fails."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from django.core import mail
from django_tasks_db.models import DBTaskResult

from safeschool.web.hub import services, tasks
from safeschool.web.hub.models import Community
from safeschool.web.network import services as network

pytestmark = pytest.mark.django_db


def test_a_new_post_is_queued_after_commit_not_mailed_in_the_request(django_capture_on_commit_callbacks):
    author = network.member_join(username="ana", password="pw-long-enough-1", email="ana@example.org",
                                 display_name="Ana", stakeholder_type="teacher", country="ES",
                                 birth_year=date.today().year - 30, consent=True)
    with django_capture_on_commit_callbacks() as callbacks:
        services.community_join(member=author, community=Community.objects.get(slug="topic-inclusive"))
        post = services.post_create(user=author.user, community=Community.objects.get(slug="topic-inclusive"),
                                    title="Hello", body="First post")
        assert not DBTaskResult.objects.exists()  # nothing is queued before the post is committed
    for callback in callbacks:
        callback()
    queued = DBTaskResult.objects.get()
    assert queued.task_path == "safeschool.web.hub.tasks.notify_post" and queued.args_kwargs["args"] == [post.pk]
    assert mail.outbox == []


class FlakyQueue:
    """Stands in for the send_digest task: the first enqueue fails, later ones are recorded; after `rounds` rounds
    the scheduler's thread is parked for good (it is a daemon: it ends with the test process)."""

    def __init__(self, rounds: int):
        self.calls: list[str] = []
        self.seen = threading.Event()
        self.rounds = rounds

    def enqueue(self, frequency: str):
        self.calls.append(frequency)
        if len(self.calls) == 1:
            raise RuntimeError("the queue is down")
        if len(self.calls) == 2 * self.rounds:
            self.seen.set()
            threading.Event().wait()


def test_the_digest_scheduler_queues_both_digests_and_survives_a_failure(monkeypatch):
    queue, errors = FlakyQueue(rounds=3), []
    monkeypatch.setattr(tasks, "send_digest", queue)
    thread = tasks.digest_scheduler_start(every=0.01, on_error=errors.append)
    assert queue.seen.wait(timeout=10), queue.calls
    assert thread.daemon and thread.is_alive() and thread.name == "digest-scheduler"
    assert queue.calls == ["daily", "weekly"] * 3  # the failed first enqueue did not stop the loop
    assert [str(e) for e in errors] == ["the queue is down"]


def test_without_on_error_a_failure_is_logged(monkeypatch, caplog):
    queue = FlakyQueue(rounds=1)
    monkeypatch.setattr(tasks, "send_digest", queue)
    tasks.digest_scheduler_start(every=0.01)
    assert queue.seen.wait(timeout=10)
    assert "could not queue the daily digest: the queue is down" in caplog.text
