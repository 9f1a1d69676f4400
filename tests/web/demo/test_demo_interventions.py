"""The demo's interventions and trials (issue 17 §8). The seeded demo is checked by `check_demo_interventions`, which
tests/web/demo/test_demo.py calls after its one full `demo_seed` on the small test cohort (loading a cohort again
here would cost more than the check): two co-produced interventions with their sectors and links, a version 2 with
its adaptation, a registered and allocated trial without results, and a completed trial whose impact page recovers
the simulated follow-up data's known effect. The simulation itself is checked here without a database."""

from __future__ import annotations

import numpy as np
import pandas as pd
from django.test import Client
from django.urls import reverse

from safeschool.web.demo.interventions import ATTRITION, TRUE_EFFECT, follow_up
from safeschool.web.interventions.models import (
    CoProducer,
    Deviation,
    ImpactRun,
    Intervention,
    InterventionVersion,
    LogicModelItem,
    Trial,
)
from safeschool.web.research.models import Student


def check_demo_interventions(notes: list[str]) -> None:
    """Everything issue 17 §8 asks of the demo, after `demo_seed` (with the Hub and 300 members seeded first)."""
    note = next(n for n in notes if n.startswith("Interventions:"))
    assert "estimated g" in note and f"{TRUE_EFFECT:+.2f} SD" in note, note

    # two co-produced interventions: education with children's social care, and with youth justice
    mentoring, restorative = (Intervention.objects.get(name__startswith=p) for p in ("Attendance", "Restorative"))
    assert set(mentoring.coproducers.values_list("sector", flat=True)) == {"education", "social_care"}
    assert {"youth_justice", "education"} <= set(restorative.coproducers.values_list("sector", flat=True))
    assert CoProducer.objects.filter(intervention=mentoring, member__isnull=False).count() == 3
    assert CoProducer.objects.filter(member__isnull=True).count() == 2  # one organisation each
    assert all(i.why and i.procedures and i.dose and i.fidelity_planned for i in (mentoring, restorative))
    assert mentoring.fidelity_actual  # filled in once its trial was completed
    for intervention in (mentoring, restorative):
        assert LogicModelItem.objects.filter(intervention=intervention).values("stage").distinct().count() == 5
        assert intervention.programmes.exists()
    assert mentoring.practices.count() == 2 and mentoring.par_cycles.count() == 1
    version = InterventionVersion.objects.get(intervention=mentoring, number=2)
    assert "Roma" in version.context and version.changes and version.reasons
    assert version.snapshot["modifications"] and not restorative.versions.filter(number=2).exists()

    # one trial registered and allocated, no results; one completed, with a deviation
    registered, completed = Trial.objects.get(status="randomised"), Trial.objects.get(status="completed")
    assert registered.intervention == restorative and completed.intervention == mentoring
    for trial in (registered, completed):
        assert trial.protocol.locked and len(trial.protocol.content_hash) == 64
        assert trial.protocol.content["stopping_rules"] and trial.protocol.content["mdes"] > 0
        assert trial.allocation.units.count() == trial.schools.count() >= 6
        assert trial.power["result"]["mdes"] > 0 and trial.power["sources"]["icc"]
    assert registered.design == "bcrt2" and not registered.impact_runs.exists()
    assert set(registered.allocation.units.values_list("block", flat=True)) == set(
        registered.schools.values_list("country__code", flat=True))  # stratified by country
    assert completed.design == "crt3" and completed.version.number == 1
    assert completed.covariates == ["baseline", "ses_index"] and " + baseline + " in completed.analysis_model
    assert Deviation.objects.filter(protocol__trial=completed).count() == 1
    assert not Deviation.objects.filter(protocol__trial=registered).exists()

    # the follow-up file: every student of the allocated schools, about ATTRITION of them without an outcome
    run = ImpactRun.objects.get(trial=completed)
    assert run.status == "succeeded", run.error
    students = Student.objects.filter(school_class__school__in=completed.schools.all()).count()
    assert sum(arm["students_assigned"] for arm in run.consort.values()) == students
    lost = sum(arm["students_lost"] for arm in run.consort.values()) / students
    assert ATTRITION - 0.03 < lost < ATTRITION + 0.03

    # the impact recovers the true effect (Hedges' g on the total variance) within its CI, and the page shows it
    low, high = run.result["effect_size_ci"]
    assert run.result["effect_size_method"] == "hedges_g_total_variance"
    assert low < TRUE_EFFECT < high, (low, run.result["effect_size"], high)
    client = Client()
    client.force_login(completed.created_by)
    page = client.get(reverse("interventions:impact_run", args=[run.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200 and f"{run.result['effect_size']:.2f}" in page.content.decode()


def _students(schools: int = 6, classes: int = 3, per_class: int = 30, seed: int = 1) -> pd.DataFrame:
    """A baseline analysis frame: students in classes in schools, attendance and SES varying by school."""
    rng = np.random.default_rng(seed)
    rows = []
    for s in range(schools):
        level = rng.normal(0, 0.02)
        for c in range(classes):
            for i in range(per_class):
                rows.append({"student_id": f"P{s}{c}{i:03d}", "school_id": f"S{s}", "class_id": f"S{s}-C{c}",
                             "attendance_rate": min(0.99, 0.9 + level + rng.normal(0, 0.05)),
                             "ses_index": rng.normal(level * 10, 1)})
    return pd.DataFrame(rows)


def test_follow_up_data_carry_the_true_effect_on_the_total_variance_scale():
    """The same draws with and without the effect: treated students move by TRUE_EFFECT standard deviations of the
    outcome's total variance (averaged over draws of the school and class effects), the others not at all."""
    students = _students()
    arms = {f"S{s}": "intervention" if s % 2 else "control" for s in range(6)}
    ratios = []
    for seed in range(40):
        with_effect, without = (follow_up(arms, seed=seed, attrition=0.0, effect=e, students=students)
                                for e in (TRUE_EFFECT, 0.0))
        treated = with_effect.school_id.map(arms) == "intervention"
        moved = with_effect.attendance_rate - without.attendance_rate
        assert moved[~treated].abs().max() == 0
        ratios.append(moved[treated].mean() / without.attendance_rate.std())
    assert abs(np.mean(ratios) - TRUE_EFFECT) < 0.02
    assert with_effect.attendance_rate.between(0, 1).all() and list(with_effect.columns) == [
        "student_id", "school_id", "class_id", "ses_index", "baseline", "attendance_rate"]
    # the baseline is each student's attendance before allocation, the same in both arms
    merged = with_effect.merge(students[["student_id", "attendance_rate"]], on="student_id", suffixes=("", "_before"))
    assert len(merged) == len(students) and (merged.baseline == merged.attendance_rate_before.round(4)).all()


def test_follow_up_loses_about_the_attrition_share_and_only_outcomes():
    students = _students(seed=2)
    frame = follow_up({f"S{s}": "control" for s in range(6)}, seed=3, students=students)
    assert abs(frame.attendance_rate.isna().mean() - ATTRITION) < 0.03
    assert frame[["student_id", "school_id", "class_id", "ses_index"]].notna().all().all()
    assert len(frame) == len(students) and frame.student_id.is_unique
