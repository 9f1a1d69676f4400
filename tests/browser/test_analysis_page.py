"""A researcher opens a finished analysis in Chromium: the charts (variance partition, caterpillar) are drawn."""

import pytest
from django.core.management import call_command

from safeschool.web.accounts.models import Role
from safeschool.web.accounts.services import user_create
from safeschool.web.analysis.services import analysis_run_create
from safeschool.web.research.services import cohort_load

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def runs(transactional_db, cohort_dir):
    cohort_load(directory=cohort_dir)
    user = user_create(username="res", password="pw-res-123456", role=Role.RESEARCHER)
    eco = analysis_run_create(user=user, kind="ecological", parameters={"outcome": "achievement"})
    maihda = analysis_run_create(user=user, kind="maihda", parameters={"outcome": "achievement",
                                                                       "strata": ["gender", "ses"]})
    call_command("db_worker", batch=True, reload=False, startup_delay=False, verbosity=0)
    return eco, maihda


def test_researcher_sees_drawn_analysis_charts(live_server, browser, runs, log_in):
    eco, maihda = runs
    page = browser.new_page()
    page.goto(f"{live_server.url}/accounts/login/?next=/analysis/{eco.pk}/")
    log_in(page, "res", "pw-res-123456")
    page.wait_for_selector("[data-status='succeeded']")
    page.wait_for_selector("figure[data-chart='variance_partition'][data-rendered='true'] svg", timeout=15000)
    assert page.locator("figure[data-chart='variance_partition'] svg .mark-rect path").count() >= 16  # 5 steps x 4
    page.goto(f"{live_server.url}/analysis/{maihda.pk}/")
    page.wait_for_selector("figure[data-chart='strata'][data-rendered='true'] svg", timeout=15000)
    assert page.locator("figure[data-chart='strata'] svg .mark-symbol path").count() >= 4
    assert page.locator("figure[data-rendered='error']").count() == 0
    page.close()


def test_charts_appear_when_a_running_analysis_finishes(live_server, browser, transactional_db, cohort_dir,
                                                         log_in):
    """The page of a queued run polls (htmx) and draws the charts once the worker has finished it."""
    cohort_load(directory=cohort_dir)
    user = user_create(username="res2", password="pw-res-123456", role=Role.RESEARCHER)
    run = analysis_run_create(user=user, kind="ecological", parameters={"outcome": "achievement"})
    page = browser.new_page()
    page.goto(f"{live_server.url}/accounts/login/?next=/analysis/{run.pk}/")
    log_in(page, "res2", "pw-res-123456")
    page.wait_for_selector("[data-status='queued']")
    call_command("db_worker", batch=True, reload=False, startup_delay=False, verbosity=0)
    page.wait_for_selector("[data-status='succeeded']", timeout=15000)
    page.wait_for_selector("figure[data-chart='variance_partition'][data-rendered='true'] svg", timeout=15000)
    assert page.locator("figure[data-chart='coefficients'] svg .mark-symbol path").count() >= 10
    page.close()
