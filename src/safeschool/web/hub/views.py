"""Thin views for the Hub communities: list, community, post with comments, reports, the moderation queue and
newsletters."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from safeschool.web.accounts.ratelimit import too_many
from safeschool.web.core.errors import reason, submitted
from safeschool.web.core.languages import CONTENT_LANGUAGES, NAMES
from safeschool.web.core.permissions import authorize
from safeschool.web.hub import selectors, services
from safeschool.web.hub.forms import CommentForm, ModerateForm, NewsletterForm, PostForm, ReportForm
from safeschool.web.hub.models import Comment, Community, Post, Report
from safeschool.web.network.access import member_required

POST_LIMIT = (20, 3600)  # posts and comments per member per hour


def _write(request, form, create, message: str):
    """A member's post or comment: 429 (saying `message`) beyond the limit, else as `submitted`."""
    if too_many("post", str(request.user.pk), limit=POST_LIMIT[0], window=POST_LIMIT[1]):
        return render(request, "core/429.html", {"message": message}, status=429)
    return submitted(request, form, create)


@login_required
def hub_home(request):
    authorize(request.user, "network.view_directory")
    member = getattr(request.user, "member", None)
    return render(request, "hub/home.html", {"member": member, **selectors.communities_overview(member=member)})


@login_required
def community(request, slug: str):
    authorize(request.user, "network.view_directory")
    group = get_object_or_404(Community, slug=slug)
    moderator = request.user.has_perm("hub.moderate_community", group)
    form = PostForm(request.POST or None)

    def create(data):
        return redirect("hub:post", pk=services.post_create(user=request.user, community=group, **data).pk)

    too_many_posts = _("There have been too many posts in a short time.")
    if request.method == "POST" and (response := _write(request, form, create, too_many_posts)) is not None:
        return response
    member = getattr(request.user, "member", None)
    language = request.GET.get("language", "")
    language = language if language in NAMES else ""
    return render(request, "hub/community.html", {
        "community": group, "language": language, "languages": CONTENT_LANGUAGES,
        "posts": selectors.community_posts(community=group, include_hidden=moderator, language=language),
        "form": form, "moderator": moderator, "can_post": request.user.has_perm("network.post_in_community"),
        "may_write_here": request.user.has_perm("hub.write_in_community", group),
        "joined": selectors.community_is_joined(member=member, community=group), "member": member},
        status=400 if request.method == "POST" else 200)


@login_required
@member_required
@require_POST
def community_membership(request, slug: str, action: str):
    authorize(request.user, "network.edit_profile")
    services.community_join(member=request.user.member, community=get_object_or_404(Community, slug=slug),
                            join=action == "join")
    return redirect("hub:community", slug=slug)


@login_required
def post(request, pk: int):
    authorize(request.user, "network.view_directory")
    item = get_object_or_404(Post.objects.select_related("community", "author"), pk=pk)
    moderator = request.user.has_perm("hub.moderate_community", item.community)
    if item.hidden_at and not moderator and getattr(request.user, "member", None) != item.author:
        return render(request, "hub/hidden.html", {"post": item}, status=404)
    form = CommentForm(request.POST or None)

    def create(data):
        services.comment_create(user=request.user, post=item, body=data["body"])
        return redirect("hub:post", pk=pk)

    too_many_comments = _("There have been too many comments in a short time.")
    if request.method == "POST" and (response := _write(request, form, create, too_many_comments)) is not None:
        return response
    return render(request, "hub/post.html", {
        "post": item, "comments": selectors.post_comments(post=item, include_hidden=moderator), "form": form,
        "report_form": ReportForm(), "moderator": moderator,
        "can_comment": request.user.has_perm("network.post_in_community")},
        status=400 if request.method == "POST" else 200)


@login_required
@require_POST
def report(request, kind: str, pk: int):
    authorize(request.user, "network.edit_profile")
    form = ReportForm(request.POST)
    target = get_object_or_404(Post if kind == "post" else Comment, pk=pk)
    post_id = target.pk if kind == "post" else target.post_id
    if form.is_valid():
        services.report_create(user=request.user, reason=form.cleaned_data["reason"],
                               **({"post": target} if kind == "post" else {"comment": target}))
        messages.success(request, _("Thank you: a moderator will look at it."))
    return redirect("hub:post", pk=post_id)


@login_required
def moderation(request):
    authorize(request.user, "hub.view_moderation_queue")
    return render(request, "hub/moderation.html", {"reports": selectors.moderation_queue(user=request.user),
                                                   "form": ModerateForm()})


@login_required
@require_POST
def moderate(request, pk: int):
    item = get_object_or_404(Report, pk=pk)
    form = ModerateForm(request.POST)
    if form.is_valid():
        try:
            services.moderate(user=request.user, report=item, hide=form.cleaned_data["decision"] == "hide",
                              reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            messages.error(request, reason(exc))
    return redirect("hub:moderation")


@login_required
def newsletters(request):
    authorize(request.user, "network.moderate")
    form = NewsletterForm(request.POST or None)

    def send(data):
        letter = services.newsletter_create_and_send(user=request.user, **data)
        messages.success(request, ngettext("Sent '%(subject)s' to %(recipients)s member (%(recipients)s e-mail).",
                                           "Sent '%(subject)s' to %(recipients)s members (%(recipients)s e-mails).",
                                           letter.recipients) % {"subject": letter.subject, "recipients": letter.recipients})
        return redirect("hub:newsletters")

    if (response := submitted(request, form, send)) is not None:
        return response
    return render(request, "hub/newsletters.html", {"form": form, "sent": selectors.newsletters_sent()},
                  status=400 if form.errors else 200)
