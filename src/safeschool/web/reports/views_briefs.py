"""Thin views of policy briefs under /reports/briefs/: name the permission, read through selectors_briefs, build
with briefs.build, write through services_briefs. Anyone reads a published brief (a draft is 404 to all but its
editors, so drafts do not leak); researchers and administrators write, edit and publish; advocates (level d, with
current consent) endorse and see the reach; every GET of a brief's file counts one download (HEAD does not)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from django.views.decorators.http import require_POST, require_safe

from safeschool.web.core.errors import reason, submitted
from safeschool.web.core.permissions import authorize
from safeschool.web.core.templatetags.safeschool import uses_charts
from safeschool.web.reports import briefs, render_html
from safeschool.web.reports import selectors_briefs as selectors
from safeschool.web.reports import services_briefs as services
from safeschool.web.reports.common import file_response
from safeschool.web.reports.forms_briefs import NARRATIVE, BriefForm
from safeschool.web.reports.models import BriefStatus

FORMATS = {"pdf": "PDF", "html": "HTML"}


def brief_list(request):
    return render(request, "reports/brief_list.html", {
        "briefs": selectors.brief_list(user=request.user), "can_manage": selectors.may(request.user, selectors.MANAGE)})


def _actions(request, brief) -> dict:
    """What the brief's page offers beside the document: endorsing, the endorsements, the reach, editing."""
    user = request.user
    published, editor = brief.status == BriefStatus.PUBLISHED, selectors.may(user, selectors.MANAGE)
    return {"brief": brief, "published": published, "endorsements": selectors.endorsements(brief),
            "endorsed": selectors.has_endorsed(brief, user),
            "may_endorse": selectors.may(user, selectors.ENDORSE, brief),
            # a signed-in reader who may not endorse learns why (the editors write briefs rather than endorse them)
            "endorse_refusal": services.endorse_refusal(user, brief) if published and user.is_authenticated
            and not editor else "",
            "may_reach": selectors.may(user, selectors.REACH, brief), "can_manage": editor,
            "publish_problems": services.publish_problems(brief) if not published and editor else []}


def brief_detail(request, slug: str):
    brief = selectors.brief_get(slug=slug, user=request.user)
    report = briefs.build(brief)
    downloads = [(label, reverse("reports:brief_file", args=[brief.slug, fmt])) for fmt, label in FORMATS.items()]
    others = [(b.language, reverse("reports:brief", args=[b.slug])) for b in selectors.brief_list(user=request.user)
              .filter(analysis_id=brief.analysis_id, country=brief.country).exclude(pk=brief.pk)
              .exclude(language=brief.language)]
    return _page(request, report, downloads=downloads, languages=others, actions=_actions(request, brief))


def _page(request, report, *, downloads, languages, actions: dict):
    """render_html.page with the brief's actions under the document (reports/brief_detail.html extends
    reports/document.html and adds them)."""
    ctx = render_html.context(report, downloads=downloads, languages=languages)
    with translation.override(report.language):  # the document in its language, the site around it in the reader's
        ctx["body"] = render_to_string("reports/_document_body.html", ctx)
    if report.figures():
        uses_charts({"request": request})
    response = render(request, "reports/brief_detail.html", ctx | actions)
    response["Content-Language"] = report.language
    return response


@require_safe
def brief_file(request, slug: str, fmt: str):
    if fmt not in FORMATS:
        raise Http404(gettext("No such format."))
    brief = selectors.brief_get(slug=slug, user=request.user)
    response = file_response(briefs.build(brief), fmt, request=request)
    if request.method == "GET":  # a HEAD (a link checker, a preview) is not a reader
        services.download_record(brief, fmt, request.user)
    return response


def _initial(request) -> dict:
    """A new brief's starting values: the analysis asked for (?analysis=<run>) or the latest, the consensus
    statements at the levels it points to, and the strongest programmes."""
    usable = selectors.analyses_usable()
    wanted = request.GET.get("analysis", "")
    run = usable.filter(pk=int(wanted)).first() if wanted.isdigit() and len(wanted) < 12 else None
    run = run or usable.first()
    return {"language": translation.get_language() or "en", "analysis": run,
            "recommendations": selectors.statements_addressing(run),
            "programmes": list(selectors.programmes_offered()[:3])}


def _fields(data: dict) -> dict:
    return {name: data[name] for name in ("title", "language", "country", "analysis", "recommendations",
                                          "programmes", *NARRATIVE)}


@login_required
def brief_new(request):
    authorize(request.user, selectors.MANAGE)
    form = BriefForm(request.POST or None, initial=_initial(request))

    def act(data):
        brief = services.brief_create(user=request.user, **_fields(data))
        messages.success(request, gettext("The draft brief is saved. Read it through, then publish it."))
        return redirect("reports:brief", slug=brief.slug)

    return submitted(request, form, act) or render(request, "reports/brief_form.html", {
        "form": form, "brief": None, "narrative": list(NARRATIVE)}, status=400 if form.errors else 200)


@login_required
def brief_edit(request, slug: str):
    brief = selectors.brief_get(slug=slug, user=request.user, perm=selectors.MANAGE)
    if brief.status != BriefStatus.DRAFT:
        messages.info(request, gettext("A published brief never changes: write a new brief instead."))
        return redirect("reports:brief", slug=brief.slug)
    initial = {name: getattr(brief, name) for name in ("title", "language", "country", "analysis", *NARRATIVE)}
    initial |= {"recommendations": list(brief.recommendations.all()), "programmes": list(brief.programmes.all())}
    form = BriefForm(request.POST or None, initial=initial)

    def act(data):
        services.brief_update(user=request.user, brief=brief, **_fields(data))
        messages.success(request, gettext("The draft brief is saved."))
        return redirect("reports:brief", slug=brief.slug)

    return submitted(request, form, act) or render(request, "reports/brief_form.html", {
        "form": form, "brief": brief, "narrative": list(NARRATIVE)}, status=400 if form.errors else 200)


@login_required
@require_POST
def brief_publish(request, slug: str):
    brief = selectors.brief_get(slug=slug, user=request.user, perm=selectors.MANAGE)
    try:
        services.brief_publish(user=request.user, brief=brief)
    except ValidationError as exc:
        messages.error(request, gettext("The brief is not published: %(why)s") % {"why": reason(exc)})
        return redirect("reports:brief", slug=brief.slug)
    messages.success(request, gettext("The brief is published."))
    return redirect("reports:brief", slug=brief.slug)


@login_required
@require_POST
def brief_endorse(request, slug: str):
    """POST action=endorse (the default) or action=withdraw."""
    brief = selectors.brief_get(slug=slug, user=request.user)
    try:
        if request.POST.get("action") == "withdraw":
            if services.brief_endorsement_withdraw(user=request.user, brief=brief):
                messages.success(request, gettext("Your endorsement is withdrawn."))
        else:
            services.brief_endorse(user=request.user, brief=brief)
            messages.success(request, gettext("Thank you: you endorse this brief."))
    except (PermissionDenied, ValidationError) as exc:
        messages.error(request, reason(exc))
    return redirect("reports:brief", slug=brief.slug)


@login_required
def brief_reach(request, slug: str):
    brief = selectors.brief_get(slug=slug, user=request.user, perm=selectors.REACH)
    return render(request, "reports/brief_reach.html", {
        "brief": brief, "reach": selectors.reach(brief), "endorsements": selectors.endorsements(brief)})
