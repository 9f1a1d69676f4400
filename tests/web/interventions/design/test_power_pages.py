"""The power page: its defaults come from the network's own data — the ICC shown is trials.icc.estimate on the same
analysis frame, the cluster size the participating schools' mean — the result and the chart of the MDES over
ICCs, binary outcomes in percentage points and odds ratios, PowerInputError on the form, and saving."""

from __future__ import annotations

from design_world import make_trial
from django.urls import reverse

from safeschool.trials import icc
from safeschool.web.core import formatting
from safeschool.web.interventions import power_web, selectors_trials
from safeschool.web.interventions.models import Deviation, Trial
from safeschool.web.research.models import Student
from safeschool.web.research.selectors import analysis_frame


def test_the_defaults_are_estimated_from_the_data(as_role, world):
    trial = make_trial(world, schools=12)
    page = as_role("member").get(reverse("interventions:trial_power", args=[trial.pk]))
    assert page.status_code == 200
    est = icc.estimate(analysis_frame(wave=1), outcome="achievement", covariates=["ses_index"],
                       n_boot=power_web.N_BOOT, seed=0)
    html = page.content.decode()
    assert page.context["form"].initial["icc"] == round(est["icc_school"], 3)
    d = 2 if est["icc_school"] >= 0.095 else 3
    sentence = (f"ICC {formatting.number(est['icc_school'], d)} (95\N{NO-BREAK SPACE}% CI "
                f"{formatting.number(est['icc_school_ci'][0], d)}–{formatting.number(est['icc_school_ci'][1], d)}), "
                f"estimated from {formatting.count(est['n_students'])} students in {est['n_schools']} schools")
    assert sentence in html
    students = Student.objects.filter(school_class__school__in=trial.schools.all()).count()
    assert page.context["form"].initial["cluster_size"] == round(students / 12, 1)
    assert page.context["form"].initial["r2_1"] == round(est["r2_1"], 3)
    assert 'data-chart="power-curve"' in html and "How the MDES changes with the ICC" in html
    shown = page.context["calculation"]
    assert f'value="{round(est["icc_school"], 3)}"' in html and shown["result"]["clusters"] == 12


def test_the_calculator_binary_outcome_and_errors(as_role, world):
    c = as_role("staff_other")
    page = c.get(reverse("interventions:power"), {"outcome": "exclusion", "design": "crt2"})
    assert page.status_code == 200 and "data-binary" in page.content.decode()
    b = page.context["calculation"]["binary"]
    assert b["difference"] > 0 and "percentage points" in page.content.decode()
    assert b["method"] == "arcsine" and "Cohen" in page.content.decode()
    data = {"design": "crt3", "solve": "mdes", "clusters": 20, "classes_per_school": 2, "cluster_size": 20,
            "icc": 0.6, "icc_class": 0.5, "r2_1": 0, "r2_2": 0, "r2_3": 0, "covariates": 0, "p": 0.5,
            "alpha": 0.05, "power": 0.8}
    r = c.post(reverse("interventions:power"), data)
    assert r.status_code == 400 and "icc_class" in r.context["form"].errors
    r = c.post(reverse("interventions:power"), {**data, "icc": 0.1, "icc_class": 0.05, "solve": "clusters",
                                                "target": 0.25})
    assert r.status_code == 200 and r.context["calculation"]["result"]["mdes"] <= 0.25
    assert "Schools needed" in r.content.decode()
    r = c.post(reverse("interventions:power"), {**data, "icc": "x"})
    assert r.status_code == 400 and "icc" in r.context["form"].errors
    # what a design needs and the form left empty: a field error in words, not the command line's option
    for design, field, words in (("sw", "steps", "number of steps"), ("bcrt2", "blocks", "number of strata"),
                                 ("bcrt3", "icc_class", "between-class ICC")):
        r = c.post(reverse("interventions:power"), {**data, "icc": 0.1, "design": design, "icc_class": ""})
        assert r.status_code == 400 and words in " ".join(r.context["form"].errors[field]), design
        assert "--" not in " ".join(e for errors in r.context["form"].errors.values() for e in errors)


def test_saving_is_for_researchers_and_stores_inputs_sources_and_result(as_role, world):
    trial = make_trial(world, schools=12)
    url = reverse("interventions:trial_power", args=[trial.pk])
    initial = as_role("researcher").get(url).context["form"].initial
    data = {k: v for k, v in initial.items() if v is not None}
    assert as_role("member").post(url, {**data, "save": "1"}).status_code == 403
    assert Trial.objects.get(pk=trial.pk).power == {}
    assert as_role("researcher").post(url, {**data, "alpha": 0.01, "save": "1"}).status_code == 302
    saved = Trial.objects.get(pk=trial.pk).power
    assert saved["inputs"]["alpha"] == 0.01 and saved["sources"]["alpha"] == "entered on the power page"
    assert saved["sources"]["icc"].startswith("ICC ") and saved["result"]["mdes"] > 0
    assert saved["estimate"]["n_schools"] == 12


def test_saving_after_the_lock_needs_a_reason_and_is_a_deviation(as_role, world):
    trial = make_trial(world, schools=12, lock=True)
    url = reverse("interventions:trial_power", args=[trial.pk])
    c = as_role("researcher")
    data = {k: v for k, v in c.get(url).context["form"].initial.items() if v is not None}
    r = c.post(url, {**data, "save": "1"})
    assert r.status_code == 400 and "reason" in r.context["form"].errors and not Deviation.objects.exists()
    assert c.post(url, {**data, "save": "1", "reason": "More schools joined"}).status_code == 302
    assert list(Deviation.objects.values_list("field", flat=True)) == ["power"]


def test_without_data_the_page_says_so_and_starts_from_a_typical_icc(as_role, world, monkeypatch):
    def no_outcomes(*, wave=1):
        raise ValueError("wave 1 has no outcomes (waves present: )")

    monkeypatch.setattr(selectors_trials, "frame", no_outcomes)
    page = as_role("member").get(reverse("interventions:power"), {"outcome": "belonging", "design": "crt2"})
    html = page.content.decode()
    assert page.status_code == 200 and "data-no-estimate" in html and "The network has no outcome data yet." in html
    assert page.context["form"].initial["icc"] == power_web.TYPICAL_ICC[0] and page.context["calculation"]


def test_the_baseline_r2_comes_from_the_last_wave_with_the_first_as_its_baseline(as_role, world):
    trial = make_trial(world, schools=12)
    Trial.objects.filter(pk=trial.pk).update(covariates=["baseline"],
                                             analysis_model="achievement ~ treat + baseline + (1|school_id)")
    page = as_role("member").get(reverse("interventions:trial_power", args=[trial.pk]))
    assert page.status_code == 200
    baseline = analysis_frame(wave=1)[["student_id", "achievement"]].rename(columns={"achievement": "baseline"})
    est = icc.estimate(analysis_frame(wave=2).merge(baseline, on="student_id", how="left"), outcome="achievement",
                       covariates=["baseline"], n_boot=power_web.N_BOOT, seed=0)
    assert est["r2_3"] > 0.3  # the pre-test explains much of the schools' differences
    initial, sources = page.context["form"].initial, page.context["sources"]
    assert initial["icc"] == round(est["icc_school"], 3)
    assert initial["r2_1"] == round(est["r2_1"], 3) and initial["r2_2"] == round(est["r2_3"], 3)  # crt2: school
    assert sources["r2_2"].startswith(
        f"R² {formatting.number(est['r2_3'], 2)} at school level from the baseline, estimated from "
        f"{formatting.count(est['n_students'])} students in 12 schools")
    assert sources["r2_2"].endswith("the outcome at wave 2 with that at wave 1 as the baseline")
    assert sources["r2_2"] in page.content.decode() and sources["icc"].endswith("wave 2")


def test_with_one_wave_the_baseline_r2_is_zero_and_the_page_says_why(as_role, world, monkeypatch):
    real = selectors_trials.cohort_tables

    def one_wave():
        tables = real()
        tables["outcomes"] = tables["outcomes"][tables["outcomes"].wave == 1]
        return tables

    monkeypatch.setattr(selectors_trials, "cohort_tables", one_wave)
    page = as_role("member").get(reverse("interventions:power"), {"outcome": "achievement", "design": "crt3",
                                                                   "covariates": ["baseline"]})
    initial, sources = page.context["form"].initial, page.context["sources"]
    assert page.status_code == 200 and page.context["estimate"]["covariates"] == []
    assert initial["r2_1"] == initial["r2_2"] == initial["r2_3"] == 0
    assert sources["r2_3"] == ("no covariates chosen. The baseline's R² cannot be estimated here (the network's "
                               "data have a single wave): it counts as 0; enter it if you know it")
