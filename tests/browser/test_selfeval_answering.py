"""Answering the school questionnaire on a 390 px phone in Chromium (students answer on phones): the code typed in
lower case with spaces opens the group's questions, the Likert radios fit the screen and take a tap, the answers
are recorded once, and the thanks page shows no result. The campaign pages of a school's staff fit both widths."""

import pytest

from safeschool.web.accounts.models import Role
from safeschool.web.accounts.services import user_create
from safeschool.web.research.models import Country, School
from safeschool.web.research.services import staff_appoint
from safeschool.web.selfeval import services
from safeschool.web.selfeval.models import Response

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]  # kept by the PostgreSQL pass
PHONE, DESKTOP = {"width": 390, "height": 844}, {"width": 1366, "height": 900}
OVERFLOW = "() => document.documentElement.scrollWidth - window.innerWidth"


@pytest.fixture
def campaign():
    country = Country.objects.create(code="PT", name="Portugal", tracking_age=15, grade_repetition_pct=5.0,
                                     esl_rate_pct=6.0, esl_support=True, inclusion_index=0.7)
    school = School.objects.create(code="PTB1", name="Escola Básica com um nome bastante comprido", country=country,
                                   stage="lower_secondary", context="urban", ses_composition=0.0)
    staff = user_create(username="st", password="pw-staff-12345", role=Role.STAFF)
    staff_appoint(user=staff, school=school)
    campaign = services.campaign_open(staff, school, "Primavera", ["leaders", "students"], None)
    return campaign, staff


def test_a_student_answers_on_a_phone(live_server, browser, campaign):
    campaign, staff = campaign
    code = services.codes_issue(staff, campaign, "students", 1)[0]
    page = browser.new_page(viewport=PHONE)
    page.goto(f"{live_server.url}/selfeval/answer/")
    assert page.evaluate(OVERFLOW) <= 0
    page.fill("input[name=code]", code.lower().replace("-", " "))
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    questions = page.locator("fieldset.selfeval-question")
    assert questions.count() > 10 and page.evaluate(OVERFLOW) <= 0
    first = questions.first
    box = first.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    for option in first.locator("label.selfeval-option").all():  # five tappable boxes side by side
        b = option.bounding_box()
        assert b["height"] >= 32 and b["x"] + b["width"] <= PHONE["width"]
    first.locator("label.selfeval-option", has_text="4").click()
    assert first.locator("input[value='4']").is_checked()
    questions.nth(1).locator("label.selfeval-option", has_text="2").click()
    page.click("form.selfeval-questions button[type=submit]")
    page.wait_for_url("**/selfeval/answer/thanks/")
    text = page.locator("main").inner_text()
    assert "%" not in text and "score" not in text.lower()
    response = Response.objects.get(campaign=campaign)
    assert list(response.answers.values()) == [4, 2] and response.informant == "students"
    page.goto(f"{live_server.url}/selfeval/answer/")
    page.fill("input[name=code]", code)
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("[data-code-error]").is_visible()  # used: one clear message
    assert Response.objects.count() == 1


def test_campaign_pages_fit_a_phone_and_a_screen(live_server, browser, campaign, log_in):
    campaign, staff = campaign
    wide = {}
    for viewport in (PHONE, DESKTOP):
        page = browser.new_page(viewport=viewport)
        page.goto(f"{live_server.url}/accounts/login/")
        log_in(page, "st", "pw-staff-12345")
        page.wait_for_load_state()
        for path in ("/selfeval/", "/selfeval/questionnaire/", f"/selfeval/schools/{campaign.school_id}/",
                     f"/selfeval/campaigns/new/{campaign.school_id}/", f"/selfeval/campaigns/{campaign.pk}/"):
            page.goto(f"{live_server.url}{path}")
            wide[(viewport["width"], path)] = page.evaluate(OVERFLOW)
        page.goto(f"{live_server.url}/selfeval/campaigns/{campaign.pk}/")
        page.select_option("select[name=informant]", "students")
        page.fill("input[name=count]", "3")
        page.click("form[action$='/codes/'] button[type=submit]")
        page.wait_for_load_state()
        assert page.locator(".selfeval-slip").count() == 3
        wide[(viewport["width"], "codes")] = page.evaluate(OVERFLOW)
    assert {k: v for k, v in wide.items() if v > 0} == {}
