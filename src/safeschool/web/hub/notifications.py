"""The Hub's e-mails: a new post to the members who want it at once, the daily and weekly digests, newsletters.
Called by the background tasks (tasks.py) and by the newsletter service; imports neither, so there is no cycle.
Each e-mail is written in its recipient's language (their profile's, else the site's default)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mass_mail
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext

from safeschool.web.accounts.selectors import recipient_language
from safeschool.web.hub import selectors
from safeschool.web.hub.models import DigestRun, Newsletter, Post
from safeschool.web.network.models import Member

DIGEST_PERIOD = {"daily": timedelta(days=1), "weekly": timedelta(days=7)}


def _profile_hint() -> str:
    return gettext("Change how often you hear from the network in My profile.")


def _send(messages: list[tuple]) -> int:
    return send_mass_mail(messages, fail_silently=False) if messages else 0


def send_post_notification(post_id: int) -> int:
    """The new post to every member of its community who chose 'at once' (not its author; nothing once hidden)."""
    post = Post.objects.select_related("community", "author").get(pk=post_id)
    if post.hidden_at:
        return 0
    messages = []
    for m in selectors.notification_recipients(community=post.community, frequency="immediate", exclude=post.author):
        with translation.override(recipient_language(m.user)):
            intro = gettext("%(author)s posted in %(community)s:") % {"author": post.author.display_name,
                                                                      "community": post.community.name}
            messages.append((f"[{post.community.name}] {post.title}",
                             f"{intro}\n\n{post.body[:2000]}\n\n{_profile_hint()}", settings.DEFAULT_FROM_EMAIL,
                             [m.user.email]))
    return _send(messages)


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
        if not posts:
            continue
        lines = [f"- [{p.community.name}] {p.title} ({p.author.display_name})" for p in posts]
        with translation.override(recipient_language(member.user)):
            subject = (ngettext("Your daily Safe Education network digest: %(count)s new post",
                                "Your daily Safe Education network digest: %(count)s new posts", len(posts))
                       if frequency == "daily" else
                       ngettext("Your weekly Safe Education network digest: %(count)s new post",
                                "Your weekly Safe Education network digest: %(count)s new posts", len(posts)))
            messages.append((subject % {"count": len(posts)}, "\n".join(lines) + f"\n\n{_profile_hint()}",
                             settings.DEFAULT_FROM_EMAIL, [member.user.email]))
    sent = _send(messages)
    DigestRun.objects.update_or_create(frequency=frequency, defaults={"sent_at": now})
    return sent


def send_newsletter(*, newsletter: Newsletter, audience: list[Member]) -> int:
    """The newsletter as written (in its own language); the footer in each recipient's language."""
    messages = []
    for m in audience:
        with translation.override(recipient_language(m.user)):
            footer = gettext("You receive this because you opted in to newsletters (My profile).")
        messages.append((newsletter.subject, f"{newsletter.body}\n\n{footer}", settings.DEFAULT_FROM_EMAIL,
                         [m.user.email]))
    return _send(messages)
