"""Thin views of the handbook: the public pages (the latest version in the visitor's language, a version in one
language with its table of contents, chapters, references and a switch between its languages), its PDF and EPUB,
and the editors' pages (researchers and administrators)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from safeschool.web.core.errors import reason, submitted
from safeschool.web.learning import handbook_export
from safeschool.web.learning import selectors_handbook as handbooks
from safeschool.web.learning import services_handbook as services
from safeschool.web.learning.forms_handbook import ChapterForm, HandbookForm


def _page(request, handbook, status=200):
    report, figures = handbooks.figures()
    return render(request, "learning/handbook_page.html", {
        "report": report, "figures": figures, "may_edit": handbooks.may_edit(request.user),
        "handbook": handbook, "chapters": handbooks.chapters(handbook), "references": handbooks.references(handbook),
        "translations": handbooks.translations(handbook, user=request.user),
        "canonical": request.build_absolute_uri(reverse("learning:handbook_version",
                                                        args=[handbook.version, handbook.language]))}, status=status)


def handbook(request):
    found = handbooks.latest_published((get_language() or "en").split("-")[0])
    if found is None:
        return render(request, "learning/handbook_none.html", status=404)
    return _page(request, found)


def handbook_version(request, version: int, lang: str):
    return _page(request, handbooks.handbook_get(version=version, language=lang, user=request.user))


def _file_name(found, ext: str) -> str:
    return f"handbook-v{found.version}-{found.language}.{ext}"


def handbook_pdf(request, version: int, lang: str):
    found = handbooks.handbook_get(version=version, language=lang, user=request.user)
    body = handbook_export.handbook_pdf(found, base_url=request.build_absolute_uri("/").rstrip("/"))
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{_file_name(found, "pdf")}"'
    return response


def handbook_epub(request, version: int, lang: str):
    found = handbooks.handbook_get(version=version, language=lang, user=request.user)
    body = handbook_export.handbook_epub(found, base_url=request.build_absolute_uri("/").rstrip("/"))
    response = HttpResponse(body, content_type="application/epub+zip")
    response["Content-Disposition"] = f'attachment; filename="{_file_name(found, "epub")}"'
    return response


def _editor(request):
    if not handbooks.may_edit(request.user):
        raise PermissionDenied(_("Only researchers and administrators edit the handbook."))


@login_required
def handbook_edit(request):
    """The editors' page: every version and language, and a form for a new one."""
    _editor(request)
    form = HandbookForm(request.POST or None)

    def act(data):
        made = services.handbook_create(user=request.user, **data)
        messages.success(request, _("The version is made: add its chapters."))
        return redirect("learning:handbook_draft", made.version, made.language)

    return submitted(request, form, act) or render(request, "learning/handbook_edit.html", {
        "form": form, "versions": handbooks.drafts_and_versions()}, status=400 if form.errors else 200)


@login_required
def handbook_draft(request, version: int, lang: str):
    """One version in one language: its chapters, a form for the next chapter, and publishing it."""
    _editor(request)
    found = handbooks.handbook_get(version=version, language=lang, user=request.user)
    rows = handbooks.chapter_rows(found)
    form = ChapterForm(request.POST or None, initial={"order": len(rows) + 1})

    def act(data):
        services.chapter_add(user=request.user, handbook=found, **data)
        messages.success(request, _("The chapter is added."))
        return redirect("learning:handbook_draft", found.version, found.language)

    return submitted(request, form, act) or render(request, "learning/handbook_draft.html", {
        "handbook": found, "rows": rows, "form": form}, status=400 if form.errors else 200)


@login_required
@require_POST
def handbook_publish(request, version: int, lang: str):
    _editor(request)
    found = handbooks.handbook_get(version=version, language=lang, user=request.user)
    try:
        services.handbook_publish(user=request.user, handbook=found)
    except (PermissionDenied, ValidationError) as exc:
        messages.error(request, reason(exc))
        return redirect("learning:handbook_draft", found.version, found.language)
    messages.success(request, _("The handbook version is published."))
    return redirect("learning:handbook_version", found.version, found.language)


