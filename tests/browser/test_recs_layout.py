"""The /recs/ pages (H2: the RECs list, a REC, a partnership with its referral chart, the profile editor, the
survey's waves, a wave and the school side's answer form) on a 390 px phone and a 1366 px screen, signed in as an
administrator (the longest menu, with the new "RECs" entry): no page wider than the window, the referral chart drawn,
axe-core finds no serious or critical violation, and the header's menu on one row on the wide screen."""

import datetime as dt
from pathlib import Path

import pytest

from safeschool.web.accounts.models import Role
from safeschool.web.accounts.services import user_create
from safeschool.web.recs.models import Partnership, RecProfile, RecStaff, ReferralCount, SurveyWave
from safeschool.web.research.models import Country, RegionalEducationalCentre, School
from safeschool.web.research.services import staff_appoint

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE, DESKTOP = {"width": 390, "height": 844}, {"width": 1366, "height": 900}
OVERFLOW = "() => document.documentElement.scrollWidth - window.innerWidth"
CHARTS = ("() => [...document.querySelectorAll('figure.chart')].map(f => [f.dataset.chart, f.dataset.rendered,"
          " !!f.querySelector('.vega :is(svg, canvas)')])")
SETTLED = ("() => [...document.querySelectorAll('figure.chart')]"
           ".every(f => ['true', 'error'].includes(f.dataset.rendered))")
ROW_TOPS = "els => els.map(e => Math.round(e.getBoundingClientRect().top))"
AXE = Path(__file__).parent / "vendor" / "axe.min.js"


def test_recs_pages_fit_the_phone_and_the_screen(live_server, browser, log_in):
    country = Country.objects.create(code="HR", name="Croatia", tracking_age=14, grade_repetition_pct=2.0,
                                     esl_rate_pct=3.0, esl_support=True, inclusion_index=0.5)
    rec = RegionalEducationalCentre.objects.create(code="REC-A", country=country,
                                                   name="Regional Educational Centre of Split-Dalmatia County")
    RecProfile.objects.create(rec=rec, area="Split-Dalmatia County and the islands", services=[
        "training", "coaching", "case_management", "psychological", "family_liaison"], description="Long. " * 80)
    RecStaff.objects.create(rec=rec, name="Ivana Horvat-Kovačević", role="Educational psychologist")
    school = School.objects.create(code="S1", name="Primary school with a deliberately long name that wraps",
                                   country=country, stage="lower_secondary", context="urban", ses_composition=0.0)
    p = Partnership.objects.create(school=school, rec=rec, since=dt.date(2024, 9, 1), services=["training"],
                                   agreement="Monthly case meetings. " * 30)
    for month, count in ((9, 3), (10, 5), (11, 0), (12, 12)):
        ReferralCount.objects.create(partnership=p, month=dt.date(2024, month, 1), count=count)
    wave = SurveyWave.objects.create(title="Spring 2026")
    user_create(username="adm", password="pw-adm-123456", role=Role.ADMIN)
    staff = user_create(username="stf", password="pw-stf-123456", role=Role.STAFF)
    staff_appoint(user=staff, school=school)
    paths = {"adm": ["/recs/", f"/recs/{rec.pk}/", f"/recs/partnerships/{p.pk}/", f"/recs/{rec.pk}/edit/",
                     "/recs/survey/", f"/recs/survey/{wave.pk}/"],
             "stf": [f"/recs/survey/{wave.pk}/partnerships/{p.pk}/school/", f"/recs/survey/{wave.pk}/needs/{school.pk}/"
                     "?role=teacher"]}
    status, wide, charts, menu, violations = {}, {}, {}, {}, {}
    for username, password in (("adm", "pw-adm-123456"), ("stf", "pw-stf-123456")):
        page = browser.new_page(viewport=PHONE, bypass_csp=True)
        page.goto(f"{live_server.url}/accounts/login/")
        log_in(page, username, password)
        page.wait_for_load_state()
        for viewport in (PHONE, DESKTOP):
            page.set_viewport_size(viewport)
            for path in paths[username]:
                key = (viewport["width"], path)
                response = page.goto(f"{live_server.url}{path}")
                status[key] = response.status
                page.wait_for_function(SETTLED)
                charts[key] = page.evaluate(CHARTS)
                wide[key] = page.evaluate(OVERFLOW)
                if viewport is DESKTOP:
                    tops = page.eval_on_selector_all(".nav-links > li", ROW_TOPS)
                    menu[path] = max(tops) - min(tops)
                    assert page.locator(".nav-links a[href='/recs/']").count() == 1  # the menu's new entry
                    page.add_script_tag(path=str(AXE))
                    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
                    violations[path] = [f"{v['id']}: {v['nodes'][0]['target']}" for v in result["violations"]
                                        if v["impact"] in ("serious", "critical")]
        page.close()
    assert {k: v for k, v in status.items() if v != 200} == {}
    assert {k: v for k, v in wide.items() if v > 0} == {}
    assert {k: v for k, v in menu.items() if v > 4} == {}
    assert {k: v for k, v in violations.items() if v} == {}
    partnership = f"/recs/partnerships/{p.pk}/"
    assert charts[(390, partnership)] == charts[(1366, partnership)] == [["referrals", "true", True]]
