"""Did it move? A goal's indicator read from the stored results of the baseline and every later closed campaign of
the same school (hand-built results: a rise, a fall, a suppressed baseline, a group not asked), the signed change
through the formatting layer, the plain sentence and the chart; and the plan's status: draft -> in progress ->
completed, one step at a time."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from safeschool.web.accounts.models import Role
from safeschool.web.accounts.services import user_create
from safeschool.web.research.models import Country, School
from safeschool.web.research.services import staff_appoint
from safeschool.web.selfeval import selectors_plans as plans
from safeschool.web.selfeval import services_plans as services
from safeschool.web.selfeval.models import ActionPlan, Campaign, Goal

pytestmark = pytest.mark.django_db
INDICATOR = "learners_feel_safe"


def row(informant: str, score_100, code: str = INDICATOR) -> dict:
    return {"level": "indicator", "code": code, "dimension": "safe_learning", "subdimension": "safe_learner",
            "informant": informant, "score": None, "score_100": score_100, "n": None if score_100 is None else 30}


def distractors(informant: str) -> list[dict]:
    """Rows a careless reader could take for the indicator's: its subdimension's and another indicator's."""
    return [{"school": "X", "informant": informant, "dimension": "safe_learning", "subdimension": "safe_learner",
             "score": 4.9, "score_100": 99.0, "n": 30}, row(informant, 1.0, code="learner_belonging")]


@pytest.fixture
def world():
    country = Country.objects.create(code="SI", name="Slovenia", tracking_age=15, grade_repetition_pct=1.0,
                                     esl_rate_pct=4.0, esl_support=True, inclusion_index=0.6)
    school = School.objects.create(code="MOVE-A", name="Moving school", country=country, stage="primary",
                                   context="urban", ses_composition=0.0)
    other = School.objects.create(code="MOVE-B", name="Other school", country=country, stage="primary",
                                  context="urban", ses_composition=0.0)
    staff = user_create(username="staff", password=None, role=Role.STAFF)
    staff_appoint(user=staff, school=school)
    now = timezone.now()

    def campaign(title, days_ago, results, of=school, closed=True):
        return Campaign.objects.create(school=of, title=title, informants=["students"], results=results,
                                       closed_at=now - dt.timedelta(days=days_ago) if closed else None)

    before = campaign("Before the baseline", 900, [row("students", 10.0)])
    baseline = campaign("Autumn 2024", 600, [row("students", 48.4), row("teachers", 70.0), row("families", None),
                                             *distractors("students")])
    middle = campaign("Spring 2025", 300, [row("students", 55.0), row("teachers", 66.0), row("families", 52.0)])
    latest = campaign("Autumn 2025", 30, [*distractors("students"), row("students", 60.6), row("teachers", 64.6),
                                          row("families", 58.0)])
    campaign("Still open", 1, [row("students", 99.0)], closed=False)
    campaign("Elsewhere", 10, [row("students", 1.0)], of=other)
    plan = services.plan_create(user=staff, school=school, title="Feeling safe", baseline=baseline)
    return type("World", (), dict(school=school, staff=staff, plan=plan, before=before, baseline=baseline,
                                  middle=middle, latest=latest))


def records(node) -> list[dict]:
    """Every inline data record of a chart spec, wherever Vega-Lite keeps it (each unique record once)."""
    found = []
    if isinstance(node, dict):
        if isinstance(node.get("values"), list):
            found += [r for r in node["values"] if isinstance(r, dict)]
        for value in node.values():
            found += records(value)
    elif isinstance(node, list):
        for value in node:
            found += records(value)
    unique = []
    for r in found:
        if r not in unique:
            unique.append(r)
    return unique


def goal(world, informant: str) -> Goal:
    return services.goal_add(user=world.staff, plan=world.plan, subdimension="safe_learner", indicator=INDICATOR,
                             informant=informant, description=f"As {informant} see it", target=70)


def test_the_indicator_rose_across_two_later_campaigns(world):
    g = goal(world, "students")
    assert g.baseline == 48.4
    progress = plans.goal_progress(g, list(plans.closed_campaigns(school=world.school)))
    # the baseline and the two later closed campaigns of this school; not the earlier, open or other school's
    assert [p.campaign.title for p in progress.points] == ["Autumn 2024", "Spring 2025", "Autumn 2025"]
    assert [p.score_100 for p in progress.points] == [48.4, 55.0, 60.6]
    assert [p.change for p in progress.points] == ["", "+7", "+12"]
    assert progress.change == pytest.approx(12.2)
    assert progress.sentence == "Rose by 12 points since the baseline, as students see it."


def test_a_fall_is_written_with_a_minus_sign_and_a_small_change_reads_as_none(world):
    g = goal(world, "teachers")
    progress = plans.goal_progress(g, list(plans.closed_campaigns(school=world.school)))
    assert [p.change for p in progress.points] == ["", "\u22124", "\u22125"]
    assert progress.sentence == "Fell by 5 points since the baseline, as teachers see it."
    assert plans.signed(0.4) == "0" and plans.signed(-0.4) == "0" and plans.signed(None) == "—"
    assert plans.signed(0.5) == "+1" and plans.signed(-12.5) == "\u221213"


def test_a_suppressed_baseline_is_never_compared(world, client):
    g = goal(world, "families")
    assert g.baseline is None
    progress = plans.goal_progress(g, list(plans.closed_campaigns(school=world.school)))
    assert [p.state for p in progress.points] == ["suppressed", "shown", "shown"]
    assert progress.change is None and all(p.change == "" for p in progress.points)
    assert progress.sentence == ("Not comparable: the baseline is not shown for families (fewer than 10 "
                                 "respondents).")
    client.force_login(world.staff)
    page = client.get(reverse("selfeval:plan", args=[world.plan.pk])).content.decode()
    assert "not shown (fewer than 10 respondents)" in page and 'data-state="suppressed"' in page
    # the chart: the hidden point carries no value to the browser, the others do
    spec = json.loads(re.search(r'<script type="application/json">(.*?)</script>', page, re.S).group(1))
    values = [r for r in records(spec) if "name" in r]
    assert [r["score_100"] for r in values] == [None, 52.0, 58.0]
    assert values[0]["display"] == "n<10" and values[0]["suppressed"] is True


def test_the_page_says_whether_it_moved_with_a_chart(world, client):
    goal(world, "students")
    client.force_login(world.staff)
    page = client.get(reverse("selfeval:plan", args=[world.plan.pk])).content.decode()
    assert "Rose by 12 points since the baseline, as students see it." in page
    assert 'data-change="+12"' in page and 'data-chart="plan-goal"' in page
    assert ">48<" in page and ">61<" in page  # 0-100 through the formatting layer (no raw 48.4)
    assert "48.4" not in page.replace('"score_100": 48.4', "")


def test_one_point_draws_no_chart_and_says_to_wait(world, client):
    plan = services.plan_create(user=world.staff, school=world.school, title="Recent", baseline=world.latest)
    g = services.goal_add(user=world.staff, plan=plan, subdimension="safe_learner", indicator=INDICATOR,
                          informant="students", description="Keep it", target=None)
    progress = plans.goal_progress(g, list(plans.closed_campaigns(school=world.school)))
    assert len(progress.points) == 1 and "next one will show" in progress.sentence
    client.force_login(world.staff)
    page = client.get(reverse("selfeval:plan", args=[plan.pk])).content.decode()
    assert 'data-chart="plan-goal"' not in page


def test_a_group_not_asked_later_is_said_so(world):
    Campaign.objects.filter(pk=world.latest.pk).update(results=[row("students", 60.0)])
    g = goal(world, "teachers")
    progress = plans.goal_progress(g, list(plans.closed_campaigns(school=world.school)))
    assert progress.points[-1].state == "absent" and progress.change is None
    assert progress.sentence == "Not comparable: teachers were not asked in the latest campaign."


def test_status_goes_draft_in_progress_completed_one_step_at_a_time(world):
    plan = world.plan
    with pytest.raises(ValidationError, match="Add a goal"):
        services.plan_status_set(user=world.staff, plan=plan, status="active")
    goal(world, "students")
    with pytest.raises(ValidationError, match="one step at a time"):
        services.plan_status_set(user=world.staff, plan=plan, status="completed")
    services.plan_status_set(user=world.staff, plan=plan, status="active")
    assert ActionPlan.objects.get(pk=plan.pk).status == "active"
    with pytest.raises(ValidationError):
        services.plan_status_set(user=world.staff, plan=plan, status="draft")
    services.plan_status_set(user=world.staff, plan=plan, status="completed")
    assert ActionPlan.objects.get(pk=plan.pk).status == "completed"
    with pytest.raises(ValidationError, match="completed"):
        goal(world, "teachers")
    with pytest.raises(ValidationError):
        services.plan_status_set(user=world.staff, plan=plan, status="active")
    assert plan.goals.count() == 1


def test_the_status_button_on_the_page(world, client):
    goal(world, "students")
    client.force_login(world.staff)
    url = reverse("selfeval:plan", args=[world.plan.pk])
    assert 'value="active"' in client.get(url).content.decode()
    client.post(reverse("selfeval:plan_status", args=[world.plan.pk]), {"status": "completed"})  # skips a step
    assert ActionPlan.objects.get(pk=world.plan.pk).status == "draft"
    client.post(reverse("selfeval:plan_status", args=[world.plan.pk]), {"status": "active"})
    client.post(reverse("selfeval:plan_status", args=[world.plan.pk]), {"status": "completed"})
    page = client.get(url).content.decode()
    assert ActionPlan.objects.get(pk=world.plan.pk).status == "completed"
    assert 'data-plan-status="completed"' in page and 'name="status"' not in page
    assert reverse("selfeval:plan_goal_new", args=[world.plan.pk]) not in page


def test_services_refuse_strangers_and_other_schools_things(world):
    stranger = user_create(username="stranger", password=None, role=Role.STAFF)
    with pytest.raises(PermissionDenied):
        services.plan_create(user=stranger, school=world.school, title="x", baseline=None)
    admin = user_create(username="boss", password=None, role=Role.ADMIN)
    with pytest.raises(PermissionDenied):  # administrators read plans; the school's staff write them
        goal_args = dict(plan=world.plan, subdimension="safe_learner", indicator=INDICATOR, informant="students",
                         description="x")
        services.goal_add(user=admin, **goal_args)
    open_one = Campaign.objects.get(title="Still open")
    with pytest.raises(ValidationError) as refused:
        services.plan_create(user=world.staff, school=world.school, title="x", baseline=open_one)
    assert "baseline" in refused.value.message_dict
    elsewhere = Campaign.objects.get(title="Elsewhere")
    with pytest.raises(ValidationError) as refused:
        services.plan_create(user=world.staff, school=world.school, title="x", baseline=elsewhere)
    assert "another school" in " ".join(refused.value.message_dict["baseline"])


def test_the_reader_understands_what_a_closed_campaign_stores():
    """`Campaign.results` as the core writes it (report.results_rows): a group of 200 students is read, a group of
    5 families is suppressed, a group not asked is absent."""
    from safeschool.selfeval.report import results_rows
    from safeschool.selfeval.simulate import simulate_campaign

    q = plans.questionnaire()
    frame = simulate_campaign(q, school="S1", n={"leaders": 2, "students": 200, "families": 5}, seed=3)
    stored = results_rows(frame, q)
    state, value = plans.indicator_point(stored, indicator=INDICATOR, informant="students")
    expected = frame.loc[frame.informant == "students", INDICATOR].dropna()
    assert state == "shown" and value == pytest.approx((expected.mean() - 1) / 4 * 100)
    assert plans.indicator_point(stored, indicator=INDICATOR, informant="families") == ("suppressed", None)
    assert plans.indicator_point(stored, indicator=INDICATOR, informant="teachers") == ("absent", None)
