"""Trial design, power and protocol pages on a 390 px phone and a 1366 px screen: no page wider than the window,
the power chart drawn, and axe-core finds no serious or critical violation."""

import os
from importlib import import_module
from pathlib import Path

import pytest

from safeschool.cohort import CohortConfig, Sizes, simulate
from safeschool.web.accounts.models import Role
from safeschool.web.accounts.services import user_create
from safeschool.web.interventions import power_web
from safeschool.web.interventions import services_trials as services
from safeschool.web.interventions.models import Intervention
from safeschool.web.research.models import School
from safeschool.web.research.services import cohort_load

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE, DESKTOP = {"width": 390, "height": 844}, {"width": 1366, "height": 900}
OVERFLOW = "() => document.documentElement.scrollWidth - window.innerWidth"
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
SHOTS = os.environ.get("SAFESCHOOL_SCREENSHOTS", "")


@pytest.fixture
def locked_protocols_flushable(transactional_db):
    """A locked protocol cannot be deleted (database triggers), so the flush after this transactional test would
    fail: at teardown, empty the tables with the protocol triggers dropped, then put them back."""
    yield
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor != "sqlite":
        return  # PostgreSQL's flush truncates, which its row triggers do not see
    triggers = import_module("safeschool.web.interventions.migrations.0002_immutability_triggers")
    names = ("interventions_protocol_locked_delete", "interventions_protocol_locked_update")
    with connection.cursor() as cursor:
        for name in names:
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
    call_command("flush", interactive=False, verbosity=0)
    with connection.cursor() as cursor:
        for sql in triggers.SQLITE:
            if any(f"TRIGGER {name} " in sql for name in names):
                cursor.execute(sql)


def test_trial_pages_fit_the_phone_and_the_screen(live_server, browser, log_in, tmp_path, monkeypatch,
                                                  locked_protocols_flushable):
    monkeypatch.setattr(power_web, "N_BOOT", 20)
    simulate(CohortConfig(sizes=Sizes(countries=2, schools=12, classes=24, teachers=24, students=480, waves=2),
                          seed=5)).write(tmp_path)
    cohort_load(directory=tmp_path)
    user = user_create(username="res", password="pw-res-123456", role=Role.RESEARCHER)
    intervention = Intervention.objects.create(name="Alternatives to exclusion with a long name that has to wrap",
                                               why="x", outcomes=["exclusion", "achievement"])
    trial = services.trial_create(user=user, intervention=intervention, title="A trial of alternatives to exclusion",
                                  design="crt3", primary_outcome="exclusion", covariates=["ses_index", "gender"],
                                  schools=list(School.objects.all()),
                                  analysis_model="excluded ~ treat + ses_index + gender + (1|school_id/class_id)")
    # the design form, the power page (inputs, chart) and the protocol (a 64-character hash once locked)
    services.trial_power_save(user=user, trial=trial, power={"inputs": {"power": 0.8, "alpha": 0.05},
                                                             "result": {"mdes": 0.3}})
    services.protocol_save(user=user, trial=trial, stopping_rules="Harm reported by a school.",
                           missing_data="Complete cases with baseline covariates.")
    services.protocol_lock(user=user, trial=trial)
    paths = [f"/interventions/{intervention.pk}/trials/new/", f"/interventions/trials/{trial.pk}/power/",
             f"/interventions/trials/{trial.pk}/protocol/"]
    wide, violations, drawn = {}, {}, {}
    for viewport in (PHONE, DESKTOP):
        page = browser.new_page(viewport=viewport, bypass_csp=True)
        page.goto(f"{live_server.url}/accounts/login/")
        log_in(page, "res", "pw-res-123456")
        page.wait_for_load_state()
        for path in paths:
            page.goto(f"{live_server.url}{path}")
            if "power" in path:
                page.wait_for_selector("figure[data-chart=power-curve] svg, figure[data-chart=power-curve] canvas")
                drawn[(viewport["width"], path)] = True
            wide[(viewport["width"], path)] = page.evaluate(OVERFLOW)
            if viewport is DESKTOP:
                page.add_script_tag(path=str(AXE))
                result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
                violations[path] = [f"{v['id']}: {v['nodes'][0]['target']}" for v in result["violations"]
                                    if v["impact"] in ("serious", "critical")]
            if SHOTS:
                name = path.strip("/").replace("/", "-")
                page.screenshot(path=f"{SHOTS}/{viewport['width']}-{name}.png", full_page=True)
        page.close()
    assert {k: v for k, v in wide.items() if v > 0} == {}
    assert {k: v for k, v in violations.items() if v} == {} and len(violations) == len(paths)
    assert len(drawn) == 2  # the power page at both widths
