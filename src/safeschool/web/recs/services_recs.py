"""Writes for RECs and partnerships: a REC's profile and staff list, partnerships (new, edited, ended), meetings and
the monthly referral counts (a month's count replaces the earlier one). Every write checks its permission again
(recs/rules.py) and validates the row before saving it."""

from __future__ import annotations

import datetime

import rules
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext

from safeschool.web.network.models import Member
from safeschool.web.recs.models import Meeting, Partnership, RecProfile, RecStaff, ReferralCount, Service
from safeschool.web.research.models import RegionalEducationalCentre, School


def _check(user, perm: str, obj=None) -> None:
    if not rules.has_perm(perm, user, obj):
        raise PermissionDenied(gettext("You do not have permission to do this (%(perm)s).") % {"perm": perm})


def _services(codes) -> list[str]:
    codes = list(codes or [])
    unknown = sorted(set(codes) - set(Service.values))
    if unknown:
        raise ValidationError({"services": gettext("Unknown service: %(codes)s.") % {"codes": ", ".join(unknown)}})
    return [c for c in Service.values if c in codes]


@transaction.atomic
def rec_profile_save(*, user, rec: RegionalEducationalCentre, area: str, services, description: str = "",
                     website: str = "") -> RecProfile:
    _check(user, "recs.manage")
    profile = RecProfile.objects.filter(rec=rec).first() or RecProfile(rec=rec)
    profile.area, profile.services = area.strip(), _services(services)
    profile.description, profile.website = description.strip(), website.strip()
    profile.full_clean()
    profile.save()
    return profile


def rec_staff_add(*, user, rec: RegionalEducationalCentre, name: str, role: str,
                  member: Member | None = None) -> RecStaff:
    _check(user, "recs.manage")
    staff = RecStaff(rec=rec, name=name.strip(), role=role.strip(), member=member)
    staff.full_clean()
    try:
        with transaction.atomic():
            staff.save()
    except IntegrityError as exc:
        raise ValidationError({"member": gettext("This member is already on the REC's staff list.")}) from exc
    return staff


def rec_staff_remove(*, user, rec: RegionalEducationalCentre, staff_id: int) -> None:
    _check(user, "recs.manage")
    deleted, _ = RecStaff.objects.filter(rec=rec, pk=staff_id).delete()
    if not deleted:
        raise ValidationError(gettext("This person is not on the REC's staff list."))


def _partnership_fill(p: Partnership, *, since, services, school_contact: str, rec_contact: str,
                      agreement: str) -> None:
    p.since, p.services = since, _services(services)
    p.school_contact, p.rec_contact, p.agreement = school_contact.strip(), rec_contact.strip(), agreement.strip()
    if p.ended_on is not None and p.since is not None and p.ended_on < p.since:
        raise ValidationError({"since": gettext("A partnership cannot start after it ended.")})


def partnership_create(*, user, rec: RegionalEducationalCentre, school: School, since: datetime.date, services=(),
                       school_contact: str = "", rec_contact: str = "", agreement: str = "") -> Partnership:
    _check(user, "recs.manage")
    p = Partnership(rec=rec, school=school)
    _partnership_fill(p, since=since, services=services, school_contact=school_contact, rec_contact=rec_contact,
                      agreement=agreement)
    p.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            p.save()
    except IntegrityError as exc:
        raise ValidationError({"school": gettext("This school already has a partnership with this REC.")}) from exc
    return p


@transaction.atomic
def partnership_update(*, user, partnership: Partnership, since: datetime.date, services=(), school_contact: str = "",
                       rec_contact: str = "", agreement: str = "") -> Partnership:
    _check(user, "recs.manage")
    _partnership_fill(partnership, since=since, services=services, school_contact=school_contact,
                      rec_contact=rec_contact, agreement=agreement)
    partnership.full_clean(validate_constraints=False)
    partnership.save()
    return partnership


@transaction.atomic
def partnership_end(*, user, partnership: Partnership, ended_on: datetime.date) -> Partnership:
    _check(user, "recs.manage")
    if partnership.ended_on is not None:
        raise ValidationError(gettext("This partnership has already ended."))
    if ended_on < partnership.since:
        raise ValidationError({"ended_on": gettext("A partnership cannot end before it started.")})
    partnership.ended_on = ended_on
    partnership.save(update_fields=["ended_on"])
    return partnership


def meeting_add(*, user, partnership: Partnership, held_on: datetime.date, topic: str, attendees: int = 2,
                notes: str = "") -> Meeting:
    _check(user, "recs.add_meeting", partnership)
    meeting = Meeting(partnership=partnership, held_on=held_on, topic=topic.strip(), attendees=attendees,
                      notes=notes.strip())
    meeting.full_clean()
    meeting.save()
    return meeting


@transaction.atomic
def referral_count_set(*, user, partnership: Partnership, month: datetime.date, count: int) -> ReferralCount:
    """The count of one month (any day of it stands for its first day); an earlier count of that month is
    replaced."""
    _check(user, "recs.add_referrals", partnership)
    if count is None or count < 0:
        raise ValidationError({"count": gettext("A count is a whole number, 0 or more.")})
    month = month.replace(day=1)
    row, _ = ReferralCount.objects.update_or_create(partnership=partnership, month=month,
                                                    defaults={"count": count})
    return row
