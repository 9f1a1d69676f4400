"""The school report, its recommendations and the network comparison in Chromium on a 390 px phone and a 1366 px
screen: no page is wider than the window, and the report's charts are drawn (an SVG or canvas in each figure)."""

import datetime as dt

import pytest
from django.utils import timezone

from safeschool.selfeval import questionnaire as questionnaires
from safeschool.selfeval import report as report_core
from safeschool.selfeval.simulate import simulate_campaign
from safeschool.web.accounts.models import Role
from safeschool.web.accounts.services import user_create
from safeschool.web.research.models import Country, School
from safeschool.web.research.services import staff_appoint
from safeschool.web.selfeval.models import Campaign, Response

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE, DESKTOP = {"width": 390, "height": 844}, {"width": 1366, "height": 900}
OVERFLOW = "() => document.documentElement.scrollWidth - window.innerWidth"


def _world():
    q = questionnaires.load()
    country = Country.objects.create(code="PT", name="Portugal", tracking_age=15, grade_repetition_pct=5.0,
                                     esl_rate_pct=6.0, esl_support=True, inclusion_index=0.7)
    school = School.objects.create(code="BR-A", name="Escola Básica e Secundária de Exemplo com um Nome Muito Longo",
                                   country=country, stage="lower_secondary", context="urban", ses_composition=0.0)
    staff = user_create(username="staff", password="pw-staff-123456", role=Role.STAFF)
    user_create(username="res", password="pw-res-123456", role=Role.RESEARCHER)
    staff_appoint(user=staff, school=school)
    frame = simulate_campaign(q, school=school.code, n={"leaders": 2, "teachers": 14, "students": 30, "families": 6},
                              seed=3)
    now = timezone.now()
    campaign = Campaign.objects.create(school=school, title="Spring", informants=list(questionnaires.INFORMANTS),
                                       opened_at=now - dt.timedelta(days=10), closed_at=now,
                                       results=report_core.results_rows(frame, q))
    codes = list(q.indicators)
    Response.objects.bulk_create([
        Response(campaign=campaign, informant=row["informant"],
                 answers={c: float(row[c]) for c in codes if row[c] == row[c]})
        for row in frame.to_dict("records")])
    return school, campaign


def _sign_in(page, url, username, password, log_in):
    page.goto(f"{url}/accounts/login/")
    log_in(page, username, password)
    page.wait_for_load_state()


def test_report_pages_fit_a_phone_and_draw_their_charts(live_server, browser, log_in):
    school, campaign = _world()
    report = f"{live_server.url}/selfeval/campaigns/{campaign.pk}/report/"
    drawn = "() => [...document.querySelectorAll('figure.chart')].map(f => !!f.querySelector('.vega svg, .vega canvas'))"
    wide, charts, heard = {}, {}, []
    for viewport in (PHONE, DESKTOP):
        page = browser.new_page(viewport=viewport)
        # Vega's warnings (e.g. 'Conflicting legend property "disable"' from a spec) reach the console
        page.on("console", lambda m: heard.append(m.text) if m.type in ("error", "warning") else None)
        _sign_in(page, live_server.url, "staff", "pw-staff-123456", log_in)
        page.goto(report)
        page.wait_for_selector("figure.chart .vega svg, figure.chart .vega canvas", timeout=15_000)
        page.wait_for_function("() => ![...document.querySelectorAll('figure.chart')].some("
                               "f => f.dataset.rendered === 'pending')", timeout=15_000)
        wide[(viewport["width"], "report")] = page.evaluate(OVERFLOW)
        charts[viewport["width"]] = page.evaluate(drawn)
        if viewport is PHONE:
            page.goto(f"{live_server.url}/selfeval/campaigns/{campaign.pk}/recommendations/")
            wide[(390, "recommendations")] = page.evaluate(OVERFLOW)
            page.context.clear_cookies()
            _sign_in(page, live_server.url, "res", "pw-res-123456", log_in)
            page.goto(f"{live_server.url}/selfeval/network/?school={school.pk}")
            # one school in the network: no chart frame at all, a sentence per group saying why
            assert page.locator("figure.chart").count() == 0
            assert page.locator(".network-empty").count() == 3  # families (6) have no score at all
            wide[(390, "network")] = page.evaluate(OVERFLOW)
        page.close()
    assert {k: v for k, v in wide.items() if v > 0} == {}
    assert charts == {390: [True, True], 1366: [True, True]}
    assert heard == []
