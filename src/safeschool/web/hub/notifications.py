"""The Hub's e-mails: a new post to the members who want it at once, the daily and weekly digests, newsletters.
Called by the background tasks (tasks.py) and by the newsletter service; imports neither, so there is no cycle."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mass_mail
from django.utils import timezone

from safeschool.web.hub import selectors
from safeschool.web.hub.models import DigestRun, Newsletter, Post
from safeschool.web.network.models import Member

DIGEST_PERIOD = {"daily": timedelta(days=1), "weekly": timedelta(days=7)}
PROFILE_HINT = "Change how often you hear from the network in My profile."


def _send(messages: list[tuple]) -> int:
    return send_mass_mail(messages, fail_silently=False) if messages else 0


def send_post_notification(post_id: int) -> int:
    """The new post to every member of its community who chose 'at once' (not its author; nothing once hidden)."""
    post = Post.objects.select_related("community", "author").get(pk=post_id)
    if post.hidden_at:
        return 0
    return _send([(f"[{post.community.name}] {post.title}",
                   f"{post.author.display_name} posted in {post.community.name}:\n\n{post.body[:2000]}\n\n"
                   f"{PROFILE_HINT}", settings.DEFAULT_FROM_EMAIL, [m.user.email])
                  for m in selectors.notification_recipients(community=post.community, frequency="immediate",
                                                             exclude=post.author)])


def send_digests(*, frequency: str, now=None, force: bool = False) -> int:
    """One e-mail per member who chose this frequency, listing the new visible posts in their communities since
    the last digest. Does nothing before the period has passed, unless forced."""
    if frequency not in DIGEST_PERIOD:
        raise ValueError(f"frequency must be one of {', '.join(DIGEST_PERIOD)}")
    now = now or timezone.now()
    run = DigestRun.objects.filter(frequency=frequency).first()
    since = run.sent_at if run else now - DIGEST_PERIOD[frequency]
    if run and not force and now - run.sent_at < DIGEST_PERIOD[frequency]:
        return 0
    messages = []
    for member in selectors.digest_recipients(frequency=frequency):
        posts = selectors.digest_posts(member=member, since=since, until=now)
        if posts:
            lines = [f"- [{p.community.name}] {p.title} ({p.author.display_name})" for p in posts]
            messages.append((f"Your {frequency} Safe Education network digest: {len(posts)} new post(s)",
                             "\n".join(lines) + f"\n\n{PROFILE_HINT}", settings.DEFAULT_FROM_EMAIL, [member.user.email]))
    sent = _send(messages)
    DigestRun.objects.update_or_create(frequency=frequency, defaults={"sent_at": now})
    return sent


def send_newsletter(*, newsletter: Newsletter, audience: list[Member]) -> int:
    return _send([(newsletter.subject, newsletter.body + "\n\nYou receive this because you opted in to newsletters "
                   "(My profile).", settings.DEFAULT_FROM_EMAIL, [m.user.email]) for m in audience])
