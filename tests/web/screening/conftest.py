"""Fixtures of the screening pages (web-views): one world built once per module — the small cohort loaded, a user
per role, a published model (built directly, with a made-up evaluation: the pages are tested here, the training
elsewhere), a finished scoring run over the latest cohort with scores for every school, and a follow-up — inside
one transaction that is rolled back when the module ends, so no other test sees it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from safeschool.web.accounts.models import Role
from safeschool.web.accounts.services import user_create
from safeschool.web.research.models import School, Student
from safeschool.web.research.services import cohort_load, staff_appoint
from safeschool.web.screening.models import FollowUp, RiskModel, RiskScore, ScoringRun

PAGE_ROLES = ("anonymous", "member", "staff_a", "staff_b", "researcher", "admin")


def fake_evaluation() -> dict:
    """An evaluation shaped as safeschool.screening.evaluation.evaluate() writes it (issue 15 contract)."""
    models = []
    for name, kind, auc in [("logistic", "model", 0.81), ("abc", "baseline", 0.70),
                            ("school_only", "baseline", 0.74), ("chance", "baseline", 0.5),
                            ("oracle", "oracle", 0.89)]:
        shares = [round(0.01 * i, 2) for i in range(1, 51)]
        models.append({
            "name": name, "kind": kind, "auc": auc, "auc_ci": [auc - 0.02, auc + 0.02], "brier": 0.0812,
            "precision_at_k": 0.4, "recall_at_k": 0.38,
            "tiers": [{"tier": "low", "n": 450, "observed_rate": 0.04, "mean_predicted": 0.05},
                      {"tier": "moderate", "n": 90, "observed_rate": 0.15, "mean_predicted": 0.14},
                      {"tier": "high", "n": 7, "observed_rate": 0.43, "mean_predicted": 0.35}],  # n<10: hidden
            "calibration": [{"mean_predicted": i / 20 + 0.01, "observed_rate": i / 20 + 0.02, "n": 60 if i else 4}
                            for i in range(10)],
            "roc": [{"fpr": i / 20, "tpr": (i / 20) ** ((1 - auc) / auc)} for i in range(21)],
            "topk": [{"share": s, "precision": 0.5 - s / 2, "recall": min(1.0, s * 3)} for s in shares]})
    return {"outcome": "dropped_out", "train_cohorts": [2023, 2024], "test_cohort": 2025, "n_train": 360,
            "n_test": 180, "base_rate": 0.105, "capacity": 0.1, "k": 19, "models": models,
            "verdict": {"best_model": "logistic", "best_auc": 0.81, "school_only_auc": 0.74, "difference": 0.07,
                        "difference_ci": [0.05, 0.09], "beats_school_only": True,
                        "sentence": "The logistic model beats the school-only baseline by 0.07 AUC (0.05 to 0.09)."},
            "oracle_auc": 0.89}


FAIRNESS = [
    {"group": "gender", "value": "F", "n": 90, "selection_rate": 0.1, "fpr": 0.07, "fnr": 0.5, "precision": 0.4,
     "calibration": 0.01, "suppressed": None},
    {"group": "gender", "value": "X", "n": None, "selection_rate": None, "fpr": None, "fnr": None,
     "precision": None, "calibration": None, "suppressed": "small"},
    {"group": "stratum", "value": "gender=M, migrant_background=True, roma_minority=False, ses_band=low, sen=False",
     "n": 31, "selection_rate": 0.2, "fpr": 0.12, "fnr": None, "precision": 0.5, "calibration": -0.02,
     "suppressed": None},
]
GATE = {"passed": True, "reasons": [], "checks": [
    {"check": "fpr_ratio", "group": "gender", "value": 1.2, "limit": 1.5, "passed": True, "high": "M", "low": "F",
     "reason": None}]}


@dataclass
class Pages:
    users: dict
    school_a: School
    school_b: School
    model: RiskModel
    draft: RiskModel
    run: ScoringRun
    student_a: Student  # on school A's list
    student_b: Student  # on school B's list
    protected_student: Student  # a score whose stored domains name protected attributes (must never show)


def _model(**fields) -> RiskModel:
    values = {"name": "early-leaving", "version": 1, "outcome": "dropped_out", "algorithm": "logistic",
              "features": ["attendance_rate"], "train_cohorts": [2023, 2024], "test_cohort": 2025,
              "evaluation": fake_evaluation(), "fairness": FAIRNESS, "gate": GATE, "estimator": b"",
              "expires_on": timezone.localdate() + dt.timedelta(days=300)} | fields
    return RiskModel.objects.create(**values)


@pytest.fixture(scope="module")
def screening_pages(django_db_setup, django_db_blocker, cohort_dir, tmp_path_factory):
    home = tmp_path_factory.mktemp("screening-home")
    # what tests/conftest.py's autouse fixture sets per test, set here before the module's data is loaded
    keys = override_settings(HOME=home, PSEUDONYM_KEY="test-key-0123456789abcdef0123456789abcdef",
                             PSEUDONYM_KEY_FILE=str(home / "keys" / "pseudonym.key"))
    with keys, django_db_blocker.unblock(), transaction.atomic():
        cohort_load(directory=cohort_dir)
        schools = list(School.objects.order_by("code"))
        school_a, school_b = schools[0], schools[-1]
        users = {"member": user_create(username="m", password=None, role=Role.MEMBER),
                 "staff_a": user_create(username="sa", password=None, role=Role.STAFF),
                 "staff_b": user_create(username="sb", password=None, role=Role.STAFF),
                 "researcher": user_create(username="r", password=None, role=Role.RESEARCHER),
                 "admin": user_create(username="a", password=None, role=Role.ADMIN)}
        staff_appoint(user=users["staff_a"], school=school_a)
        staff_appoint(user=users["staff_b"], school=school_b)
        model = _model(status="published", published_at=timezone.now(), created_by=users["researcher"])
        draft = _model(version=2, created_by=users["researcher"])
        cohort = max(c for c in Student.objects.values_list("cohort", flat=True) if c is not None)
        students = list(Student.objects.filter(cohort=cohort).select_related("school_class__school")
                        .order_by("pseudonym"))
        run = ScoringRun.objects.create(model=model, cohort=cohort, status="done", started_at=timezone.now(),
                                        finished_at=timezone.now(), n_scored=len(students))
        of_a = [s for s in students if s.school_class.school_id == school_a.pk]
        of_b = [s for s in students if s.school_class.school_id == school_b.pk]
        # the highest score of each school is its first student's; the second of school A has stored domains that
        # name protected attributes (as a faulty scorer might write): a page must never show them as reasons
        order = [of_a[0], of_b[0], of_a[1]] + [s for s in students if s not in (of_a[0], of_b[0], of_a[1])]
        scores = []
        for i, s in enumerate(order):
            p = round(0.95 - 0.9 * i / len(order), 4)
            domains = ["gender", "migrant_background", "attendance"] if s == of_a[1] else ["attendance", "behaviour"]
            scores.append(RiskScore(run=run, student=s, probability=p, domains=domains,
                                    tier="high" if p > 0.8 else "moderate" if p > 0.6 else "low"))
        RiskScore.objects.bulk_create(scores)
        a = RiskScore.objects.get(run=run, student=of_a[0])
        FollowUp.objects.create(student=a.student, score=a, created_by=users["staff_a"], who_acts="Form tutor",
                                action="Weekly check-in", review_on=timezone.localdate() + dt.timedelta(days=14))
        yield Pages(users=users, school_a=school_a, school_b=school_b, model=model, draft=draft, run=run,
                    student_a=of_a[0], student_b=of_b[0], protected_student=of_a[1])
        transaction.set_rollback(True)


@pytest.fixture
def pages(screening_pages, db):
    return screening_pages


@pytest.fixture
def login(client, pages):
    def as_role(role: str):
        if role != "anonymous":
            client.force_login(pages.users[role])
        return client

    return as_role
