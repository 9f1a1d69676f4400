"""Reads for RECs and partnerships: the RECs (filtered by country) with their profile, services and number of
partner schools; one REC with its staff and partnerships; one partnership with its meetings and, only for those
allowed (recs.view_referrals), its monthly referral counts. An unknown id is 404."""

from __future__ import annotations

import rules
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext

from safeschool.web.network.models import Member
from safeschool.web.recs.models import Partnership, RecProfile
from safeschool.web.research.models import Country, RegionalEducationalCentre, School


def may(user, perm: str, obj=None) -> bool:
    """`rules.has_perm`, not `user.has_perm`: Django grants a superuser every permission."""
    return rules.has_perm(perm, user, obj)


def check(user, perm: str, obj=None) -> None:
    if not may(user, perm, obj):
        raise PermissionDenied(gettext("You do not have permission to see this page (%(perm)s).") % {"perm": perm})


def countries() -> QuerySet:
    return Country.objects.filter(recs__isnull=False).distinct().order_by("name")


def rec_list(*, user, country: str = "") -> QuerySet:
    check(user, "recs.view")
    rows = RegionalEducationalCentre.objects.select_related("country", "profile").annotate(
        partner_schools=Count("partnerships", filter=Q(partnerships__ended_on__isnull=True)))
    if country:
        rows = rows.filter(country__code=country)
    return rows.order_by("country__name", "name")


def rec_get(*, user, pk: int, perm: str = "recs.view") -> RegionalEducationalCentre:
    check(user, perm)
    return get_object_or_404(RegionalEducationalCentre.objects.select_related("country"), pk=pk)


def rec_profile(rec: RegionalEducationalCentre) -> RecProfile | None:
    return RecProfile.objects.filter(rec=rec).first()


def rec_detail(*, user, rec: RegionalEducationalCentre) -> dict:
    check(user, "recs.view")
    partnerships = rec.partnerships.select_related("school").order_by("ended_on", "school__name")
    return {"profile": rec_profile(rec), "staff": list(rec.staff.order_by("name")),
            "partnerships": list(partnerships)}


def partnership_get(*, user, pk: int, perm: str = "recs.view") -> Partnership:
    partnership = get_object_or_404(Partnership.objects.select_related("school", "rec", "rec__country"), pk=pk)
    check(user, perm, partnership)
    return partnership


def partnership_detail(*, user, partnership: Partnership) -> dict:
    """The partnership's page; `referrals` is None for those who may not see the counts (not an empty list)."""
    check(user, "recs.view")
    referrals = None
    if may(user, "recs.view_referrals", partnership):
        referrals = list(partnership.referral_counts.order_by("month"))
    return {"meetings": list(partnership.meetings.all()), "referrals": referrals}


def schools_without_partnership(rec: RegionalEducationalCentre) -> QuerySet:
    """Schools a new partnership of this REC may be with: those of its country not yet its partners."""
    return School.objects.filter(country=rec.country).exclude(rec_partnerships__rec=rec).order_by("name")


def members() -> QuerySet:
    """Network members a staff entry may be linked to."""
    return Member.objects.select_related("user").filter(user__is_active=True).order_by("display_name")
