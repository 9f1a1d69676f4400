"""Every interventions page (the registry, a trial's design form, power page and locked protocol, its allocation and
impact pages, an impact run and the trial itself) on a 390 px phone and a 1366 px screen: no page wider than the
window, every chart drawn (the power curve, the CONSORT flow), axe-core finds no serious or critical violation, the
header's menu on one row on the wide screen, and the logic model's five stages side by side there and stacked on
the phone.

One world and one logged-in page serve every page: a transactional test flushes the database after it (the locked
protocol, deviation and allocation are fixed by triggers: conftest's closed_rounds_flushable drops them for the
flush), so building it once per page group would cost a flush and a log-in each."""

import os
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from safeschool.cohort import CohortConfig, Sizes, simulate
from safeschool.csvsafe import frame_to_csv
from safeschool.trials.simulate import simulate_trial
from safeschool.web.accounts.models import Role
from safeschool.web.accounts.services import user_create
from safeschool.web.interventions import power_web, reports_impact, services_allocation, services_impact
from safeschool.web.interventions import services_registry as registry
from safeschool.web.interventions import services_trials as trials
from safeschool.web.interventions.execution_impact import impact_run_execute
from safeschool.web.interventions.models import Deviation, Intervention, Protocol, Trial
from safeschool.web.research.models import Country, School
from safeschool.web.research.services import cohort_load

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE, DESKTOP = {"width": 390, "height": 844}, {"width": 1366, "height": 900}
OVERFLOW = "() => document.documentElement.scrollWidth - window.innerWidth"
# each figure.chart's name and state once charts.js has settled it ("true" drawn, "error" failed)
CHARTS = ("() => [...document.querySelectorAll('figure.chart')].map(f => [f.dataset.chart, f.dataset.rendered,"
          " !!f.querySelector('.vega :is(svg, canvas)')])")
SETTLED = ("() => [...document.querySelectorAll('figure.chart')]"
           ".every(f => ['true', 'error'].includes(f.dataset.rendered))")
ROW_TOPS = "els => els.map(e => Math.round(e.getBoundingClientRect().top))"
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
SHOTS = os.environ.get("SAFESCHOOL_SCREENSHOTS", "")  # a directory: save screenshots there to look at


def _registry(user):
    """An intervention with a long name and long text, its five-stage logic model and a second version."""
    made = registry.intervention_create(user=user, data={
        "name": "Alternatives to exclusion with a deliberately long name that has to wrap", "status": "ready",
        "why": "Exclusion predicts offending; " * 20, "outcomes": ["exclusion", "attendance"],
        "level": "community"})
    registry.logic_set(user=user, intervention=made, lines={
        "inputs": ["Youth justice practitioners", "Two hours a week"], "activities": ["Restorative meetings"],
        "outputs": ["Meetings held"], "short_term": ["Fewer suspensions"],
        "long_term": ["Fewer young people in custody"]})
    registry.version_create(user=user, intervention=made, context="Greek islands", changes="Online meetings",
                            reasons="Distance", fields={"delivery": "Online"})
    return made


def _designed_trial(user, directory):
    """A crt3 trial on a small simulated cohort's 12 schools (the power page estimates the ICC from its students),
    with a saved power calculation and a locked protocol (a 64-character hash)."""
    simulate(CohortConfig(sizes=Sizes(countries=2, schools=12, classes=24, teachers=24, students=480, waves=2),
                          seed=5)).write(directory)
    cohort_load(directory=directory)
    intervention = Intervention.objects.create(name="Alternatives to exclusion with a long name that has to wrap",
                                               why="x", outcomes=["exclusion", "achievement"])
    trial = trials.trial_create(user=user, intervention=intervention, title="A trial of alternatives to exclusion",
                                design="crt3", primary_outcome="exclusion", covariates=["ses_index", "gender"],
                                schools=list(School.objects.all()),
                                analysis_model="excluded ~ treat + ses_index + gender + (1|school_id/class_id)")
    trials.trial_power_save(user=user, trial=trial, power={"inputs": {"power": 0.8, "alpha": 0.05},
                                                           "result": {"mdes": 0.3}})
    trials.protocol_save(user=user, trial=trial, stopping_rules="Harm reported by a school.",
                         missing_data="Complete cases with baseline covariates.")
    trials.protocol_lock(user=user, trial=trial)
    return intervention, trial


def _completed_trial(user):
    """A registered crt2 trial blocked by country with a deviation, its allocation and a succeeded impact run on
    simulated follow-up data (schools S001-S012, the codes simulate_trial writes)."""
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


def test_interventions_pages_fit_the_phone_and_the_screen(closed_rounds_flushable, live_server, browser, log_in,
                                                          settings, tmp_path, monkeypatch):
    monkeypatch.setattr(power_web, "N_BOOT", 20)
    settings.MEDIA_ROOT = tmp_path / "media"
    user = user_create(username="res", password="pw-res-123456", role=Role.RESEARCHER)
    made = _registry(user)
    designed_intervention, designed = _designed_trial(user, tmp_path / "cohort")
    completed, run = _completed_trial(user)
    # the edit, new-version and co-producer forms share the registration form's template and styles
    paths = ["/interventions/", "/interventions/new/", f"/interventions/{made.pk}/",
             f"/interventions/{made.pk}/logic/", f"/interventions/{made.pk}/versions/2/",
             f"/interventions/{designed_intervention.pk}/trials/new/", f"/interventions/trials/{designed.pk}/power/",
             f"/interventions/trials/{designed.pk}/protocol/",
             f"/interventions/trials/{completed.pk}/allocation/", f"/interventions/trials/{completed.pk}/impact/",
             f"/interventions/impact/{run.pk}/", f"/interventions/trials/{completed.pk}/"]
    status, wide, charts, stages, menu, violations = {}, {}, {}, {}, {}, {}
    page = browser.new_page(viewport=PHONE, bypass_csp=True)  # bypass_csp only so that axe can be injected
    page.goto(f"{live_server.url}/accounts/login/")
    log_in(page, "res", "pw-res-123456")
    page.wait_for_load_state()
    for viewport in (PHONE, DESKTOP):
        page.set_viewport_size(viewport)
        width = viewport["width"]
        for path in paths:
            response = page.goto(f"{live_server.url}{path}")
            status[(width, path)] = (response.status, page.url.removeprefix(live_server.url))  # not a log-in form
            page.wait_for_function(SETTLED)  # every chart drawn (or failed) before the page's width is measured
            charts[(width, path)] = page.evaluate(CHARTS)
            wide[(width, path)] = page.evaluate(OVERFLOW)
            if path == f"/interventions/{made.pk}/":
                stages[width] = len(set(page.eval_on_selector_all(".logic-flow > li", ROW_TOPS)))
            if viewport is DESKTOP:  # the menu on one row: every entry's top within a few pixels of the first's
                tops = page.eval_on_selector_all(".nav-links > li", ROW_TOPS)
                menu[path] = max(tops) - min(tops) if tops else None
                page.add_script_tag(path=str(AXE))
                result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
                violations[path] = [f"{v['id']}: {v['nodes'][0]['target']}" for v in result["violations"]
                                    if v["impact"] in ("serious", "critical")]
            if SHOTS:
                name = path.strip("/").replace("/", "-")
                page.screenshot(path=f"{SHOTS}/{width}-{name}.png", full_page=True)
    page.close()
    if SHOTS:  # the final report too, to look at
        Path(SHOTS, "trial-report.pdf").write_bytes(reports_impact.report_pdf(user=user, trial=completed))
    assert {k: v for k, v in status.items() if v != (200, k[1])} == {}
    assert {k: v for k, v in wide.items() if v > 0} == {}
    assert {k: v for k, v in charts.items() for name, state, svg in v if state != "true" or not svg} == {}
    for width in (390, 1366):  # the power curve and the CONSORT flow drawn at both widths
        assert "power-curve" in [c[0] for c in charts[(width, f"/interventions/trials/{designed.pk}/power/")]]
        assert "consort" in [c[0] for c in charts[(width, f"/interventions/impact/{run.pk}/")]]
    assert stages == {390: 5, 1366: 1}  # stacked on the phone, one row of five on the screen
    assert {k: v for k, v in menu.items() if v is None or v >= 8} == {}
    assert {k: v for k, v in violations.items() if v} == {} and len(violations) == len(paths)
