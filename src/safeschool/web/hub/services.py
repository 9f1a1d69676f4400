"""Writes for the Hub communities: the communities themselves, posts (whose e-mails a task sends), comments,
reports, moderation and newsletters; the demo's communities. services -> tasks -> notifications, never back."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import slugify
from django.utils.translation import gettext as _

from safeschool.web.core.languages import content_language
from safeschool.web.hub import notifications, selectors
from safeschool.web.hub.models import (
    Comment,
    Community,
    Document,
    Newsletter,
    Post,
    Practice,
    PracticeReview,
    ProgrammeSignoff,
    Report,
    WikiRevision,
)
from safeschool.web.hub.tasks import notify_post
from safeschool.web.network.access import member_or_refuse
from safeschool.web.network.models import COUNTRIES, Member, Topic
from safeschool.web.network.personal_data import ERASED_TEXT

SHOWN_COUNTRIES = 8  # country communities made up front; others appear when a member from there joins


def communities_ensure() -> int:
    """One community per topic and per country (the first countries, plus every country a member is from). Runs
    after every `migrate` (receivers.py) and in the demo; joining members add their own country's community."""
    made = 0
    for value, label in Topic.choices:
        _, created = Community.objects.get_or_create(slug=f"topic-{value}", defaults={"name": label, "topic": value})
        made += created
    codes = [c for c, _ in COUNTRIES[:SHOWN_COUNTRIES]]
    codes += [c for c in Member.objects.values_list("country", flat=True).distinct() if c not in codes]
    for code in codes:
        made += community_for_country(code)[1]
    return made


def community_for_country(code: str) -> tuple[Community, bool]:
    """The country's community, made the first time a member from there joins (and whether it was made now)."""
    return Community.objects.get_or_create(slug=f"country-{slugify(code)}",
                                           defaults={"name": dict(COUNTRIES).get(code, code), "country": code})


def community_join(*, member: Member, community: Community, join: bool = True) -> None:
    (community.members.add if join else community.members.remove)(member)


def community_moderator_add(*, user, community: Community, member: Member) -> None:
    """A member moderates this community from now on: administrators appoint them."""
    if not user.has_perm("network.appoint_moderators"):
        raise PermissionDenied(_("Only administrators appoint moderators."))
    community.moderators.add(member)


def _member_of(user) -> Member:
    return member_or_refuse(user, "Posting needs a network profile: create yours on the Network page first.")


def post_create(*, user, community: Community, title: str, body: str, kind: str = Post.Kind.DISCUSSION,
                language: str = "", link: str = "", event_starts=None, event_place: str = "") -> Post:
    """A post in a community, in `language` (by default the one its author is using the site in)."""
    needed = "network.share_item" if kind == Post.Kind.SHARE else "network.post_in_community"
    if kind == Post.Kind.ANNOUNCEMENT and not user.has_perm("hub.moderate_community", community):
        raise PermissionDenied(_("Only moderators post announcements."))
    if not user.has_perm(needed):
        raise PermissionDenied(_("Your participation level or consent does not allow this yet (see My profile)."))
    author = _member_of(user)
    if not user.has_perm("hub.write_in_community", community):
        raise PermissionDenied(_("Join this community to post in it."))
    post = Post(community=community, author=author, title=title.strip(), body=body.strip(), kind=kind,
                language=content_language(language), link=link, event_starts=event_starts, event_place=event_place)
    post.full_clean()
    with transaction.atomic():
        post.save()
        community.members.add(author)  # a moderator who posts without having joined follows the thread from now on
        transaction.on_commit(lambda: notify_post.enqueue(post.pk))  # e-mailed by the worker, not in the request
    return post


def comment_create(*, user, post: Post, body: str) -> Comment:
    if not user.has_perm("network.post_in_community"):
        raise PermissionDenied(_("Your consent does not allow posting yet (see My profile)."))
    if post.hidden_at:
        raise ValidationError(_("This post was hidden by a moderator: it takes no comments."))
    comment = Comment(post=post, author=_member_of(user), body=body.strip())
    comment.full_clean()
    comment.save()
    return comment


def report_create(*, user, reason: str, post: Post | None = None, comment: Comment | None = None) -> Report:
    member = member_or_refuse(user, "Only network members can report content.")
    report = Report(post=post, comment=comment, reporter=member, reason=reason.strip())
    report.full_clean()
    report.save()
    return report


@transaction.atomic
def moderate(*, user, report: Report, hide: bool, reason: str = "") -> Report:
    target = report.target
    community = target.community if isinstance(target, Post) else target.post.community
    if not user.has_perm("hub.moderate_community", community):
        raise PermissionDenied(_("Only moderators of this community can do this."))
    if report.resolved_at:
        raise ValidationError(_("Report %(pk)s was already resolved.") % {"pk": report.pk})
    now = timezone.now()
    moderator = getattr(user, "member", None)  # an administrator moderates without a network profile: recorded as None
    if hide:
        if not reason.strip():
            raise ValidationError({"reason": _("Say why the content is hidden (the author sees it).")})
        type(target).objects.filter(pk=target.pk).update(hidden_at=now, hidden_by=moderator,
                                                         hidden_reason=reason.strip())
    open_reports = Report.objects.filter(post=report.post, comment=report.comment, resolved_at__isnull=True)
    open_reports.update(resolved_at=now, resolved_by=moderator, outcome="hidden" if hide else "kept")
    report.refresh_from_db()
    return report


def unhide(*, user, target: Post | Comment) -> None:
    community = target.community if isinstance(target, Post) else target.post.community
    if not user.has_perm("hub.moderate_community", community):
        raise PermissionDenied(_("Only moderators of this community can do this."))
    type(target).objects.filter(pk=target.pk).update(hidden_at=None, hidden_by=None, hidden_reason="")


# ------------------------------------------------------------------------------------------------ newsletters
def newsletter_create_and_send(*, user, subject: str, body: str, language: str = "en", topics=(), countries=(),
                               min_level: str = "a") -> Newsletter:
    """Store a newsletter and send it at once to its audience (selectors.newsletter_audience)."""
    _newsletter_sender(user)
    letter = Newsletter(subject=subject, body=body, language=language, topics=list(topics),
                        countries=list(countries), min_level=min_level, created_by=getattr(user, "member", None))
    letter.full_clean(exclude=["created_by"])  # an administrator without a member profile sends as nobody
    letter.save()
    newsletter_send(user=user, newsletter=letter)
    return letter


def newsletter_send(*, user, newsletter: Newsletter) -> int:
    """Send a stored newsletter once; returns the number of e-mails."""
    _newsletter_sender(user)
    if newsletter.sent_at:
        raise ValidationError(_("'%(subject)s' was already sent on %(date)s.") % {
            "subject": newsletter.subject, "date": date_format(newsletter.sent_at, "SHORT_DATE_FORMAT")})
    audience = selectors.newsletter_audience(newsletter)
    sent = notifications.send_newsletter(newsletter=newsletter, audience=audience)
    Newsletter.objects.filter(pk=newsletter.pk).update(sent_at=timezone.now(), recipients=len(audience))
    newsletter.refresh_from_db()
    return sent


def _newsletter_sender(user) -> None:
    if not user.has_perm("network.moderate"):
        raise PermissionDenied(_("Only moderators and administrators send newsletters."))


# ------------------------------------------------------------------------------------------------ demo


# ------------------------------------------------------------------------------------------------ erasure
def member_data_erase(*, member: Member) -> None:
    """The Hub's part of erasing an account (network/personal_data.PERSONAL_DATA): called inside the network's
    erasure transaction. Contributions others build on stay, by 'Former member', with the member's own text
    replaced; memberships, unpublished practices and moderation links go."""
    member.communities.clear()
    member.moderates.clear()
    member.posts.update(title=ERASED_TEXT, body=ERASED_TEXT, link="", event_place="")
    member.comments.update(body=ERASED_TEXT)
    member.reports_made.update(reason=ERASED_TEXT)
    Post.objects.filter(hidden_by=member).update(hidden_by=None)
    Comment.objects.filter(hidden_by=member).update(hidden_by=None)
    Report.objects.filter(resolved_by=member).update(resolved_by=None)
    Newsletter.objects.filter(created_by=member).update(created_by=None)
    ProgrammeSignoff.objects.filter(reviewer=member).update(note="")
    PracticeReview.objects.filter(reviewer=member).update(comment="")
    Document.objects.filter(uploaded_by=member).update(uploaded_by=None)
    WikiRevision.objects.filter(author=member).update(author=None)
    Practice.objects.filter(submitted_by=member).exclude(status=Practice.Status.ACCEPTED).delete()
