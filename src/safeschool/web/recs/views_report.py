"""Thin views of the state-of-the-art report: name the permission, read through selectors_report, shape with
charts_report, write through services_report. Its versions under /recs/report/ (signed-in users read published
ones; researchers and administrators make, write and publish), and `public_report`, which the public site mounts
at /learning/reports/<version>/ (a version not published is 404 there)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from safeschool.web.core.errors import submitted
from safeschool.web.core.permissions import authorize
from safeschool.web.recs import charts_report, pdf_report
from safeschool.web.recs import selectors_report as selectors
from safeschool.web.recs import services_report as services
from safeschool.web.recs.forms_report import NarrativeForm, ReportForm


def _url(name: str, *args) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def _page(request, report, *, public: bool):
    with translation.override(report.language):  # the figures are labelled in the report's language
        sections = charts_report.sections(report)
    return render(request, "recs/report_detail.html", {
        "report": report, "sections": sections, "public": public,
        "versions": selectors.published_list() if public else selectors.report_list(user=request.user),
        "can_manage": not public and selectors.may(request.user, selectors.MANAGE),
        "pdf_url": _url("learning:public_report_pdf", report.version) if public else _url("recs:report_pdf",
                                                                                            report.version),
        "public_url": _url("learning:public_report", report.version) if report.published_at else None,
        "subtitle": pdf_report.subtitle(report)})


@login_required
def report_list(request):
    return render(request, "recs/report_list.html", {
        "reports": selectors.report_list(user=request.user),
        "can_manage": selectors.may(request.user, selectors.MANAGE)})


@login_required
def report_detail(request, version: int):
    return _page(request, selectors.report_get(version=version, user=request.user), public=False)


def public_report(request, version: int):
    """A published version for anyone, visitors included (mounted by learning/urls_site.py)."""
    return _page(request, selectors.report_get(version=version, user=request.user, perm=selectors.VIEW_PUBLIC),
                 public=True)


def _pdf(report) -> HttpResponse:
    with translation.override(report.language):
        body = pdf_report.report_pdf(report, charts_report.sections(report))
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="state-of-the-art-v{report.version}.pdf"'
    return response


@login_required
def report_pdf(request, version: int):
    return _pdf(selectors.report_get(version=version, user=request.user))


def public_report_pdf(request, version: int):
    """A published version's PDF for anyone (for the public site to mount as learning:public_report_pdf)."""
    return _pdf(selectors.report_get(version=version, user=request.user, perm=selectors.VIEW_PUBLIC))


@login_required
def report_new(request):
    authorize(request.user, selectors.MANAGE)
    form = ReportForm(request.POST or None, initial={"language": translation.get_language() or "en",
                                                     "wave": selectors.wave_list().first()})

    def act(data):
        report = services.report_create(user=request.user, title=data["title"], language=data["language"],
                                        wave=data["wave"])
        messages.success(request, gettext("Version %(version)s is made with today's figures: write its "
                                          "narrative.") % {"version": report.version})
        return redirect("recs:report_edit", version=report.version)

    return submitted(request, form, act) or render(request, "recs/report_new.html", {"form": form},
                                                   status=400 if form.errors else 200)


@login_required
def report_edit(request, version: int):
    report = selectors.report_get(version=version, user=request.user, perm=selectors.MANAGE)
    if report.published_at is not None:
        messages.info(request, gettext("A published version never changes: make a new version instead."))
        return redirect("recs:report", version=report.version)
    initial = {"title": report.title, **(report.narrative or {})}
    form = NarrativeForm(request.POST or None, initial=initial)

    def act(data):
        services.report_narrative_set(user=request.user, report=report, title=data.pop("title"), narrative=data)
        messages.success(request, gettext("The narrative is saved."))
        return redirect("recs:report_edit", version=report.version)

    with translation.override(report.language):
        sections = charts_report.sections(report)
    fields = {code: form[code] for code in selectors.SECTIONS}
    return submitted(request, form, act) or render(request, "recs/report_edit.html", {
        "report": report, "form": form, "sections": [s | {"field": fields[s["code"]]} for s in sections]},
        status=400 if form.errors else 200)


@login_required
@require_POST
def report_publish(request, version: int):
    report = selectors.report_get(version=version, user=request.user, perm=selectors.MANAGE)
    services.report_publish(user=request.user, report=report)
    messages.success(request, gettext("Version %(version)s is published.") % {"version": report.version})
    return redirect("recs:report", version=report.version)
