"""The label's pages on a 390 px phone and a 1366 px screen in Chromium: none is wider than the window (the
register's and the checks' tables become cards on the phone), for visitors, a school's staff, a reviewer and an
administrator."""

import datetime as dt
import os

import pytest
from django.utils import timezone

from safeschool.selfeval import label
from safeschool.web.accounts.models import Role
from safeschool.web.accounts.services import user_create
from safeschool.web.label.models import Application, Award
from safeschool.web.research.models import Country, School
from safeschool.web.research.services import staff_appoint
from safeschool.web.selfeval.models import ActionPlan, Campaign

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE, DESKTOP = {"width": 390, "height": 844}, {"width": 1366, "height": 900}
OVERFLOW = "() => document.documentElement.scrollWidth - window.innerWidth"
PASSWORD = "pw-long-enough-1"
SHOTS = os.environ.get("SAFESCHOOL_LABEL_SHOTS", "")  # a directory: keep screenshots of every page checked


def world():
    country = Country.objects.create(code="HR", name="Croatia", tracking_age=14, grade_repetition_pct=2.0,
                                     esl_rate_pct=3.0, esl_support=True, inclusion_index=0.5)
    schools = [School.objects.create(code=f"L{i}", name=f"Osnovna škola Ivana Gorana Kovačića {i}", country=country,
                                     stage="lower_secondary", context="urban", ses_composition=0.0) for i in (1, 2)]
    users = {r: user_create(username=r, password=PASSWORD, role=r) for r in (Role.STAFF, Role.RESEARCHER, Role.ADMIN)}
    staff_appoint(user=users[Role.STAFF], school=schools[0])
    results = [{"level": "dimension", "code": d, "dimension": d, "subdimension": None, "informant": g,
                "score": 3.9, "score_100": 72.5, "n": 20}
               for d in ("safe_learning", "safe_teaching", "safe_school", "safe_education")
               for g in ("leaders", "teachers", "students", "families")]
    campaign = Campaign.objects.create(school=schools[0], title="Spring", informants=["students"],
                                       closed_at=timezone.now(), results=results)
    ActionPlan.objects.create(school=schools[0], baseline=campaign, title="Belonging", status="active")
    facts = {"report": {}, "evidence": set(), "plan": {"status": "active", "goals": 1}, "par": {},
             "campaign": {"closed_on": dt.date.today()}, "previous": None}
    checks = {"criteria_version": 1, "level": "safe", "checked_on": dt.date.today().isoformat(),
              "results": label.check("safe", facts)}
    application = Application.objects.create(school=schools[0], level="safe", campaign=campaign, checks=checks,
                                             statement="A long statement. " * 30, submitted_by=users[Role.STAFF])
    other = Campaign.objects.create(school=schools[1], title="Autumn", informants=["students"],
                                    closed_at=timezone.now(), results=[])
    done = Application.objects.create(school=schools[1], level="exemplary", campaign=other, statement="x",
                                      status="awarded", decided_level="exemplary")
    award = Award.objects.create(application=done, school=schools[1], level="exemplary",
                                 awarded_on=dt.date.today(), valid_until=dt.date.today() + dt.timedelta(days=730),
                                 verification_code="ABCDEFGHJKLM")
    return schools, application, award


def test_no_label_page_is_wider_than_the_window(live_server, browser, log_in):
    schools, application, award = world()
    pages = {
        None: ["/label/", "/label/criteria/", "/label/verify/", f"/label/verify/{award.verification_code}/",
               "/label/verify/NOSUCHCODE12/"],
        Role.STAFF: ["/label/applications/", f"/label/applications/{application.pk}/",
                     f"/label/apply/{schools[0].pk}/"],
        Role.RESEARCHER: [f"/label/applications/{application.pk}/review/"],
        Role.ADMIN: [f"/label/applications/{application.pk}/decide/"],
    }
    wide = {}
    for viewport in (PHONE, DESKTOP):
        page = browser.new_page(viewport=viewport)
        for role, paths in pages.items():
            if viewport is DESKTOP:  # the wide screen: the pages with the widest tables
                paths = [p for p in paths if p in ("/label/", f"/label/applications/{application.pk}/")]
                if not paths:
                    continue
            page.context.clear_cookies()
            if role:
                page.goto(f"{live_server.url}/accounts/login/")
                log_in(page, role, PASSWORD)
                page.wait_for_load_state()
            for path in paths:
                response = page.goto(f"{live_server.url}{path}")
                assert response.status == 200, (role, path, response.status)
                wide[(viewport["width"], role, path)] = page.evaluate(OVERFLOW)
                if SHOTS:
                    page.screenshot(path=f"{SHOTS}/{viewport['width']}{path.replace('/', '_')}.png", full_page=True)
        page.close()
    assert {k: v for k, v in wide.items() if v > 0} == {}


def test_the_register_is_cards_on_a_phone_and_a_table_on_a_screen(live_server, browser):
    world()
    phone = browser.new_page(viewport=PHONE)
    phone.goto(f"{live_server.url}/label/")
    assert phone.locator("table.label-register thead").bounding_box()["height"] <= 1  # visually hidden
    assert phone.locator("table.label-register td[data-label]").first.is_visible()
    desk = browser.new_page(viewport=DESKTOP)
    desk.goto(f"{live_server.url}/label/")
    assert desk.locator("table.label-register thead").bounding_box()["height"] > 10
