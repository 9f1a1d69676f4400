"""The state-of-the-art report's pages (H3: the versions, a published version with its charts, the narrative editor,
a new version and the public page) on a 390 px phone and a 1366 px screen: no page wider than the window, every
chart drawn, and axe-core finds no serious or critical violation on the report (on the screen: the report and the
public page only, to keep the test short)."""

import datetime as dt
from pathlib import Path

import pytest

from safeschool.web.accounts.models import Role
from safeschool.web.accounts.services import user_create
from safeschool.web.recs import services_report
from safeschool.web.recs.models import NeedsResponse, Partnership, SurveyResponse, SurveyWave
from safeschool.web.research.models import (
    Country,
    Outcome,
    RegionalEducationalCentre,
    School,
    SchoolClass,
    Student,
    StudentScales,
    Wave,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE, DESKTOP = {"width": 390, "height": 844}, {"width": 1366, "height": 900}
OVERFLOW = "() => document.documentElement.scrollWidth - window.innerWidth"
CHARTS = "() => [...document.querySelectorAll('figure.chart')].map(f => f.dataset.rendered)"
SETTLED = ("() => [...document.querySelectorAll('figure.chart')]"
           ".every(f => ['true', 'error'].includes(f.dataset.rendered))")
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
ITEMS = ("goals_agreed", "roles_clear", "comm_regular", "trust_open", "joint_planning", "res_time")


def _world():
    country = Country.objects.create(code="IT", name="Italy", tracking_age=14, grade_repetition_pct=2.0,
                                     esl_rate_pct=3.0, esl_support=True, inclusion_index=0.5)
    rec = RegionalEducationalCentre.objects.create(code="REC-IT", country=country, name="Centre")
    wave = SurveyWave.objects.create(title="Spring 2026")
    study = Wave.objects.create(number=1, label="Wave 1", starts_on=dt.date(2025, 9, 1))
    for i in range(6):
        school = School.objects.create(code=f"S{i}", name=f"Lower secondary school with a long name {i}",
                                       country=country, stage="lower_secondary", context="urban", ses_composition=0)
        p = Partnership.objects.create(school=school, rec=rec, since=dt.date(2024, 9, 1), services=["training"])
        for side in ("school", "rec"):
            SurveyResponse.objects.create(wave=wave, partnership=p, side=side, answers={c: 3 + i % 2 for c in ITEMS},
                                          problems=["time", "data_sharing"])
        if i == 0:
            klass = SchoolClass.objects.create(code="S0-7A", school=school, grade=7)
            for j in range(24):
                s = Student.objects.create(pseudonym=f"p{j:03d}", school_class=klass, gender="FM"[j % 2], age=13,
                                           migrant_background=j % 2 == 0, roma_minority=False, ses_index=0.0,
                                           sen=False, out_of_parental_care=False)
                Outcome.objects.create(student=s, wave=study, dropped_out=j < 3)
                StudentScales.objects.create(student=s, wave=study, security=3.0, belonging=3.5 + (j % 3) / 2)
    for _ in range(12):
        NeedsResponse.objects.create(wave=wave, school=school, role="teacher", needs={"early_warning": 4,
                                                                                    "families": 2},
                                     formats=["workshop", "coaching"])
    return wave


def test_report_pages_fit_the_phone_and_the_screen(live_server, browser, log_in):
    wave = _world()
    admin = user_create(username="adm", password="pw-adm-123456", role=Role.ADMIN)
    published = services_report.report_create(user=admin, title="Schools and RECs: the state of the art, 2026",
                                              language="en", wave=wave)
    services_report.report_narrative_set(user=admin, report=published, title=published.title,
                                         narrative={"summary": "A long paragraph. " * 60})
    services_report.report_publish(user=admin, report=published)
    draft = services_report.report_create(user=admin, title="Draft", language="en", wave=wave)
    paths = ["/recs/report/", f"/recs/report/{published.version}/", f"/recs/report/{draft.version}/edit/",
             "/recs/report/new/", f"/learning/reports/{published.version}/"]
    status, wide, charts, violations = {}, {}, {}, {}
    page = browser.new_page(viewport=PHONE, bypass_csp=True)
    page.goto(f"{live_server.url}/accounts/login/")
    log_in(page, "adm", "pw-adm-123456")
    page.wait_for_load_state()
    for viewport, where in ((PHONE, paths), (DESKTOP, paths[1::3])):  # the screen: the report, the public page
        page.set_viewport_size(viewport)
        for path in where:
            key = (viewport["width"], path)
            status[key] = page.goto(f"{live_server.url}{path}").status
            page.wait_for_function(SETTLED)
            charts[key] = page.evaluate(CHARTS)
            wide[key] = page.evaluate(OVERFLOW)
            if viewport is DESKTOP and path.startswith("/recs/"):
                page.add_script_tag(path=str(AXE))
                result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
                violations[path] = [f"{v['id']}: {v['nodes'][0]['target']}" for v in result["violations"]
                                    if v["impact"] in ("serious", "critical")]
    page.close()
    assert {k: v for k, v in status.items() if v != 200} == {}
    assert {k: v for k, v in wide.items() if v > 0} == {}
    assert {k: v for k, v in violations.items() if v} == {}
    report_page = f"/recs/report/{published.version}/"
    assert len(charts[(390, report_page)]) == 13 and set(charts[(390, report_page)]) == {"true"}
    assert set(charts[(1366, f"/learning/reports/{published.version}/")]) == {"true"}
