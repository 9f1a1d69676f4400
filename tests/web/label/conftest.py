"""A small world for the label's tests, built once per module: two schools in one country, a closed campaign of
the first school with simulated answers from all four groups (students 30, families 15, teachers 12, leaders 2:
every group shown), an action plan in progress with a goal, a PAR cycle; one user per role, reviewers among them
(a researcher, members at level c with consent, at level c without consent, at level b), a researcher appointed
at the school, and the applicant."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import Group
from django.db import transaction
from django.test import override_settings
from django.utils import translation

from safeschool.selfeval import questionnaire as questionnaires
from safeschool.selfeval.simulate import simulate_campaign
from safeschool.web.accounts.models import Role
from safeschool.web.accounts.services import user_create
from safeschool.web.cocreation.models import ParCycle
from safeschool.web.label.rules import REVIEWER_GROUP
from safeschool.web.network import services as network
from safeschool.web.network.models import Member
from safeschool.web.research.models import Country, School
from safeschool.web.research.services import staff_appoint
from safeschool.web.selfeval.models import ActionPlan, Campaign, Goal, Response
from safeschool.web.selfeval.services import campaign_close

PASSWORD = "pw-long-enough-1"
SIZES = {"leaders": 2, "teachers": 12, "students": 30, "families": 15}


def school_make(code: str, country: Country) -> School:
    return School.objects.create(code=code, name=f"School {code}", country=country, stage="lower_secondary",
                                 context="urban", ses_composition=0.0)


def campaign_make(school: School, staff, *, seed: int = 0) -> Campaign:
    questionnaire = questionnaires.load()
    campaign = Campaign.objects.create(school=school, title=f"Spring {seed}", informants=list(SIZES))
    frame = simulate_campaign(questionnaire, school=school.code, n=SIZES, level=1.5, seed=seed)
    codes = list(questionnaire.indicators)
    Response.objects.bulk_create(
        Response(campaign=campaign, informant=row["informant"],
                 answers={c: float(row[c]) for c in codes if c in row and row[c] == row[c]})
        for _, row in frame.iterrows())
    return campaign_close(staff, campaign)


def member(name: str, level: str, consent: bool = True, pool: bool = True) -> Member:
    """A member; at level (c)/(d) put in the label's reviewer pool (as an administrator would) unless pool=False."""
    m = network.member_join(username=name, password=PASSWORD, email=f"{name}@example.org", display_name=name.title(),
                            stakeholder_type="teacher", country="ES", birth_year=1980, level=level, consent=True)
    if pool and level in ("c", "d"):
        m.user.groups.add(Group.objects.get_or_create(name=REVIEWER_GROUP)[0])
    if not consent:
        network.consent_withdraw(member=m, kind="membership")
    return m


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory, test_settings_for):
    home = tmp_path_factory.mktemp("label-home")
    with override_settings(**test_settings_for(home)), django_db_blocker.unblock(), transaction.atomic():
        country = Country.objects.create(code="HR", name="Croatia", tracking_age=14, grade_repetition_pct=2.0,
                                         esl_rate_pct=3.0, esl_support=True, inclusion_index=0.5)
        own, other = school_make("LBL-A", country), school_make("LBL-B", country)
        users = {role: user_create(username=f"u-{role}", password=PASSWORD, role=r, email=f"{role}@example.org")
                 for role, r in (("member", Role.MEMBER), ("staff_own", Role.STAFF), ("staff_other", Role.STAFF),
                                 ("researcher", Role.RESEARCHER), ("researcher_2", Role.RESEARCHER),
                                 ("researcher_at_school", Role.RESEARCHER), ("admin", Role.ADMIN))}
        staff_appoint(user=users["staff_own"], school=own)
        staff_appoint(user=users["staff_other"], school=other)
        staff_appoint(user=users["researcher_at_school"], school=own)
        users["member_c"] = member("member-c", "c").user
        users["member_d"] = member("member-d", "d").user
        users["member_c_no_consent"] = member("member-cx", "c", consent=False).user
        users["member_b"] = member("member-b", "b").user
        campaign = campaign_make(own, users["staff_own"])
        plan = ActionPlan.objects.create(school=own, baseline=campaign, title="Feeling safe", status="active",
                                         created_by=users["staff_own"])
        Goal.objects.create(plan=plan, subdimension="safe_learner", indicator="learners_feel_safe",
                            informant="students", description="More students feel safe", baseline=50.0, target=70)
        cycle = ParCycle.objects.create(school=own, title="Our cycle", goal="Belonging")
        other_campaign = Campaign.objects.create(school=other, title="Elsewhere", informants=["students"],
                                                 closed_at=campaign.closed_at, results=[])
        yield SimpleNamespace(users=users, own=own, other=other, campaign=campaign, plan=plan, cycle=cycle,
                              other_campaign=other_campaign, country=country, today=dt.date.today())
        transaction.set_rollback(True)


@pytest.fixture
def w(world, db):
    return world


@pytest.fixture(autouse=True)
def english():
    """Criteria and checks are written outside a request: start each test in English, whatever language an earlier
    test's request left active in this thread."""
    with translation.override("en"):
        yield
