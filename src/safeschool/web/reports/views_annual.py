"""The network's annual report on the web (/reports/annual/<year>/) and as a file (PDF or HTML): public, in the
reader's language or the one `?language=` names."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404
from django.utils.translation import get_language

from safeschool.web.reports import annual as annual_report
from safeschool.web.reports import render_html
from safeschool.web.reports.common import chosen_language, document_links, file_response
from safeschool.web.reports.selectors_annual import year_valid

FORMATS = ("pdf", "html")


def _report(request, year: int):
    if not year_valid(year) or not request.user.has_perm("reports.view_annual_report"):
        raise Http404
    language = chosen_language(request.GET.get("language"), get_language() or settings.LANGUAGE_CODE)
    return annual_report.build(year, language=language), language


def annual(request, year: int):
    report, _language = _report(request, year)
    return render_html.page(request, report, **document_links(report, page="reports:annual",
                                                              file="reports:annual_file", args=[year]))


def annual_file(request, year: int, fmt: str):
    if fmt not in FORMATS:
        raise Http404
    report, _language = _report(request, year)
    return file_response(report, fmt, request=request)
