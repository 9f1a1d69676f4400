"""Thin views for the Hub communities: list, community, post with comments, reports and the moderation queue."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from safeschool.web.core.permissions import authorize
from safeschool.web.accounts.ratelimit import too_many
from safeschool.web.hub import services as hub
from safeschool.web.hub.forms import CommentForm, ModerateForm, NewsletterForm, PostForm, ReportForm
from safeschool.web.hub.models import Comment, Community, Newsletter, Post, Report

POST_LIMIT = (20, 3600)  # posts and comments per member per hour


def _limited(request) -> bool:
    return too_many("post", str(request.user.pk), limit=POST_LIMIT[0], window=POST_LIMIT[1])


@login_required
def hub_home(request):
    authorize(request.user, "network.view_directory")
    member = getattr(request.user, "member", None)
    mine = set(member.communities.values_list("pk", flat=True)) if member else set()
    communities = list(Community.objects.all())
    return render(request, "hub/home.html", {
        "topics": [c for c in communities if c.topic], "countries": [c for c in communities if c.country],
        "other": [c for c in communities if not c.topic and not c.country], "mine": mine, "member": member})


@login_required
def community(request, slug: str):
    authorize(request.user, "network.view_directory")
    group = get_object_or_404(Community, slug=slug)
    moderator = hub.can_moderate(request.user, group)
    form = PostForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if _limited(request):
            return render(request, "core/429.html", {"what": "posts"}, status=429)
        if form.is_valid():
            try:
                post = hub.post_create(user=request.user, community=group, **form.cleaned_data)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                return redirect("hub:post", pk=post.pk)
        status = 400
    posts = group.posts.select_related("author")
    if not moderator:
        posts = posts.filter(hidden_at__isnull=True)
    member = getattr(request.user, "member", None)
    return render(request, "hub/community.html", {
        "community": group, "posts": posts[:100], "form": form, "moderator": moderator,
        "can_post": request.user.has_perm("network.post_in_community"),
        "joined": bool(member and group.members.filter(pk=member.pk).exists()), "member": member}, status=status)


@login_required
@require_POST
def community_membership(request, slug: str, action: str):
    authorize(request.user, "network.edit_profile")
    hub.community_join(member=request.user.member, community=get_object_or_404(Community, slug=slug),
                       join=action == "join")
    return redirect("hub:community", slug=slug)


@login_required
def post(request, pk: int):
    authorize(request.user, "network.view_directory")
    item = get_object_or_404(Post.objects.select_related("community", "author"), pk=pk)
    moderator = hub.can_moderate(request.user, item.community)
    if item.hidden_at and not moderator and getattr(request.user, "member", None) != item.author:
        return render(request, "hub/hidden.html", {"post": item}, status=404)
    form = CommentForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if _limited(request):
            return render(request, "core/429.html", {"what": "comments"}, status=429)
        if form.is_valid():
            try:
                hub.comment_create(user=request.user, post=item, body=form.cleaned_data["body"])
            except (PermissionDenied, ValidationError) as exc:
                form.add_error(None, exc.messages[0] if isinstance(exc, ValidationError) else str(exc))
            else:
                return redirect("hub:post", pk=pk)
        status = 400
    comments = item.comments.select_related("author")
    if not moderator:
        comments = comments.filter(hidden_at__isnull=True)
    return render(request, "hub/post.html", {
        "post": item, "comments": comments, "form": form, "report_form": ReportForm(), "moderator": moderator,
        "can_comment": request.user.has_perm("network.post_in_community")}, status=status)


@login_required
@require_POST
def report(request, kind: str, pk: int):
    authorize(request.user, "network.edit_profile")
    form = ReportForm(request.POST)
    target = get_object_or_404(Post if kind == "post" else Comment, pk=pk)
    post_id = target.pk if kind == "post" else target.post_id
    if form.is_valid():
        hub.report_create(user=request.user, reason=form.cleaned_data["reason"],
                          **({"post": target} if kind == "post" else {"comment": target}))
        messages.success(request, "Thank you: a moderator will look at it.")
    return redirect("hub:post", pk=post_id)


@login_required
def moderation(request):
    member = getattr(request.user, "member", None)
    if not (request.user.has_perm("network.moderate") or (member and member.moderates.exists())):
        raise PermissionDenied("Only moderators see the moderation queue.")
    reports = [r for r in Report.objects.filter(resolved_at__isnull=True).select_related(
        "post__community", "comment__post__community", "reporter")
        if hub.can_moderate(request.user, (r.post or r.comment.post).community)]
    return render(request, "hub/moderation.html", {"reports": reports, "form": ModerateForm()})


@login_required
@require_POST
def moderate(request, pk: int):
    item = get_object_or_404(Report, pk=pk)
    form = ModerateForm(request.POST)
    if form.is_valid():
        try:
            hub.moderate(user=request.user, report=item, hide=form.cleaned_data["decision"] == "hide",
                         reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    return redirect("hub:moderation")


@login_required
def newsletters(request):
    authorize(request.user, "network.moderate")
    form = NewsletterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        letter = Newsletter.objects.create(created_by=getattr(request.user, "member", None), **form.cleaned_data)
        try:
            sent = hub.newsletter_send(user=request.user, newsletter=letter)
        except (PermissionDenied, ValidationError) as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Sent '{letter.subject}' to {letter.recipients} member(s) ({sent} e-mails).")
            return redirect("hub:newsletters")
    return render(request, "hub/newsletters.html", {"form": form, "sent": Newsletter.objects.all()[:30]},
                  status=400 if form.errors else 200)
