"""Reads of the Hub: communities, their posts and comments, the moderation queue, who gets which e-mail and
newsletter; searching and filtering the databases, a practice's rubric and a wiki page's diff."""

from __future__ import annotations

import difflib

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext

from safeschool.web.hub.models import (
    PRINCIPLES,
    Comment,
    Community,
    Document,
    Newsletter,
    Policy,
    Post,
    Practice,
    PracticeReview,
    Programme,
    ProgrammeSignoff,
    Report,
    WikiPage,
    WikiRevision,
)
from safeschool.web.network.models import Member

NEWSLETTERS_SHOWN = 30


# ------------------------------------------------------------------------------------------------ communities
def communities_overview(*, member: Member | None) -> dict:
    """Every community, grouped by topic, country and other, and the ones the member joined."""
    communities = list(Community.objects.all())
    return {"topics": [c for c in communities if c.topic], "countries": [c for c in communities if c.country],
            "other": [c for c in communities if not c.topic and not c.country],
            "mine": set(member.communities.values_list("pk", flat=True)) if member else set()}


def community_is_joined(*, member: Member | None, community: Community) -> bool:
    return bool(member and community.members.filter(pk=member.pk).exists())


def community_posts(*, community: Community, include_hidden: bool, language: str = "") -> list[Post]:
    """The latest 100 posts (in `language` when given); hidden ones only for moderators."""
    posts = community.posts.select_related("author")
    if language:
        posts = posts.filter(language=language)
    return list((posts if include_hidden else posts.filter(hidden_at__isnull=True))[:100])


def post_comments(*, post: Post, include_hidden: bool) -> list[Comment]:
    comments = post.comments.select_related("author")
    return list(comments if include_hidden else comments.filter(hidden_at__isnull=True))


def moderation_queue(*, user) -> list[Report]:
    """The open reports in the communities this user moderates."""
    reports = Report.objects.filter(resolved_at__isnull=True).select_related(
        "post__community", "comment__post__community", "reporter")
    return [r for r in reports if user.has_perm("hub.moderate_community", (r.post or r.comment.post).community)]


# ------------------------------------------------------------------------------------------------ e-mails
def _may_receive(members) -> list[Member]:
    """Active members with an e-mail address whose consent allows e-mails (network.receive_newsletter)."""
    members = members.filter(user__is_active=True).exclude(user__email="").select_related("user")
    return [m for m in members if m.user.has_perm("network.receive_newsletter")]


def notification_recipients(*, community: Community, frequency: str, exclude: Member | None = None) -> list[Member]:
    members = community.members.filter(notify=frequency)
    return _may_receive(members.exclude(pk=exclude.pk) if exclude is not None else members)


def digest_recipients(*, frequency: str) -> list[Member]:
    return _may_receive(Member.objects.filter(notify=frequency).prefetch_related("communities"))


def digest_posts(*, member: Member, since, until) -> list[Post]:
    """The visible posts by others in the member's communities, since the last digest (50 at most)."""
    posts = Post.objects.filter(community__in=member.communities.all(), created_at__gt=since, created_at__lte=until,
                                hidden_at__isnull=True).exclude(author=member)
    return list(posts.select_related("community", "author")[:50])


def newsletter_audience(newsletter: Newsletter) -> list[Member]:
    """Opted-in members with consent whose topics, country and level match the newsletter's filters."""
    members = Member.objects.filter(newsletters=True, level__gte=newsletter.min_level)
    if newsletter.countries:
        members = members.filter(country__in=newsletter.countries)
    return [m for m in _may_receive(members) if not newsletter.topics or set(newsletter.topics) & set(m.topics)]


def newsletters_sent() -> list[Newsletter]:
    return list(Newsletter.objects.all()[:NEWSLETTERS_SHOWN])


# ------------------------------------------------------------------------------------------------ databases
def filtered(queryset, *, q="", country="", stage="", level="", target_group="", language=""):
    if q:
        queryset = queryset.filter(Q(title__icontains=q) | Q(summary__icontains=q))
    for field, value in (("country", country), ("level", level), ("target_group", target_group),
                         ("language", language)):
        if value and field in {f.name for f in queryset.model._meta.fields}:
            queryset = queryset.filter(**{field: value})
    rows = list(queryset[:500])
    if stage:  # a JSON list: filtered here so that SQLite and PostgreSQL behave the same
        rows = [r for r in rows if stage in (r.stages or [])]
    return rows


def programme_list(**filters) -> list[Programme]:
    return filtered(Programme.objects.prefetch_related("signoffs__reviewer"), **filters)


def policy_list(**filters) -> list[Policy]:
    return filtered(Policy.objects.all(), **filters)


def document_list(**filters) -> list[Document]:
    return filtered(Document.objects.select_related("uploaded_by"), **filters)


def practices_visible(user):
    """Accepted practices for everyone; the author's own and, for reviewers, those awaiting review."""
    member = getattr(user, "member", None)
    visible = Q(status=Practice.Status.ACCEPTED)
    if member is not None:
        visible |= Q(submitted_by=member)
    if user.has_perm("hub.review"):
        visible |= Q(status=Practice.Status.SUBMITTED)
    return Practice.objects.filter(visible).select_related("submitted_by")


def practice_reviews(*, practice: Practice):
    return practice.reviews.select_related("reviewer")


def practice_rubric(practice: Practice) -> dict:
    """The published rubric: each accepting reviewer's criterion A ratings, their mean, and the evidence tiers."""
    reviews = list(practice.reviews.filter(round=practice.round, decision="accept").select_related("reviewer"))
    means = {n: (sum(r.fit.get(str(n), 0) for r in reviews) / len(reviews)) if reviews else None for n in PRINCIPLES}
    return {"reviews": reviews, "means": means, "tiers": sorted({r.tier for r in reviews})}


def wiki_pages(*, language: str = ""):
    pages = WikiPage.objects.all()
    return pages.filter(language=language) if language else pages


def wiki_revisions(*, page: WikiPage) -> list[WikiRevision]:
    return list(page.revisions.select_related("author"))


def wiki_diff(page: WikiPage, old: int, new: int) -> list[tuple[str, str]]:
    """Lines of a unified diff between two revisions, each tagged add / remove / context / header."""
    try:
        a = page.revisions.get(number=old).body.splitlines()
        b = page.revisions.get(number=new).body.splitlines()
    except WikiRevision.DoesNotExist as exc:
        raise ValidationError(gettext("revision %(old)s or %(new)s does not exist") % {"old": old, "new": new}) from exc
    out = []
    for line in difflib.unified_diff(a, b, f"revision {old}", f"revision {new}", lineterm=""):
        tag = ("header" if line.startswith(("---", "+++", "@@")) else "add" if line.startswith("+")
               else "remove" if line.startswith("-") else "context")
        out.append((tag, line))
    return out


# ------------------------------------------------------------------------------------------------ personal data
def _at(value) -> str | None:
    return value.isoformat() if value else None


def member_data(*, member: Member) -> dict:
    """Everything the Hub holds about a member, for "Download all my data" (network/personal_data.py)."""
    practices = Practice.objects.filter(submitted_by=member)
    return {
        "communities": [{"community": c.name, "moderator": False} for c in member.communities.all()]
        + [{"community": c.name, "moderator": True} for c in member.moderates.all()],
        "posts": [{"community": p.community.name, "kind": p.kind, "title": p.title, "body": p.body, "link": p.link,
                   "language": p.language, "event_starts": _at(p.event_starts), "event_place": p.event_place,
                   "created_at": _at(p.created_at), "hidden_at": _at(p.hidden_at), "hidden_reason": p.hidden_reason}
                  for p in member.posts.select_related("community")],
        "comments": [{"post": c.post.title, "body": c.body, "created_at": _at(c.created_at),
                      "hidden_at": _at(c.hidden_at), "hidden_reason": c.hidden_reason}
                     for c in member.comments.select_related("post")],
        "reports": [{"target": f"post {r.post_id}" if r.post_id else f"comment {r.comment_id}", "reason": r.reason,
                     "created_at": _at(r.created_at), "outcome": r.outcome} for r in member.reports_made.all()],
        "moderation": [{"target": f"post {p.pk}", "hidden_at": _at(p.hidden_at), "reason": p.hidden_reason}
                       for p in Post.objects.filter(hidden_by=member)]
        + [{"target": f"comment {c.pk}", "hidden_at": _at(c.hidden_at), "reason": c.hidden_reason}
           for c in Comment.objects.filter(hidden_by=member)]
        + [{"target": f"report {r.pk}", "resolved_at": _at(r.resolved_at), "outcome": r.outcome}
           for r in Report.objects.filter(resolved_by=member)],
        "newsletters": [{"subject": n.subject, "body": n.body, "created_at": _at(n.created_at),
                         "sent_at": _at(n.sent_at)} for n in Newsletter.objects.filter(created_by=member)],
        "wiki_revisions": [{"page": r.page.title, "number": r.number, "body": r.body, "note": r.note,
                            "created_at": _at(r.created_at)}
                           for r in WikiRevision.objects.filter(author=member).select_related("page")],
        "practices": [{"title": p.title, "summary": p.summary, "status": p.status, "round": p.round,
                       "country": p.country, "language": p.language, "created_at": _at(p.created_at)}
                      for p in practices],
        "practice_reviews": [{"practice": r.practice.title, "round": r.round, "decision": r.decision, "fit": r.fit,
                              "tier": r.tier, "comment": r.comment, "created_at": _at(r.created_at)}
                             for r in PracticeReview.objects.filter(reviewer=member).select_related("practice")],
        "programme_signoffs": [{"programme": s.programme.title, "note": s.note, "signed_at": _at(s.signed_at)}
                               for s in ProgrammeSignoff.objects.filter(reviewer=member).select_related("programme")],
        "documents": [{"title": d.title, "kind": d.kind, "file": d.file.name, "created_at": _at(d.created_at)}
                      for d in Document.objects.filter(uploaded_by=member)],
    }
