"""Action-plan pages: who gets what on every address (staff of the school edit, researchers and administrators
read, everyone else 403, anonymous visitors sent to log in), unknown and non-numeric ids, and the forms' refusals
(codes of the questionnaire, the indicator's subdimension and informants, dates, another school's PAR cycle or
campaign), each naming its field with nothing written."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from safeschool.web.accounts.models import Role
from safeschool.web.accounts.services import user_create
from safeschool.web.cocreation.models import ParCycle
from safeschool.web.hub.models import Practice, Programme
from safeschool.web.network.models import Member
from safeschool.web.research.models import Country, School
from safeschool.web.research.services import staff_appoint
from safeschool.web.selfeval.models import Action, ActionPlan, Campaign, Goal, ProgressUpdate

ROLES = ("anonymous", "member", "staff_own", "staff_other", "researcher", "admin")
READERS = {"staff_own", "researcher", "admin"}
EDITORS = {"staff_own"}
INDICATOR = "learners_feel_safe"  # safe_learner, asked of every group


def indicator_row(code: str, informant: str, score_100, sub: str = "safe_learner") -> dict:
    n = None if score_100 is None else 40
    return {"level": "indicator", "code": code, "dimension": "safe_learning", "subdimension": sub,
            "informant": informant, "score": None if score_100 is None else 1 + score_100 / 25, "score_100": score_100,
            "n": n}


def school_make(code: str, country: Country) -> School:
    return School.objects.create(code=code, name=f"School {code}", country=country, stage="lower_secondary",
                                 context="urban", ses_composition=0.0)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory, test_settings_for):
    home = tmp_path_factory.mktemp("plans-home")
    with override_settings(**test_settings_for(home)), django_db_blocker.unblock(), transaction.atomic():
        country = Country.objects.create(code="HR", name="Croatia", tracking_age=14, grade_repetition_pct=2.0,
                                         esl_rate_pct=3.0, esl_support=True, inclusion_index=0.5)
        own, other = school_make("PLAN-A", country), school_make("PLAN-B", country)
        users = {role: user_create(username=f"u-{role}", password=None, role=r) for role, r in (
            ("member", Role.MEMBER), ("staff_own", Role.STAFF), ("staff_other", Role.STAFF),
            ("researcher", Role.RESEARCHER), ("admin", Role.ADMIN))}
        staff_appoint(user=users["staff_own"], school=own)
        staff_appoint(user=users["staff_other"], school=other)
        closed = timezone.now() - dt.timedelta(days=200)
        baseline = Campaign.objects.create(school=own, title="Autumn", informants=["students"], closed_at=closed,
                                           results=[indicator_row(INDICATOR, "students", 50.0),
                                                    indicator_row(INDICATOR, "families", None)])
        foreign = Campaign.objects.create(school=other, title="Elsewhere", informants=["students"],
                                          closed_at=closed, results=[])
        author = Member.objects.create(user=users["member"], display_name="Author", stakeholder_type="teacher",
                                       country="HR", birth_year=1980)
        fields = dict(country="HR", level="relational", years_in_place=2, stakeholders_involved="x", funding="x",
                      evaluation="none", cost_band="low", licence="cc-by", submitted_by=author)
        practice = Practice.objects.create(title="Check-in", status="accepted", **fields)
        unpublished = Practice.objects.create(title="Draft practice", status="submitted", **fields)
        programme = Programme.objects.create(title="Check & Connect", country="HR", level="relational", tier="strong")
        cycle_own = ParCycle.objects.create(school=own, title="Our cycle", goal="x")
        cycle_other = ParCycle.objects.create(school=other, title="Their cycle", goal="x")
        plan = ActionPlan.objects.create(school=own, baseline=baseline, title="Feeling safe", created_by=users["staff_own"])
        goal = Goal.objects.create(plan=plan, subdimension="safe_learner", indicator=INDICATOR, informant="students",
                                   description="More students feel safe", baseline=50.0, target=70)
        action = Action.objects.create(goal=goal, description="Weekly check-ins", owner="Form tutors",
                                       practice=practice)
        other_plan = ActionPlan.objects.create(school=other, title="Their plan")
        yield SimpleNamespace(users=users, own=own, other=other, baseline=baseline, foreign=foreign,
                              practice=practice, unpublished=unpublished, programme=programme, cycle_own=cycle_own,
                              cycle_other=cycle_other, plan=plan, goal=goal, action=action, other_plan=other_plan)
        transaction.set_rollback(True)


@pytest.fixture
def w(world, db):
    return world


@pytest.fixture
def as_role(client, w):
    def login(role: str):
        if role != "anonymous":
            client.force_login(w.users[role])
        return client
    return login


def read_urls(w) -> list[str]:
    return [reverse("selfeval:plans", args=[w.own.pk]), reverse("selfeval:plan", args=[w.plan.pk])]


def edit_urls(w) -> list[str]:
    return [reverse("selfeval:plan_new", args=[w.own.pk]), reverse("selfeval:plan_goal_new", args=[w.plan.pk]),
            reverse("selfeval:plan_action_new", args=[w.goal.pk]),
            reverse("selfeval:plan_progress_new", args=[w.action.pk])]


@pytest.mark.parametrize("role", ROLES)
def test_every_address_for_every_role(as_role, w, role):
    client = as_role(role)
    for url in read_urls(w) + edit_urls(w):
        expected = 200 if role in (READERS if url in read_urls(w) else EDITORS) else 403
        response = client.get(url)
        if role == "anonymous":
            assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
        else:
            assert response.status_code == expected, (role, url)
    # the status change is a POST for editors only
    response = client.post(reverse("selfeval:plan_status", args=[w.plan.pk]), {"status": "active"})
    assert response.status_code == (302 if role in EDITORS | {"anonymous"} else 403), role
    assert ActionPlan.objects.get(pk=w.plan.pk).status == ("active" if role in EDITORS else "draft"), role
    ActionPlan.objects.filter(pk=w.plan.pk).update(status="draft")


@pytest.mark.parametrize("role", ["staff_other", "member", "researcher", "admin"])
def test_no_one_but_the_schools_staff_writes(as_role, w, role):
    client = as_role(role)
    counts = (ActionPlan.objects.count(), Goal.objects.count(), Action.objects.count(), ProgressUpdate.objects.count())
    client.post(reverse("selfeval:plan_new", args=[w.own.pk]), {"title": "Mine now"})
    client.post(reverse("selfeval:plan_goal_new", args=[w.plan.pk]), {
        "subdimension": "safe_learner", "indicator": INDICATOR, "informant": "students", "description": "x"})
    client.post(reverse("selfeval:plan_action_new", args=[w.goal.pk]), {
        "description": "x", "owner": "x", "practice": w.practice.pk, "status": "planned"})
    client.post(reverse("selfeval:plan_progress_new", args=[w.action.pk]), {"text": "x", "status": "done"})
    assert (ActionPlan.objects.count(), Goal.objects.count(), Action.objects.count(),
            ProgressUpdate.objects.count()) == counts
    page = client.get(reverse("selfeval:plan", args=[w.plan.pk])).content.decode()
    if role in READERS:  # read-only: the plan without a single edit link or button
        assert "More students feel safe" in page
        assert reverse("selfeval:plan_goal_new", args=[w.plan.pk]) not in page
        assert reverse("selfeval:plan_action_new", args=[w.goal.pk]) not in page
        assert 'name="status"' not in page


def test_staff_of_another_school_sees_nothing_of_this_schools_plans(as_role, w):
    client = as_role("staff_other")
    assert client.get(reverse("selfeval:plans", args=[w.own.pk])).status_code == 403
    assert client.get(reverse("selfeval:plans", args=[w.other.pk])).status_code == 200
    page = client.get(reverse("selfeval:plans", args=[w.other.pk])).content.decode()
    assert "Their plan" in page and "Feeling safe" not in page


@pytest.mark.parametrize("role", ["staff_own", "researcher"])
def test_unknown_and_non_numeric_ids_are_404(as_role, w, role):
    client = as_role(role)
    for name in ("selfeval:plans", "selfeval:plan_new", "selfeval:plan", "selfeval:plan_goal_new",
                 "selfeval:plan_action_new", "selfeval:plan_progress_new"):
        assert client.get(reverse(name, args=[987654])).status_code == 404, name
    assert client.post(reverse("selfeval:plan_status", args=[987654]), {"status": "active"}).status_code == 404
    for path in ("schools/x/plans/", "schools/1.5/plans/new/", "plans/abc/", "plans/-1/", "goals/%20/actions/new/",
                 "actions/1e3/progress/new/", "plans/0x10/status/"):
        assert client.get(f"/selfeval/{path}").status_code == 404, path


def test_a_new_plan_proposes_the_latest_closed_campaign_and_the_subdimension(as_role, w):
    client = as_role("staff_own")
    later = Campaign.objects.create(school=w.own, title="Spring", informants=["students"], closed_at=timezone.now(),
                                    results=[])
    Campaign.objects.create(school=w.own, title="Still open", informants=["students"])
    page = client.get(reverse("selfeval:plan_new", args=[w.own.pk]), {"subdimension": "safe_learner"})
    form = page.context["form"]
    assert form.initial["baseline"] == later and form.initial["title"] == "Safe learner"
    choices = [label for _value, label in form.fields["baseline"].choices]
    assert "Still open" not in choices and "Elsewhere" not in choices and "Autumn" in choices
    made = client.post(reverse("selfeval:plan_new", args=[w.own.pk]),
                       {"title": "New plan", "baseline": w.baseline.pk, "subdimension": "safe_learner"})
    plan = ActionPlan.objects.get(title="New plan")
    assert plan.school == w.own and plan.baseline == w.baseline and plan.created_by == w.users["staff_own"]
    assert made["Location"] == reverse("selfeval:plan_goal_new", args=[plan.pk]) + "?subdimension=safe_learner"
    goal_page = client.get(made["Location"])
    assert goal_page.context["form"].initial == {"subdimension": "safe_learner"}


def test_another_schools_campaign_is_no_baseline(as_role, w):
    client = as_role("staff_own")
    before = ActionPlan.objects.count()
    response = client.post(reverse("selfeval:plan_new", args=[w.own.pk]), {"title": "x", "baseline": w.foreign.pk})
    assert response.status_code == 400 and "baseline" in response.context["form"].errors
    assert ActionPlan.objects.count() == before


GOAL_REFUSALS = [
    ({"subdimension": "no_such_thing"}, "subdimension"),
    ({"indicator": "no_such_indicator"}, "indicator"),
    ({"indicator": "peer_relationships"}, "indicator"),  # safe_relationships, not safe_learner
    ({"subdimension": "safe_teacher", "indicator": "teacher_wellbeing"}, "informant"),  # not asked of students
    ({"informant": "pupils"}, "informant"),
    ({"target": "101"}, "target"),
    ({"description": ""}, "description"),
]


@pytest.mark.parametrize("change, field", GOAL_REFUSALS)
def test_a_goal_form_refuses_codes_that_do_not_fit(as_role, w, change, field):
    client = as_role("staff_own")
    data = {"subdimension": "safe_learner", "indicator": INDICATOR, "informant": "students",
            "description": "More students feel safe", "target": "70"} | change
    before = Goal.objects.count()
    response = client.post(reverse("selfeval:plan_goal_new", args=[w.plan.pk]), data)
    assert response.status_code == 400
    assert list(response.context["form"].errors) == [field]
    assert Goal.objects.count() == before


def test_a_goal_takes_its_baseline_from_the_baseline_campaign(as_role, w):
    client = as_role("staff_own")
    for informant in ("students", "families", "teachers"):
        response = client.post(reverse("selfeval:plan_goal_new", args=[w.plan.pk]), {
            "subdimension": "safe_learner", "indicator": INDICATOR, "informant": informant,
            "description": f"Goal for {informant}", "target": "75"})
        assert response.status_code == 302, response.context and response.context["form"].errors
    made = {g.informant: g.baseline for g in Goal.objects.filter(plan=w.plan, description__startswith="Goal for")}
    assert made == {"students": 50.0, "families": None, "teachers": None}
    page = client.get(reverse("selfeval:plan", args=[w.plan.pk])).content.decode()
    assert "not shown (fewer than 10 respondents)" in page  # families: suppressed at the baseline
    assert "not measured: this group was not asked in the baseline campaign" in page  # teachers


def action_data(w, **change) -> dict:
    return {"description": "Peer mediation", "owner": "Head of year 8", "practice": w.practice.pk,
            "programme": "", "par_cycle": w.cycle_own.pk, "starts_on": "2026-01-10", "due_on": "2026-03-01",
            "status": "planned"} | change


ACTION_REFUSALS = [
    ("par_cycle", lambda w: {"par_cycle": w.cycle_other.pk}, "another school"),
    ("par_cycle", lambda w: {"par_cycle": 987654}, ""),
    ("practice", lambda w: {"practice": w.unpublished.pk}, ""),
    ("practice", lambda w: {"practice": ""}, ""),
    ("due_on", lambda w: {"starts_on": "2026-03-02", "due_on": "2026-03-01"}, ""),
    ("starts_on", lambda w: {"starts_on": "2026-02-30"}, ""),
    ("status", lambda w: {"status": "finished"}, ""),
]


@pytest.mark.parametrize("field, change, words", ACTION_REFUSALS)
def test_an_action_form_refuses_with_the_field_named(as_role, w, field, change, words):
    client = as_role("staff_own")
    before = Action.objects.count()
    response = client.post(reverse("selfeval:plan_action_new", args=[w.goal.pk]), action_data(w, **change(w)))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == [field] and words in " ".join(errors[field])
    assert Action.objects.count() == before
    assert f'data-field="{field}"' in response.content.decode()


def test_an_action_is_added_with_its_links(as_role, w):
    client = as_role("staff_own")
    response = client.post(reverse("selfeval:plan_action_new", args=[w.goal.pk]),
                           action_data(w, practice="", programme=w.programme.pk))
    assert response.status_code == 302
    action = Action.objects.get(description="Peer mediation")
    assert (action.goal, action.programme, action.par_cycle, action.practice) == (w.goal, w.programme,
                                                                                  w.cycle_own, None)
    assert action.due_on == dt.date(2026, 3, 1)
    page = client.get(reverse("selfeval:plan", args=[w.plan.pk])).content.decode()
    assert "Check &amp; Connect" in page and "Our cycle" in page and "Head of year 8" in page


def test_progress_updates_set_the_action_status_and_read_newest_first(as_role, w):
    client = as_role("staff_own")
    url = reverse("selfeval:plan_progress_new", args=[w.action.pk])
    assert client.post(url, {"text": "First week done", "status": "in_progress"}).status_code == 302
    assert client.post(url, {"text": "All classes reached", "status": "done"}).status_code == 302
    w.action.refresh_from_db()
    assert w.action.status == "done"
    page = client.get(reverse("selfeval:plan", args=[w.plan.pk])).content.decode()
    assert page.index("All classes reached") < page.index("First week done")
    refused = client.post(url, {"text": "", "status": "done"})
    assert refused.status_code == 400 and list(refused.context["form"].errors) == ["text"]
    assert ProgressUpdate.objects.filter(action=w.action).count() == 2
