"""Impact analyses on the web: a simulated trial's follow-up file (trials.simulate) joined to the allocation recovers
the known effect within its CI; an arm under 10 analysed students shows no figures; a hostile, huge, malformed or
foreign file is a one-line form error and nothing is stored; the final report's PDF has the deviations, the
allocation audit, the CONSORT flow and the results."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from fpdf import FPDF

from safeschool.csvsafe import frame_to_csv
from safeschool.trials.simulate import simulate_trial
from safeschool.web.accounts.models import Role
from safeschool.web.accounts.services import user_create
from safeschool.web.interventions import reports_impact, selectors_impact, services_allocation
from safeschool.web.interventions.execution_impact import impact_run_execute
from safeschool.web.interventions.models import Deviation, ImpactRun, Intervention, Protocol, Trial
from safeschool.web.research.models import Country, School, SchoolClass

SEED = 20261129
EFFECT = 0.5


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """Uploaded follow-up files under the test's own folder (MEDIA_ROOT is fixed when settings load)."""
    settings.MEDIA_ROOT = tmp_path / "media"


def _csv(frame) -> bytes:
    return frame_to_csv(frame, index=False).encode()


@pytest.fixture(scope="module")
def simulated():
    return simulate_trial("crt2", schools=16, classes_per_school=2, students_per_class=15, icc_school=0.05,
                          effect=EFFECT, attrition=0.1, seed=SEED)


@pytest.fixture
def world(db, simulated):
    """Sixteen schools in two blocks (countries B1, B2, as the simulation blocks them), a locked trial allocated from
    the simulation's seed, so the allocation gives the arms the simulated outcomes were drawn with."""
    researcher = user_create(username="r", password="pw-123456789", role=Role.RESEARCHER)
    member = user_create(username="m", password="pw-123456789", role=Role.MEMBER)
    blocks = {c: Country.objects.create(code=c, name=c, tracking_age=14, grade_repetition_pct=3, esl_rate_pct=10,
                                        esl_support=True, inclusion_index=0.5) for c in ("B1", "B2")}
    schools = [School.objects.create(code=f"S{i + 1:03d}", name=f"School {i + 1}", country=blocks["B1" if i < 8 else "B2"],
                                     stage="lower_secondary", context="urban", ses_composition=0)
               for i in range(16)]
    intervention = Intervention.objects.create(name="Reading together", why="Attainment")
    trial = Trial.objects.create(intervention=intervention, title="Reading trial", design="crt2", unit="school",
                                 block_by="country", primary_outcome="achievement", status="registered",
                                 analysis_model="y ~ treat + baseline + (1|school_id)")
    trial.schools.add(*schools)
    protocol = Protocol.objects.create(trial=trial, content={"design": "crt2"})
    Protocol.objects.filter(pk=protocol.pk).update(locked_at=timezone.now(), content_hash="c" * 64)
    allocation = services_allocation.allocation_run(trial=trial, user=researcher, seed=SEED)
    arms = {u.school.code: u.arm for u in allocation.units.select_related("school")}
    truth = simulated.groupby("school_id").treat.first()
    assert all((arms[s] == "intervention") == bool(t) for s, t in truth.items())  # the same allocation
    trial.refresh_from_db()
    return {"trial": trial, "researcher": researcher, "member": member}


def _upload(client, trial, content: bytes, name="follow-up.csv", outcome="achievement"):
    return client.post(reverse("interventions:impact", args=[trial.pk]),
                       {"data": SimpleUploadedFile(name, content), "outcome": outcome})


def _run(client, world, frame):
    client.force_login(world["researcher"])
    response = _upload(client, world["trial"], _csv(frame))
    assert response.status_code == 302, response.content.decode()[-2000:]
    run = ImpactRun.objects.get()
    assert run.status == "queued"
    return impact_run_execute(run_id=run.pk)


def test_the_known_effect_is_recovered_within_its_ci(client, world, simulated):
    run = _run(client, world, simulated.drop(columns=["treat"]))
    assert run.status == "succeeded", run.error
    r = run.result
    assert r["ci"][0] < EFFECT < r["ci"][1] and r["ci"][0] > 0  # the effect is there and its size is covered
    assert r["effect_size_ci"][0] < simulated.attrs["effect_size"] < r["effect_size_ci"][1]
    assert r["effect_size_method"] == "hedges_g_total_variance" and r["months_progress"] is not None
    # g's denominator: the total variance of the model without the baseline (EEF), fitted on the same students
    assert r["variance_formula"] == "y ~ treat + (1|school_id)"
    total = sum(c["variance"] for c in r["variance_components"])
    assert total > sum(c["variance"] for c in r["variance_components_adjusted"])
    assert abs(r["effect_size"] - r["estimate"] / total ** 0.5 * (1 - 3 / (4 * r["n"] - 9))) < 1e-9
    assert r["provenance"]["rows"] == len(simulated) and len(r["provenance"]["sha256"]) == 64
    flow = run.consort
    assert sum(a["students_assigned"] for a in flow.values()) == len(simulated)
    assert sum(a["students_analysed"] for a in flow.values()) == int(simulated.y.notna().sum()) == r["n"]
    assert {a["clusters_assigned"] for a in flow.values()} == {8}
    assert run.attrition["boundary_used"] == "cautious"
    assert run.attrition["students"]["boundary"]["cautious"] in ("low", "high")
    page = client.get(reverse("interventions:impact_run", args=[run.pk])).content.decode()
    assert 'data-figure="estimate"' in page and 'data-chart="consort"' in page and "cautious" in page
    assert r["provenance"]["sha256"] in page
    client.force_login(world["member"])  # everyone signed in reads the result, without the unit list
    assert 'data-figure="effect-size"' in client.get(reverse("interventions:impact_run", args=[run.pk])).content.decode()


def test_an_arm_under_ten_analysed_students_shows_no_figures(client, world, simulated):
    frame = simulated.drop(columns=["treat"]).copy()
    treated = simulated.index[simulated.treat == 1]
    frame.loc[treated[9:], "y"] = float("nan")  # 9 treated students left with an outcome
    run = _run(client, world, frame)
    assert run.status == "failed" and "fewer than 10" in run.error and run.result is None
    page = client.get(reverse("interventions:impact_run", args=[run.pk])).content.decode()
    assert 'data-figure="estimate"' not in page and 'data-chart="consort"' not in page
    # a stored result with a small arm is not shown either
    ImpactRun.objects.filter(pk=run.pk).update(status="succeeded", error="", result={"estimate": 1.0},
                                               consort={"control": {"students_analysed": 100},
                                                        "intervention": {"students_analysed": 9}})
    run.refresh_from_db()
    assert not selectors_impact.shown(run)
    assert 'data-figure="estimate"' not in client.get(reverse("interventions:impact_run", args=[run.pk])).content.decode()


def _hostile(simulated):
    good = simulated.drop(columns=["treat"])
    words = good.copy().astype({"y": object})
    words.loc[3, "y"] = "high"
    foreign = good.copy()
    foreign.loc[:2, "school_id"] = "S099"
    armed = simulated.copy()
    return {
        "wrong columns": (_csv(good.drop(columns=["y"])), "follow-up.csv", "lacks the columns"),
        "not csv": (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40, "follow-up.csv", "cannot be read"),
        "not a table type": (b"MZ\x90\x00" * 100, "follow-up.exe", ".csv or .parquet"),
        "broken parquet": (b"PAR1" + b"\x00" * 500 + b"PAR1", "follow-up.parquet", "cannot be read"),
        # a formula cell is refused whichever writer made the file (csvsafe would have quoted it)
        "formula cell": ((b"student_id,school_id,class_id,baseline,y\n"
                          b'"=HYPERLINK(""http://evil.example"",""x"")",S001,S001-C1,0.1,0.5\n'),
                         "follow-up.csv", "spreadsheet formula"),
        "words for numbers": (_csv(words), "follow-up.csv", "not a number"),
        "schools not allocated": (_csv(foreign), "follow-up.csv", "3 rows name schools not in the allocation"),
        "arm in the file": (_csv(armed), "follow-up.csv", "the arm comes from the allocation"),
        "empty": (b"", "follow-up.csv", "empty"),
    }


@pytest.mark.parametrize("case", ["wrong columns", "not csv", "not a table type", "broken parquet", "formula cell",
                                  "words for numbers", "schools not allocated", "arm in the file", "empty"])
def test_hostile_files_are_a_form_error_and_nothing_is_stored(client, world, simulated, settings, case):
    content, name, message = _hostile(simulated)[case]
    client.force_login(world["researcher"])
    response = _upload(client, world["trial"], content, name=name)
    assert response.status_code == 400
    page = response.content.decode()
    assert 'class="error"' in page and message in page
    assert not ImpactRun.objects.exists()
    assert not (settings.MEDIA_ROOT / "trials").exists()


def test_a_file_over_the_upload_limit_is_refused_while_it_streams(client, world, settings):
    settings.MAX_UPLOAD_MB = 10
    client.force_login(world["researcher"])
    response = _upload(client, world["trial"], b"1," * (10 * 1024 * 1024))  # 20 MB
    assert response.status_code == 400 and "upload limit" in response.content.decode()
    assert not ImpactRun.objects.exists() and not (settings.MEDIA_ROOT / "trials").exists()


def test_roles_ids_and_completion(client, world, simulated, django_capture_on_commit_callbacks):
    trial = world["trial"]
    client.force_login(world["member"])
    assert "Upload and analyse" not in client.get(reverse("interventions:impact", args=[trial.pk])).content.decode()
    client.force_login(world["researcher"])  # the upload form says which columns the file needs
    page = client.get(reverse("interventions:impact", args=[trial.pk])).content.decode()
    assert 'data-columns="student_id,school_id,y,baseline"' in page
    client.force_login(world["member"])
    assert _upload(client, trial, _csv(simulated.drop(columns=["treat"]))).status_code == 403
    assert client.get(reverse("interventions:impact_run", args=[999999])).status_code == 404
    assert client.get("/interventions/impact/abc/").status_code == 404
    assert client.get(reverse("interventions:impact", args=[999999])).status_code == 404
    complete = reverse("interventions:trial_complete", args=[trial.pk])
    assert client.post(complete, {"confirm": "on"}).status_code == 403
    client.force_login(world["researcher"])
    assert client.post(complete, {"confirm": "on"}).status_code == 400  # no succeeded run yet
    with django_capture_on_commit_callbacks(execute=True):  # queued once the upload commits
        assert _upload(client, trial, _csv(simulated.drop(columns=["treat"]))).status_code == 302
    call_command("db_worker", batch=True, reload=False, startup_delay=False, verbosity=0)  # the real worker
    assert ImpactRun.objects.get().status == "succeeded"
    assert client.post(complete, {"confirm": "on"}).status_code == 302
    trial.refresh_from_db()
    assert trial.status == "completed"
    assert _upload(client, trial, _csv(simulated.drop(columns=["treat"]))).status_code == 400  # completed: closed


def test_panels_and_the_final_report(client, world, simulated, monkeypatch):
    trial = world["trial"]
    deviation = Deviation.objects.create(protocol=trial.protocol, field="covariates", change="baseline added",
                                         reason="advice of the steering group", recorded_by=world["researcher"])
    run = _run(client, world, simulated.drop(columns=["treat"]))
    panels = selectors_impact.trial_panels(user=world["member"], trial=trial)
    assert panels["allocation"]["counts"] == {"control": 8, "intervention": 8}
    assert panels["runs"][0]["shown"] and not panels["can_run_impact"]
    html = render_to_string("interventions/_trial_allocation.html", {"panels": panels}) + render_to_string(
        "interventions/_trial_impact.html", {"panels": panels})
    assert reverse("interventions:impact_run", args=[run.pk]) in html and "S001" not in html
    written = []
    for method in ("multi_cell", "cell"):
        original = getattr(FPDF, method)

        def spy(self, *args, _original=original, **kwargs):
            written.append(str(kwargs.get("text", args[2] if len(args) > 2 else "")))
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(FPDF, method, spy)
    response = client.get(reverse("interventions:trial_report_pdf", args=[trial.pk]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    text = "\n".join(written)
    for expected in (deviation.reason, "baseline added", "c" * 64, str(trial.allocation.seed), "Participant flow",
                     "Lost to follow-up", "Hedges' g on the total variance", "Reproduced from the seed"):
        assert expected in text, expected
    written.clear()
    reports_impact.report_pdf(user=world["member"], trial=trial)  # the seed would give every arm away
    assert str(trial.allocation.seed) not in "\n".join(written) and deviation.reason in "\n".join(written)
    pdf = reports_impact.report_document(user=world["member"], trial=trial)
    assert pdf.title == "Trial report: Reading trial" and pdf.lang == "en"


def test_a_binary_outcome_is_fitted_by_the_logistic_model_with_the_cox_index(client, world):
    trial = world["trial"]
    Trial.objects.filter(pk=trial.pk).update(secondary_outcomes=["exclusion"], covariates=["baseline"])
    trial.refresh_from_db()
    data = simulate_trial("crt2", schools=16, classes_per_school=2, students_per_class=15, icc_school=0.05,
                          effect=-0.8, seed=SEED, binary=True).drop(columns=["treat"]).rename(columns={"y": "excluded"})
    client.force_login(world["researcher"])
    response = _upload(client, trial, _csv(data), outcome="exclusion")
    assert response.status_code == 302, response.content.decode()[-1500:]
    run = impact_run_execute(run_id=ImpactRun.objects.get().pk)
    assert run.status == "succeeded", run.error
    assert run.family == "binomial" and run.formula == "excluded ~ treat + baseline + (1|school_id)"
    r = run.result
    assert r["effect_size_method"] == "cox_index" and r["months_progress"] is None
    assert r["ci"][0] < -0.8 < r["ci"][1]  # the log odds ratio
    assert abs(r["effect_size"] - r["estimate"] / 1.65 * (1 - 3 / (4 * r["n"] - 9))) < 1e-9
    words = data.astype({"excluded": object})
    words.loc[0, "excluded"] = 2  # not 0/1
    assert "binary" in _upload(client, trial, _csv(words), outcome="exclusion").content.decode()


def _designed(design: str, researcher) -> Trial:
    """A locked and allocated trial of another design over the world's first 8 schools (4 classes each for
    classes randomised within schools)."""
    schools = list(School.objects.order_by("code")[:8])
    if design == "bcrt3":
        for s in schools:
            SchoolClass.objects.bulk_create([SchoolClass(code=f"{s.code}-K{k}", school=s, grade=7) for k in range(4)])
    model = {"bcrt3": "y ~ treat + baseline + (1|school_id/class_id)",
             "sw": "y ~ treat + baseline + C(period) + (1|school_id)"}[design]
    trial = Trial.objects.create(intervention=Intervention.objects.get(), title=design, design=design,
                                 unit="class" if design == "bcrt3" else "school", primary_outcome="achievement",
                                 status="registered", analysis_model=model, steps=3 if design == "sw" else None)
    trial.schools.add(*schools)
    protocol = Protocol.objects.create(trial=trial, content={"design": design})
    Protocol.objects.filter(pk=protocol.pk).update(locked_at=timezone.now(), content_hash="e" * 64)
    services_allocation.allocation_run(trial=trial, user=researcher, seed=SEED)
    trial.refresh_from_db()
    return trial


@pytest.mark.parametrize("design", ["bcrt3", "sw"])
def test_classes_within_schools_and_stepped_wedge_take_the_arm_from_the_allocation(client, world, design):
    trial = _designed(design, world["researcher"])
    units = {(u.school_class.code if u.school_class_id else u.school.code): u for u in
             trial.allocation.units.select_related("school", "school_class")}
    rng = np.random.default_rng(1)
    rows = []
    for code, unit in units.items():
        for period in range(4) if design == "sw" else [None]:
            exposed = int(period >= unit.step) if design == "sw" else int(unit.arm == "intervention")
            for i in range(12):
                baseline = rng.normal()
                rows.append({"student_id": f"{code}-{period}-{i}", "school_id": unit.school.code,
                             "class_id": code if unit.school_class_id else f"{code}-C1", "baseline": baseline,
                             **({"period": period} if design == "sw" else {}),
                             "y": EFFECT * exposed + 0.5 * baseline + rng.normal(0, 0.8)})
    frame = pd.DataFrame(rows)
    client.force_login(world["researcher"])
    response = _upload(client, trial, _csv(frame))
    assert response.status_code == 302, response.content.decode()[-1500:]
    run = impact_run_execute(run_id=ImpactRun.objects.get(trial=trial).pk)
    assert run.status == "succeeded", run.error
    assert run.result["ci"][0] < EFFECT < run.result["ci"][1] and run.result["ci"][0] > 0
    # the baseline leaves g's variance model, the design's periods stay in it
    assert run.result["variance_formula"] == {"bcrt3": "y ~ treat + (1|school_id/class_id)",
                                              "sw": "y ~ treat + C(period) + (1|school_id)"}[design]
    if design == "bcrt3":  # a class outside the allocation is refused by its code
        frame.loc[:4, "class_id"] = "S001-K9"
        assert "5 rows name classes not in the allocation" in _upload(client, trial, _csv(frame)).content.decode()
