"""Thin views of the school report (page and PDF), its recommendations and the network comparison: check the
permission, read through selectors_reports, shape with reports/charts, render."""

from __future__ import annotations

import rules
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext

from safeschool.selfeval import questionnaire as questionnaires
from safeschool.selfeval.recommend import recommend
from safeschool.web.core.permissions import authorize
from safeschool.web.hub.models import Tier
from safeschool.web.selfeval import charts, reports, selectors, selectors_reports
from safeschool.web.selfeval.models import Campaign
from safeschool.web.selfeval.reports_network import network_page


def _campaign(request, pk: int) -> Campaign:
    try:
        return selectors.campaign_for(pk, request.user)
    except Campaign.DoesNotExist as exc:
        raise Http404(gettext("No such campaign.")) from exc


def _data(request, campaign: Campaign):
    q = questionnaires.load(campaign.questionnaire_version)
    return q, selectors_reports.campaign_report(campaign, request.user, q)


def _report(request, campaign: Campaign):
    q, data = _data(request, campaign)
    return q, data, reports.page(data, q, campaign.school)


def _pending(request, campaign: Campaign):
    """An open campaign has no report: results that changed with every answer would give single answers away."""
    return render(request, "selfeval/report_pending.html", {"campaign": campaign, "school": campaign.school})


@login_required
def report(request, pk: int):
    campaign = _campaign(request, pk)
    if campaign.is_open:
        return _pending(request, campaign)
    _q, data, view = _report(request, campaign)
    figures = {"dimensions": charts.dimension_bars(view["dimension_chart"], view["shown"]),
               "gaps": charts.gap_dots(view["gap_chart"], view["shown"])} if view["shown"] else {}
    return render(request, "selfeval/report.html", {
        "campaign": campaign, "school": campaign.school, "view": view, "charts": figures,
        "peer_counts": data.get("peer_counts") or {}})


@login_required
def report_pdf(request, pk: int):
    campaign = _campaign(request, pk)
    if campaign.is_open:
        raise Http404(gettext("This campaign is still open: its report is made when it closes."))
    _q, _data, view = _report(request, campaign)
    response = HttpResponse(reports.report_pdf(view, campaign), content_type="application/pdf")
    name = slugify(f"{campaign.school.code}-{campaign.title}") or "report"
    response["Content-Disposition"] = f'attachment; filename="selfeval-{name}.pdf"'
    return response


@login_required
def recommendations(request, pk: int):
    campaign = _campaign(request, pk)
    if campaign.is_open:
        return _pending(request, campaign)
    q, data = _data(request, campaign)  # the recommendations need the report's figures, not its page
    school = campaign.school
    found = recommend(data, q, selectors_reports.catalogue(school.stage), stage=school.stage,
                      country=school.country.code)
    can_plan = rules.has_perm("selfeval.edit_plan", request.user, school)  # as the plan form decides (not admins)
    plan_base = reverse("selfeval:plan_new", kwargs={"school_id": school.pk})
    return render(request, "selfeval/recommendations.html", {
        "campaign": campaign, "school": school, "can_plan": can_plan, "plan_base": plan_base,
        "rows": reports.recommendation_rows(found, q, school, dict(Tier.choices))})


@login_required
def network(request):
    authorize(request.user, "selfeval.view_network")
    return render(request, "selfeval/network.html", network_page(request.user, request.GET))
