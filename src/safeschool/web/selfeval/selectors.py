"""Reads for self-evaluation campaigns. Visibility is decided here as well as in the views: a school's staff see
their own schools' campaigns, researchers and administrators every school's, everyone else none. Response rates
(codes used / codes issued) are not answers and are shown to the school; answers leave only as the DataFrame the
pure package scores (`responses_frame`), never row by row to a page."""

from __future__ import annotations

import pandas as pd
from django.core.exceptions import PermissionDenied
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from safeschool.selfeval import questionnaire as questionnaires
from safeschool.web.accounts.rules import is_admin, is_researcher, is_school_staff
from safeschool.web.research.models import School
from safeschool.web.selfeval.models import AccessCode, ActionPlan, Campaign, Response


def campaign_accepts(campaign: Campaign, today=None) -> bool:
    """Whether the campaign still takes answers: not closed, and its closing day (if any) not yet past."""
    today = today or timezone.localdate()
    return campaign.closed_at is None and (campaign.closes_on is None or campaign.closes_on >= today)


def visible_schools(user) -> QuerySet[School]:
    """The schools whose campaigns the user may see: staff their appointed schools, researchers and
    administrators every school, anyone else none."""
    if is_researcher(user) or is_admin(user):
        return School.objects.all()
    if is_school_staff(user):
        return School.objects.filter(staff_appointments__user=user).distinct()
    return School.objects.none()


def campaigns_of(school: School, user) -> QuerySet[Campaign]:
    """A school's campaigns, newest first (view_report checked again here)."""
    if not user.has_perm("selfeval.view_report", school):
        raise PermissionDenied(_("You may not see this school's self-evaluation."))
    return Campaign.objects.filter(school=school).order_by("-opened_at", "-pk")


def campaign_for(campaign_id: int, user) -> Campaign:
    """One campaign the user may see; Campaign.DoesNotExist when it does not exist, PermissionDenied otherwise."""
    campaign = Campaign.objects.select_related("school__country").get(pk=campaign_id)
    if not user.has_perm("selfeval.view_report", campaign.school):
        raise PermissionDenied(_("You may not see this school's self-evaluation."))
    return campaign


def staff_overview(user) -> list[dict]:
    """For a school's staff: per appointed school its campaigns (newest first) and action plans."""
    schools = list(visible_schools(user).select_related("country").order_by("name"))
    campaigns: dict[int, list] = {s.pk: [] for s in schools}
    for c in Campaign.objects.filter(school__in=schools).order_by("-opened_at", "-pk"):
        campaigns[c.school_id].append(c)
    plans: dict[int, list] = {s.pk: [] for s in schools}
    for p in ActionPlan.objects.filter(school__in=schools).order_by("-created_at", "-pk"):
        plans[p.school_id].append(p)
    return [{"school": s, "campaigns": campaigns[s.pk], "plans": plans[s.pk]} for s in schools]


def latest_campaigns(user) -> list[dict]:
    """For researchers and administrators: every school with its latest campaign (None when it has none)."""
    if not (is_researcher(user) or is_admin(user)):
        raise PermissionDenied(_("Only researchers and administrators see every school's campaigns."))
    latest = Campaign.objects.filter(school=OuterRef("pk")).order_by("-opened_at", "-pk").values("pk")[:1]
    schools = list(School.objects.select_related("country").annotate(latest_id=Subquery(latest))
                   .order_by("country__name", "name"))
    by_id = Campaign.objects.in_bulk([s.latest_id for s in schools if s.latest_id])
    return [{"school": s, "campaign": by_id.get(s.latest_id)} for s in schools]


def rates(campaign: Campaign) -> list[dict]:
    """Per invited group, in the questionnaire's order: codes issued, codes used and the rate (None before any
    code is issued). One aggregate query."""
    counts = {row["informant"]: row for row in AccessCode.objects.filter(campaign=campaign).values("informant")
              .annotate(issued=Count("pk"), used=Count("used_on")).order_by()}
    out = []
    for informant in questionnaires.INFORMANTS:
        if informant not in campaign.informants and informant not in counts:
            continue
        issued = counts.get(informant, {}).get("issued", 0)
        used = counts.get(informant, {}).get("used", 0)
        out.append({"informant": informant, "issued": issued, "used": used,
                    "rate": used / issued if issued else None})
    return out


def responses_frame(campaign: Campaign, questionnaire=None) -> pd.DataFrame:
    """The campaign's responses as the pure package reads them: columns ``school`` (the school's code),
    ``informant``, then every indicator code of the questionnaire as floats (NaN = not answered). Built from
    one values_list (no model objects): 20,000 responses in well under a second."""
    questionnaire = questionnaire or questionnaires.load()
    codes = list(questionnaire.indicators)
    rows = list(Response.objects.filter(campaign=campaign).values_list("informant", "answers").order_by("pk"))
    answers = pd.DataFrame.from_records([a if isinstance(a, dict) else {} for _, a in rows],
                                        columns=None if rows else codes)
    answers = answers.reindex(columns=codes).apply(pd.to_numeric, errors="coerce").astype(float)
    school = campaign.school.code
    head = pd.DataFrame({"school": [school] * len(rows), "informant": [i for i, _ in rows]}, dtype=object)
    return pd.concat([head, answers], axis=1)
