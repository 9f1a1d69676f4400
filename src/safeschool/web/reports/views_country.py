"""Thin views of a country's profile report: the page and its downloads (PDF, HTML file), in the country's
language unless `?language=` names another of the site's. Who may read it: reports.view_country_report (every
signed-in user); an unknown country is a 404. The analyses the report rests on are asked for here (queued for the
background worker when missing) and shown as being computed until they are done: the page never waits for them."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext

from safeschool.web.core.permissions import authorize
from safeschool.web.reports import country as country_report
from safeschool.web.reports import render_html, services_country
from safeschool.web.reports.common import chosen_language, document_links, file_response
from safeschool.web.research.models import Country

FORMATS = ("pdf", "html")


def _report(request, code: str):
    country = get_object_or_404(Country, code=str(code).strip().upper())
    authorize(request.user, "reports.view_country_report", country)
    services_country.ensure_country_analyses(country, user=request.user, run_now=False)
    language = chosen_language(request.GET.get("language"), country_report.language_of_country(country))
    return country, country_report.build(country, language=language)


@login_required
def country(request, code: str):
    country, report = _report(request, code)
    return render_html.page(request, report, **document_links(report, page="reports:country",
                                                              file="reports:country_file", args=[country.code]))


@login_required
def country_file(request, code: str, fmt: str):
    if fmt not in FORMATS:
        raise Http404(gettext("No such format."))
    _country, report = _report(request, code)
    return file_response(report, fmt, request=request)
