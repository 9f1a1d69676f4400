"""The analysis result page (ecological decomposition and MAIHDA) and the Delphi results and report in Chromium at
1366 px and 390 px: no page wider than the window (wide tables scroll inside their box), and the visible text holds
no raw output — no "nan", "None", "-0", "TRUE"/"FALSE", model terms such as "genderM", p-values "<1e-16",
counts "25.0 / 33.0" or stakeholder codes."""

import re

import pytest
from django.core.management import call_command

from safeschool.web.accounts.models import Role
from safeschool.web.accounts.services import user_create
from safeschool.web.analysis.services import analysis_run_create
from safeschool.web.cocreation import services as delphi
from safeschool.web.network import services as network
from safeschool.web.research.services import cohort_load

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE, DESKTOP = {"width": 390, "height": 844}, {"width": 1366, "height": 900}
OVERFLOW = "() => document.documentElement.scrollWidth - window.innerWidth"
RAW = re.compile(r"\b(nan|None|NaN|TRUE|FALSE|school_board|ngo|genderM|migrant_backgroundTRUE)\b|e-16|\d\.0 / \d"
                 r"|(?<![\w])-0(?:[.,]0+)?(?![.,]?\d)")


@pytest.fixture
def pages(closed_rounds_flushable, cohort_dir):
    cohort_load(directory=cohort_dir)
    researcher = user_create(username="res", password="pw-res-123456", role=Role.RESEARCHER)
    eco = analysis_run_create(user=researcher, kind="ecological", parameters={"outcome": "achievement"})
    maihda = analysis_run_create(user=researcher, kind="maihda", parameters={
        "outcome": "achievement", "strata": ["gender", "migrant", "ses"]})
    call_command("db_worker", batch=True, reload=False, startup_delay=False, verbosity=0)
    panel = [network.member_join(username=f"p{i}", password="pw-long-enough-1", email=f"p{i}@example.org",
                                 display_name=f"Panellist {i}", stakeholder_type=kind, country="PL", birth_year=1980,
                                 level="c", consent=True)
             for i, kind in enumerate(["school_board"] * 6 + ["ngo"] * 5)]
    study = delphi.study_create(user=researcher, title="Validating the model", rule={"name": "comet"},
                                drop_settled=False)
    delphi.panel_invite(user=researcher, study=study, members=panel)
    for code in ("S1", "S2"):
        delphi.statement_add(user=researcher, study=study, code=code, level="relational",
                             text="A statement long enough to need more than one line in a narrow table cell, "
                                  "as the statements of a real Delphi study are.")
    r1 = delphi.round_open(user=researcher, study=study)
    for i, m in enumerate(panel):
        for s in r1.statements.all():
            delphi.rating_submit(user=m.user, round=r1, statement=s, value=3 + i % 6, comment="")
    delphi.round_close(user=researcher, round=r1)
    delphi.statement_add(user=researcher, study=study, code="S3", text="Added in round 2.", level="political")
    r2 = delphi.round_open(user=researcher, study=study)
    for i, m in enumerate(panel[:8]):
        for s in r2.statements.all():
            delphi.rating_submit(user=m.user, round=r2, statement=s, value=4 + i % 5, comment="")
    return {"analysis": f"/analysis/{eco.pk}/", "maihda": f"/analysis/{maihda.pk}/",
            "results": f"/cocreation/delphi/{study.pk}/results/?round=2",
            "report": f"/cocreation/delphi/{study.pk}/report/"}


def test_result_pages_fit_the_window_and_show_no_raw_output(live_server, browser, pages, log_in):
    wide, raw = {}, {}
    for viewport in (DESKTOP, PHONE):
        page = browser.new_page(viewport=viewport)
        page.goto(f"{live_server.url}/accounts/login/")
        log_in(page, "res", "pw-res-123456")
        page.wait_for_load_state()
        for name, path in pages.items():
            page.goto(f"{live_server.url}{path}")
            if name in ("analysis", "maihda"):
                page.wait_for_selector("[data-status='succeeded']")
                page.wait_for_selector("figure[data-rendered='true'] svg", timeout=15000)
            wide[(viewport["width"], name)] = page.evaluate(OVERFLOW)
            found = RAW.search(page.inner_text("main"))
            if found:
                raw[(viewport["width"], name)] = found.group(0)
        page.close()
    assert {k: v for k, v in wide.items() if v > 0} == {}
    assert raw == {}

    # the checks can fail: a table wider than the window outside a scrolling box is caught, and a raw figure
    page = browser.new_page(viewport=DESKTOP)
    page.goto(f"{live_server.url}/accounts/login/")
    log_in(page, "res", "pw-res-123456")
    page.wait_for_load_state()
    page.goto(f"{live_server.url}{pages['report']}")
    page.evaluate("() => { const t = document.createElement('table'); t.innerHTML = '<tr>' + "
                  "'<td>xxxxxxxxxxxxxxxxxxxx</td>'.repeat(120) + '</tr><tr><td>25.0 / 33.0</td></tr>';"
                  " document.querySelector('main').append(t); }")
    assert page.evaluate(OVERFLOW) > 0
    assert RAW.search(page.inner_text("main"))
    page.close()
