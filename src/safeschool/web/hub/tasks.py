"""Background tasks of the Hub (django-tasks: the database backend, run by `safeschool worker`): a new post's
e-mails, and the digests, which a scheduler thread beside the worker queues. services -> tasks -> notifications."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from django_tasks import task

from safeschool.web.hub import notifications

log = logging.getLogger(__name__)


@task()
def notify_post(post_id: int) -> int:
    return notifications.send_post_notification(post_id)


@task()
def send_digest(frequency: str) -> int:
    return notifications.send_digests(frequency=frequency)


def digest_scheduler_start(*, every: float = 600.0,
                           on_error: Callable[[Exception], object] | None = None) -> threading.Thread:
    """Start the daemon thread that queues the daily and the weekly digest every `every` seconds; each is sent only
    when its period has passed since the last one. When queueing fails, `on_error(exc)` is called (the error is
    logged when there is none) and the loop goes on: the next round tries again."""

    def loop() -> None:
        while True:
            for frequency in notifications.DIGEST_PERIOD:
                try:
                    send_digest.enqueue(frequency)
                except Exception as exc:  # the worker must outlive a queue that is briefly unavailable
                    if on_error is None:
                        log.warning("digest scheduler: could not queue the %s digest: %s", frequency, exc)
                    else:
                        on_error(exc)
            time.sleep(every)

    thread = threading.Thread(target=loop, name="digest-scheduler", daemon=True)
    thread.start()
    return thread
