"""What the /reports/ index offers a reader: the school reports they may read (their own schools' for staff,
every school's for researchers and administrators), the country reports (signed in), the policy briefs (published
ones for everyone, drafts too for their editors), the annual reports by year (everyone) and the official
indicators. Each list is what the reports' rules allow, never more."""

from __future__ import annotations

import rules
from django.urls import NoReverseMatch, reverse

from safeschool.web.accounts.rules import is_admin, is_researcher
from safeschool.web.reports.models import Brief, BriefStatus
from safeschool.web.reports.selectors_annual import annual_years
from safeschool.web.research.models import Country, School


def url_or_empty(name: str, *args) -> str:
    """The address of a report page, or "" while no area serves it."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def school_reports(user) -> list[School]:
    """Staff: the schools they work at; researchers and administrators: every school (country, then code)."""
    if not user.is_authenticated:
        return []
    schools = School.objects.select_related("country").order_by("country__name", "code")
    if not (is_researcher(user) or is_admin(user)):
        schools = schools.filter(staff_appointments__user=user)
    return [s for s in schools if rules.has_perm("reports.view_school_report", user, s)]


def country_reports(user) -> list[Country]:
    if not rules.has_perm("reports.view_country_report", user):
        return []
    return list(Country.objects.order_by("name"))


def briefs(user) -> list[Brief]:
    """Published briefs, newest first; an editor sees the drafts too."""
    found = Brief.objects.all()
    if not rules.has_perm("reports.manage_briefs", user):
        found = found.filter(status=BriefStatus.PUBLISHED)
    return list(found.order_by("-published_at", "-created_at", "-pk"))


def index_for(user) -> dict:
    schools = school_reports(user)
    return {
        "schools": [{"school": s, "url": url_or_empty("reports:school", s.pk)} for s in schools],
        "all_schools": is_researcher(user) or is_admin(user),
        "countries": [{"country": c, "url": url_or_empty("reports:country", c.code)} for c in country_reports(user)],
        "briefs": [{"brief": b, "url": url_or_empty("reports:brief", b.slug)} for b in briefs(user)],
        "may_write_briefs": rules.has_perm("reports.manage_briefs", user),
        "new_brief_url": url_or_empty("reports:brief_new"),
        "years": [{"year": y, "url": url_or_empty("reports:annual", y)} for y in annual_years()
                  if rules.has_perm("reports.view_annual_report", user)],
        "indicators_url": url_or_empty("indicators:index"),
        "signed_in": user.is_authenticated,
    }
