"""The allocation, impact and trial pages on a 390 px phone and a 1366 px screen: no page wider than the window,
the CONSORT chart drawn (an SVG or canvas inside its figure), and axe-core finds no serious or critical violation."""

import os
from importlib import import_module
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from safeschool.csvsafe import frame_to_csv
from safeschool.trials.simulate import simulate_trial
from safeschool.web.accounts.models import Role
from safeschool.web.accounts.services import user_create
from safeschool.web.interventions import reports_impact, services_allocation, services_impact
from safeschool.web.interventions.execution_impact import impact_run_execute
from safeschool.web.interventions.models import Deviation, Intervention, Protocol, Trial
from safeschool.web.research.models import Country, School

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE, DESKTOP = {"width": 390, "height": 844}, {"width": 1366, "height": 900}
OVERFLOW = "() => document.documentElement.scrollWidth - window.innerWidth"
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
SHOTS = os.environ.get("SAFESCHOOL_SCREENSHOTS", "")  # a directory: save screenshots there to look at


@pytest.fixture
def allocations_flushable(transactional_db):
    """Locked protocols, deviations and allocations are fixed by database triggers, so the flush after this
    transactional test would fail: at teardown, empty the database with those triggers dropped (SQLite), then put
    them back (as conftest's closed_rounds_flushable does for Delphi)."""
    yield
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor != "sqlite":
        return  # PostgreSQL's flush truncates, which its row triggers do not see
    triggers = import_module("safeschool.web.interventions.migrations.0002_immutability_triggers")
    with connection.cursor() as cursor:
        for name in triggers.SQLITE_DROP:
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
    call_command("flush", interactive=False, verbosity=0)
    with connection.cursor() as cursor:
        for sql in triggers.SQLITE:
            cursor.execute(sql)


def _world(user):
    countries = {c: Country.objects.create(code=c, name=f"Country {c}", tracking_age=14, grade_repetition_pct=3,
                                           esl_rate_pct=10, esl_support=True, inclusion_index=0.5)
                 for c in ("B1", "B2")}
    schools = [School.objects.create(code=f"S{i + 1:03d}", name=f"A school with a long name number {i + 1}",
                                     country=countries["B1" if i < 6 else "B2"], stage="lower_secondary",
                                     context="urban", ses_composition=i / 12, climate_index=3.2) for i in range(12)]
    intervention = Intervention.objects.create(name="Reading together", why="Attainment")
    trial = Trial.objects.create(intervention=intervention, title="Reading together in lower secondary schools",
                                 design="crt2", unit="school", block_by="country", primary_outcome="achievement",
                                 status="registered", analysis_model="y ~ treat + baseline + (1|school_id)")
    trial.schools.add(*schools)
    protocol = Protocol.objects.create(trial=trial, content={"design": "crt2"})
    Protocol.objects.filter(pk=protocol.pk).update(locked_at=timezone.now(), content_hash="d" * 64)
    Deviation.objects.create(protocol=protocol, field="covariates", change="baseline added", reason="advice")
    services_allocation.allocation_run(trial=trial, user=user, seed=11)
    frame = simulate_trial("crt2", schools=12, classes_per_school=2, students_per_class=12, icc_school=0.1,
                           effect=0.4, attrition=0.1, seed=11).drop(columns=["treat"])
    upload = SimpleUploadedFile("follow-up.csv", frame_to_csv(frame, index=False).encode())
    run = services_impact.impact_run_create(trial=trial, user=user, upload=upload, outcome="achievement")
    assert impact_run_execute(run_id=run.pk).status == "succeeded"
    return trial, run


def test_allocation_and_impact_pages_fit_the_phone_and_the_screen(allocations_flushable, live_server, browser, log_in,
                                                                  settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    user = user_create(username="res", password="pw-res-123456", role=Role.RESEARCHER)
    trial, run = _world(user)
    paths = [f"/interventions/trials/{trial.pk}/allocation/", f"/interventions/trials/{trial.pk}/impact/",
             f"/interventions/impact/{run.pk}/", f"/interventions/trials/{trial.pk}/"]
    wide, violations, drawn = {}, {}, {}
    for viewport in (PHONE, DESKTOP):
        page = browser.new_page(viewport=viewport, bypass_csp=True)  # only so that axe can be injected
        page.goto(f"{live_server.url}/accounts/login/")
        log_in(page, "res", "pw-res-123456")
        page.wait_for_load_state()
        for path in paths:
            page.goto(f"{live_server.url}{path}")
            page.wait_for_load_state("networkidle")
            wide[(viewport["width"], path)] = page.evaluate(OVERFLOW)
            if "/impact/" in path and "trials" not in path:
                page.wait_for_selector("figure[data-chart=consort] .vega :is(svg, canvas)")
                drawn[viewport["width"]] = True
            if viewport is DESKTOP:
                page.add_script_tag(path=str(AXE))
                result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
                violations[path] = [f"{v['id']}: {v['nodes'][0]['target']}" for v in result["violations"]
                                    if v["impact"] in ("serious", "critical")]
            if SHOTS:
                name = path.strip("/").replace("/", "-")
                page.screenshot(path=f"{SHOTS}/{viewport['width']}-{name}.png", full_page=True)
        page.close()
    if SHOTS:  # the final report too, to look at
        Path(SHOTS, "trial-report.pdf").write_bytes(reports_impact.report_pdf(user=user, trial=trial))
    assert {k: v for k, v in wide.items() if v > 0} == {}
    assert drawn == {390: True, 1366: True}
    assert {k: v for k, v in violations.items() if v} == {} and len(violations) == len(paths)
