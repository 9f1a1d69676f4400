"""Background tasks of the network: notifications at once, and the digests the scheduler queues."""

from django_tasks import task

from safeschool.web.hub import services as hub


@task()
def notify_post(post_id: int) -> int:
    return hub.send_post_notification(post_id)


@task()
def send_digest(frequency: str) -> int:
    return hub.send_digests(frequency=frequency)
