"""A small world for the /recs/ tests (H2): one country with two RECs, three schools, a partnership of the first
school with the first REC (a meeting, two months of referral counts) and one of the third school with the second
REC; one user per role, REC staff linked to network members (one of each REC, one who withdrew consent), and an
open survey wave. Built once per test module inside a transaction rolled back at its end."""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from types import SimpleNamespace

from django.db import transaction
from django.test import override_settings

from safeschool.web.accounts.models import Role
from safeschool.web.accounts.services import user_create
from safeschool.web.network import services as network
from safeschool.web.recs.models import Meeting, Partnership, RecProfile, RecStaff, ReferralCount, SurveyWave
from safeschool.web.research.models import Country, RegionalEducationalCentre, School
from safeschool.web.research.services import staff_appoint

PASSWORD = "pw-long-enough-1"
ROLES = ("anonymous", "member", "staff_own", "staff_other", "rec_staff", "rec_staff_other", "rec_withdrawn",
         "researcher", "admin")
BAD_IDS = ("abc", "0", "-1", "99999", "9" * 30)


def _school(code: str, country: Country) -> School:
    return School.objects.create(code=code, name=f"School {code}", country=country, stage="lower_secondary",
                                 context="urban", ses_composition=0.0)


def _member(name: str, *, withdrawn: bool = False):
    m = network.member_join(username=name, password=PASSWORD, email=f"{name}@example.org", display_name=name.title(),
                            stakeholder_type="teacher", country="ES", birth_year=1980, level="a", consent=True)
    if withdrawn:
        network.consent_withdraw(member=m, kind="membership")
    return m


@contextmanager
def world_built(django_db_blocker, home, test_settings_for):
    with override_settings(**test_settings_for(home)), django_db_blocker.unblock(), transaction.atomic():
        country = Country.objects.create(code="HR", name="Croatia", tracking_age=14, grade_repetition_pct=2.0,
                                         esl_rate_pct=3.0, esl_support=True, inclusion_index=0.5)
        rec = RegionalEducationalCentre.objects.create(code="REC-A", country=country, name="Centre A")
        rec_b = RegionalEducationalCentre.objects.create(code="REC-B", country=country, name="Centre B")
        own, other, third = (_school(c, country) for c in ("RS-A", "RS-B", "RS-C"))
        users = {role: user_create(username=f"u-{role}", password=PASSWORD, role=r, email=f"{role}@example.org")
                 for role, r in (("member", Role.MEMBER), ("staff_own", Role.STAFF), ("staff_other", Role.STAFF),
                                 ("researcher", Role.RESEARCHER), ("admin", Role.ADMIN))}
        staff_appoint(user=users["staff_own"], school=own)
        staff_appoint(user=users["staff_other"], school=other)
        RecProfile.objects.create(rec=rec, area="Split-Dalmatia", services=["training", "coaching"])
        linked = {"rec_staff": (rec, _member("rec-staff")), "rec_staff_other": (rec_b, _member("rec-other")),
                  "rec_withdrawn": (rec, _member("rec-gone", withdrawn=True))}
        for role, (centre, m) in linked.items():
            RecStaff.objects.create(rec=centre, name=f"Person {role}", role="Psychologist", member=m)
            users[role] = m.user
        p = Partnership.objects.create(school=own, rec=rec, since=dt.date(2024, 9, 1), services=["training"],
                                       school_contact="Ana", rec_contact="Ivo", agreement="Monthly meetings")
        p_b = Partnership.objects.create(school=third, rec=rec_b, since=dt.date(2024, 1, 1))
        Meeting.objects.create(partnership=p, held_on=dt.date(2024, 10, 3), topic="Kick-off")
        ReferralCount.objects.create(partnership=p, month=dt.date(2024, 10, 1), count=4)
        ReferralCount.objects.create(partnership=p, month=dt.date(2024, 11, 1), count=7)
        wave = SurveyWave.objects.create(title="Wave 2025")
        yield SimpleNamespace(users=users, country=country, rec=rec, rec_b=rec_b, own=own, other=other, third=third,
                              p=p, p_b=p_b, wave=wave)
        transaction.set_rollback(True)
