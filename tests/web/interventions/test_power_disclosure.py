"""Issue 17 red-team findings on the power page and the CONSORT flow: library refusals in the form's words (not the
command line's), no figure about fewer than MIN_CELL students in the power defaults, and CONSORT arm counts shown
exactly (consistently in rows, chart and summary) only when every arm has >= MIN_CELL analysed students."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from django.utils import translation

from safeschool.stats.formula import ModelSpecError
from safeschool.trials import icc, power
from safeschool.vocabulary import MIN_CELL
from safeschool.web.interventions import charts_impact, power_refusals, power_web
from safeschool.web.interventions.forms_trials import PowerForm

BASE = dict(clusters=20, cluster_size=50, icc=0.2, r2_1=0, r2_2=0, r2_3=0, covariates=0, p=0.5, alpha=0.05,
            power=0.8)
BAD = [  # (how the library is called, the form field the message belongs to)
    (lambda: power.mdes("crt2", **{**BASE, "clusters": 2}), "clusters"),
    (lambda: power.mdes("crt2", **{**BASE, "covariates": 19}), "clusters"),
    (lambda: power.mdes("sw", **{**BASE, "clusters": 3, "steps": 5}), "clusters"),
    (lambda: power.mdes("crt3", **{**BASE, "icc_class": 0.9, "classes_per_school": 3}), "icc_class"),
    (lambda: power.mdes("crt3", **{**BASE, "classes_per_school": 3}), "icc_class"),
    (lambda: power.mdes("bcrt3", **{**BASE, "icc_class": 0.1, "classes_per_school": 1}), "classes_per_school"),
    (lambda: power.mdes("crt2", **{**BASE, "cluster_size": float("inf")}), "cluster_size"),
    (lambda: power.mdes("crt2", **{**BASE, "icc": 1.5}), "icc"),
    (lambda: power.mdes("crt2", **{**BASE, "p": 1.0}), "p"),
    (lambda: power.mdes("bcrt2", **{**BASE, "blocks": 0}), "blocks"),
    (lambda: power.clusters_for_mdes("crt2", 1e-9, **BASE), "target"),
    (lambda: power.power_for_effect("crt2", -1, **BASE), "effect"),
]


@pytest.mark.parametrize("call,field", BAD)
def test_every_power_refusal_is_a_sentence_on_its_field_without_the_command_line(call, field):
    labels = {k: f.label for k, f in PowerForm().fields.items()}
    with pytest.raises(power.PowerInputError) as caught:
        call()
    assert str(caught.value).startswith("--")  # the CLI keeps its wording
    assert power_refusals.power_field(caught.value) == field
    assert power_refusals.power_reason(caught.value), str(caught.value)  # the table knows this refusal
    message = power_refusals.power_message(caught.value, labels=labels)
    assert "--" not in message and "got" not in message and "J - g" not in message, message
    assert not message[0].islower() and message.endswith("."), message


def test_a_refusal_names_the_field_in_words_and_its_minimum():
    with pytest.raises(power.PowerInputError) as caught:
        power.mdes("bcrt2", **{**BASE, "blocks": 0})
    with translation.override("en"):
        message = power_refusals.power_message(caught.value, labels={"blocks": "Strata"})
    assert message == "Strata: enter a whole number of at least 1."
    with pytest.raises(power.PowerInputError) as caught:
        power.mdes("crt2", **{**BASE, "clusters": 2})
    assert "degrees of freedom" in power_refusals.power_message(caught.value) and "schools" in (
        power_refusals.power_message(caught.value))


def _frame(schools: int, per_school: int) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    n = schools * per_school
    school = np.repeat(np.arange(schools), per_school)
    return pd.DataFrame({"student_id": range(n), "school_id": school, "class_id": school * 2 + np.arange(n) % 2,
                         "country_id": "IT", "stage": "lower_secondary", "achievement": rng.normal(size=n)})


@pytest.mark.parametrize("schools,per_school,reason", [(3, 20, "schools"), (12, 4, "students")])
def test_an_icc_refusal_is_translated_by_its_reason(schools, per_school, reason):
    with pytest.raises(ModelSpecError) as caught:
        icc.estimate(_frame(schools, per_school), outcome="achievement", n_boot=0)
    assert power_refusals.icc_reason(str(caught.value)) == reason
    with translation.override("en"):
        message = power_refusals.icc_message(str(caught.value))
    assert f"fewer than {MIN_CELL}" in message and str(schools) not in message.replace(str(MIN_CELL), "")


def test_an_unknown_icc_refusal_still_reads_as_words():
    assert power_refusals.icc_message("Singular fit: lme4 --whatever") == str(power_refusals._ICC_ANY)


FOUND = {"estimate": {"icc_school": 0.2, "icc_school_ci": [0.1, 0.3], "icc_class": None, "icc_class_ci": None,
                      "r2_1": 0.0, "r2_2": 0.0, "r2_3": None, "covariates": [], "n_students": 400, "n_schools": 20,
                      "mean_school_size": 20.0, "mean_class_size": 10.0, "mean_classes_per_school": 2.0,
                      "outcome": "dropout", "base_rate": 0.08}}


@pytest.mark.parametrize("students", [1, MIN_CELL - 1])
def test_participating_schools_under_ten_students_give_no_count_and_no_cluster_size(students):
    sizes = {"schools": 1, "students": students, "classes": 1, "mean_school_size": float(students),
             "mean_class_size": float(students), "mean_classes_per_school": 1.0}
    with translation.override("en"):
        init, src = power_web.defaults(design="crt2", found=FOUND, selection="all", sizes=sizes)
    assert init["cluster_size"] == 20.0  # the network's estimate, not the small schools' mean
    assert f"fewer than {MIN_CELL} students" in src["cluster_size"] and f"{students} students" not in (
        src["cluster_size"])


def test_participating_schools_of_ten_students_give_their_mean():
    sizes = {"schools": 2, "students": MIN_CELL * 3, "classes": 3, "mean_school_size": MIN_CELL * 1.5,
             "mean_class_size": float(MIN_CELL), "mean_classes_per_school": 1.5}
    with translation.override("en"):
        init, src = power_web.defaults(design="crt2", found=FOUND, selection="all", sizes=sizes)
    assert init["cluster_size"] == MIN_CELL * 1.5 and f"{MIN_CELL * 3} students in 3 classes" in src["cluster_size"]


def test_a_base_rate_is_used_only_from_ten_students():
    with translation.override("en"):
        init, src = power_web.defaults(design="crt2", found=power_web._rate_checked(FOUND), selection="all")
        assert init["base_rate"] == 0.08 and f"at least {MIN_CELL} students" in src["base_rate"]
        few = {"estimate": {**FOUND["estimate"], "n_students": MIN_CELL - 1}}
        checked = power_web._rate_checked(few)
        init, src = power_web.defaults(design="crt2", found=checked, selection="all")
    assert checked["estimate"]["base_rate"] is None and checked["rate_hidden"]
    assert "base_rate" not in init and "8" not in src["base_rate"] and f"fewer than {MIN_CELL}" in src["base_rate"]


def _arm(assigned, analysed, clusters=(6, 5)):
    return {"clusters_assigned": clusters[0], "clusters_lost": clusters[0] - clusters[1],
            "clusters_analysed": clusters[1], "students_assigned": assigned, "students_lost": assigned - analysed,
            "students_analysed": analysed}


def test_consort_arm_counts_are_exact_and_consistent_in_rows_chart_and_summary():
    consort = {"control": _arm(50, 47), "intervention": _arm(60, 60)}
    with translation.override("en"):
        rows = charts_impact.flow_rows(consort, "school")
        spec = charts_impact.consort_chart(consort, "school")
    lost = next(r for r in rows if r["arm"] == "control" and r["stage"] == "lost")
    assert lost["students"] == "3" and "3 students" in lost["box"]  # exactly, not "fewer than 10"
    for arm, counts in consort.items():
        shown = {r["stage"]: int(r["students"]) for r in rows if r["arm"] == arm}
        assert shown == {s: counts[f"students_{s}"] for s in charts_impact.FLOW_STEPS}
        assert shown["assigned"] - shown["analysed"] == shown["lost"]
    assert "fewer than" not in str(spec) and "3 students" in spec["usermeta"]["summary"]
    assert spec["usermeta"]["table"]["rows"] == rows


def test_consort_shows_nothing_when_an_arm_has_under_ten_analysed_students():
    consort = {"control": _arm(12, MIN_CELL - 1), "intervention": _arm(60, 60)}
    assert not charts_impact.consort_shown(consort) and charts_impact.flow_rows(consort, "school") == []
    assert not charts_impact.consort_shown({"control": _arm(60, 60)})  # one arm: no comparison, no figures
    assert charts_impact.consort_shown({"control": _arm(12, MIN_CELL), "intervention": _arm(60, 60)})
