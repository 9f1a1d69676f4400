"""The action-plan pages in Chromium on a 390 px phone and a 1366 px screen: no page is wider than the window and
the goal's chart is drawn."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from django.utils import timezone

from safeschool.web.accounts.models import Role
from safeschool.web.accounts.services import user_create
from safeschool.web.cocreation.models import ParCycle
from safeschool.web.hub.models import Programme
from safeschool.web.research.models import Country, School
from safeschool.web.research.services import staff_appoint
from safeschool.web.selfeval import services_plans as services
from safeschool.web.selfeval.models import Campaign

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
PHONE, DESKTOP = {"width": 390, "height": 844}, {"width": 1366, "height": 900}
OVERFLOW = "() => document.documentElement.scrollWidth - window.innerWidth"
PASSWORD = "pw-plans-layout-1"
DRAWN = "figure.chart .vega svg, figure.chart .vega canvas"


def row(informant, score_100):
    return {"level": "indicator", "code": "learners_feel_safe", "informant": informant, "score_100": score_100}


def test_plan_pages_fit_a_phone_and_a_screen(live_server, browser):
    country = Country.objects.create(code="PT", name="Portugal", tracking_age=15, grade_repetition_pct=5.0,
                                     esl_rate_pct=6.0, esl_support=True, inclusion_index=0.7)
    school = School.objects.create(code="LAYOUT", name="Escola Secundária de Demonstração Extraordinariamente Longa",
                                   country=country, stage="lower_secondary", context="urban", ses_composition=0.0)
    staff = user_create(username="planner", password=PASSWORD, role=Role.STAFF)
    staff_appoint(user=staff, school=school)
    now = timezone.now()
    baseline = Campaign.objects.create(school=school, title="Autumn 2024", informants=["students"],
                                       closed_at=now - dt.timedelta(days=400),
                                       results=[row("students", 48.0), row("families", None)])
    Campaign.objects.create(school=school, title="Autumn 2025", informants=["students"],
                            closed_at=now - dt.timedelta(days=30), results=[row("students", 61.0), row("families", 55)])
    plan = services.plan_create(user=staff, school=school, title="Every student feels safe at school", baseline=baseline)
    programme = Programme.objects.create(title="Check & Connect: a mentoring programme for students at risk",
                                         country="PT", level="relational", tier="strong")
    cycle = ParCycle.objects.create(school=school, title="Listening to students about the playground", goal="x")
    goals = [services.goal_add(user=staff, plan=plan, subdimension="safe_learner", indicator="learners_feel_safe",
                               informant=informant, description="Students feel safe in the corridors, the playground "
                               "and online; bullying is answered restoratively.", target=70)
             for informant in ("students", "families")]
    action = services.action_add(user=staff, goal=goals[0], description="Restorative circles in every year-7 class",
                                 owner="Head of year 7 and the school counsellor", programme=programme,
                                 par_cycle=cycle, starts_on=dt.date(2025, 1, 10), due_on=dt.date(2025, 6, 30))
    services.progress_add(user=staff, action=action, text="Circles run weekly in four of six classes.",
                          status="in_progress")
    pages = [f"/selfeval/schools/{school.pk}/plans/", f"/selfeval/schools/{school.pk}/plans/new/",
             f"/selfeval/plans/{plan.pk}/", f"/selfeval/plans/{plan.pk}/goals/new/",
             f"/selfeval/goals/{goals[0].pk}/actions/new/", f"/selfeval/actions/{action.pk}/progress/new/"]
    wide, drawn = {}, {}
    for viewport in (PHONE, DESKTOP):
        page = browser.new_page(viewport=viewport)
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name=username]", "planner")
        page.fill("input[name=password]", PASSWORD)
        page.click("main button[type=submit]")
        page.wait_for_load_state()
        for path in pages:
            response = page.goto(f"{live_server.url}{path}")
            assert response.status == 200, path
            if path.endswith(f"/plans/{plan.pk}/"):
                page.wait_for_function(f"() => document.querySelectorAll('{DRAWN}').length >= 2", timeout=15_000)
                drawn[viewport["width"]] = page.locator(DRAWN).count()
            wide[(viewport["width"], path)] = page.evaluate(OVERFLOW)
        page.close()
    assert {k: v for k, v in wide.items() if v > 0} == {}
    assert drawn == {390: 2, 1366: 2}  # one chart per goal
