"""Thin views of a school's profile report: the page and its downloads (PDF, HTML file), in the school's language
unless `?language=` names another of the site's. Who may read it: reports.view_school_report (the school's staff,
researchers, administrators); an unknown school is a 404 before any permission is asked."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext

from safeschool.web.core.permissions import authorize
from safeschool.web.reports import render_html
from safeschool.web.reports import school as school_report
from safeschool.web.reports.common import chosen_language, document_links, file_response, language_of_school
from safeschool.web.research.models import School

FORMATS = ("pdf", "html")


def _report(request, pk: int):
    school = get_object_or_404(School.objects.select_related("country", "rec"), pk=pk)
    authorize(request.user, "reports.view_school_report", school)
    language = chosen_language(request.GET.get("language"), language_of_school(school))
    return school, school_report.build(school, language=language, user=request.user)


@login_required
def school(request, pk: int):
    school, report = _report(request, pk)
    return render_html.page(request, report, **document_links(report, page="reports:school",
                                                              file="reports:school_file", args=[school.pk]))


@login_required
def school_file(request, pk: int, fmt: str):
    if fmt not in FORMATS:
        raise Http404(gettext("No such format."))
    _school, report = _report(request, pk)
    return file_response(report, fmt, request=request)
