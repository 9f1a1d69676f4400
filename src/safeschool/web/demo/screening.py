"""The demo's early warning: a logistic model of early leaving trained on the earlier cohorts and tested on the
latest, approved by the demo researcher and administrator, published if it passes its gate (left a draft, with
the gate's reasons in the note, if not), the latest cohort scored, the demo school's capacity set and a few
follow-ups recorded by its staff. Through the same services as the pages; training and scoring run here rather
than in the worker (the same functions the background tasks call) so the demo is complete when it opens."""

from __future__ import annotations

import datetime as dt
import time

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone

from safeschool.screening.data import ScreeningDataError
from safeschool.web.research.models import School
from safeschool.web.screening import selectors, services
from safeschool.web.screening.execution import latest_cohort, model_train_execute, scoring_run_execute
from safeschool.web.screening.models import RiskModel
from safeschool.web.screening.security import norms_warm
from safeschool.web.screening.tables import database_screening_table

DEMO_CAPACITY = 0.12
DEMO_BOOTSTRAP = 100  # enough for the CI on the model page; the demo must seed in seconds
FOLLOW_UPS = (  # (who acts, action, days until the review)
    ("Class teacher", "Talk with the student about the last month; agree one thing that would help.", 14),
    ("School counsellor", "Meet the student and the family; check attendance weekly until the review.", 21),
    ("Head of year", "Pair the student with a peer mentor; ask the student how it is going.", 28),
)


def demo_screening_ensure() -> str | None:
    """Seed screening unless a risk model exists; return a note for the person running the demo (None when
    nothing was made)."""
    if RiskModel.objects.exists():
        return None
    users = {u.username: u for u in get_user_model().objects.filter(username__in=["researcher", "admin", "staff"])}
    researcher, admin, staff = users.get("researcher"), users.get("admin"), users.get("staff")
    cohort = latest_cohort()
    if researcher is None or admin is None or cohort is None:
        return None
    started = time.perf_counter()
    table = database_screening_table()  # built once for training, scoring and the norms
    try:
        model = model_train_execute(user_id=researcher.pk, outcome="dropped_out", algorithm="logistic",
                                    test_cohort=cohort, capacity=DEMO_CAPACITY, n_boot=DEMO_BOOTSTRAP, table=table)
    except (ScreeningDataError, ValueError) as exc:
        return f"Screening: no model trained ({str(exc).splitlines()[0]})."
    services.approve(model, researcher)
    services.approve(model, admin)
    figures = _figures(model)
    try:
        model = services.publish(model, admin)
    except services.PublishRefused as refused:
        return (f"Screening: trained {model} ({figures}); left as a draft, the gate refused it: "
                + " ".join(refused.reasons))
    run = services.score_all(model, admin)
    run = scoring_run_execute(run_id=run.pk, table=table)  # the queued task finds it done and returns
    norms_warm(table)
    school = _staff_school(staff)
    if school is not None:
        services.set_capacity(school, DEMO_CAPACITY, staff)
        _follow_ups(school, staff)
    return (f"Screening: published {model} ({figures}); scored {run.n_scored:,} students of the {cohort} cohort "
            f"in {time.perf_counter() - started:.1f} s.")


def _figures(model: RiskModel) -> str:
    entries = {m["name"]: m for m in model.evaluation.get("models", [])}
    mine, school_only = entries.get(model.algorithm, {}), entries.get("school_only", {})
    auc = mine.get("auc")
    base = school_only.get("auc")
    return (f"AUC {auc:.3f}" if auc is not None else "AUC —") + \
        (f" vs school-only {base:.3f}" if base is not None else "")


def _staff_school(staff) -> School | None:
    if staff is None:
        return None
    return School.objects.filter(staff_appointments__user=staff).order_by("code").first()


def _follow_ups(school: School, staff) -> None:
    screening = selectors.school_list(school, staff)
    today = timezone.localdate()
    used = set()
    for row, (who, action, days) in zip(screening.rows, FOLLOW_UPS, strict=False):
        student = selectors.student_lookup(row.pseudonym)
        suggested = [p for s in selectors.suggested_practices(row.domains) for p in s["practices"]]
        fresh = [p for p in suggested if p.pk not in used] or suggested  # a different practice for each if any
        if fresh:
            used.add(fresh[0].pk)
        try:
            services.add_follow_up(student=student, user=staff, who_acts=who, action=action,
                                   review_on=today + dt.timedelta(days=days), practice=fresh[0] if fresh else None)
        except ValidationError:
            continue
