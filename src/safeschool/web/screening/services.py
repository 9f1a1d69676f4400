"""Writes for screening: train a model (a background task), approve, publish and retire it, score the screened
cohort (a background task: a new run, never an edit), set a school's capacity, record follow-ups. Each service
checks the permission itself, whoever calls it (view, CLI, demo)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from safeschool.web.accounts.rules import is_admin, is_researcher
from safeschool.web.hub.models import Practice
from safeschool.web.research.models import School, Student
from safeschool.web.screening.execution import latest_cohort
from safeschool.web.screening.models import (
    Algorithm,
    ApprovalRole,
    FollowUp,
    FollowUpStatus,
    ModelApproval,
    ModelStatus,
    RiskModel,
    RiskOutcome,
    ScoringRun,
    SupportCapacity,
)
from safeschool.web.screening.selectors import current_model, current_run, publish_refusals
from safeschool.web.screening.tasks import score_all_task, train_model_task


class PublishRefused(Exception):
    """The model cannot be published; `reasons` lists why, one sentence each."""

    def __init__(self, reasons: list[str]):
        self.reasons = list(reasons)
        super().__init__("; ".join(self.reasons))


def _require(user, perm: str, obj=None, message: str = "") -> None:
    if not user.has_perm(perm, obj):
        raise PermissionDenied(message or _("You may not do this."))


# --- training ----------------------------------------------------------------------------------------------

def clean_training(*, outcome: str, algorithm: str, test_cohort, capacity, expires_in_days=365) -> dict:
    """Validated training parameters; ValidationError naming the field."""
    if outcome not in RiskOutcome.values:
        raise ValidationError({"outcome": _("Choose an outcome from the list.")})
    if algorithm not in Algorithm.values:
        raise ValidationError({"algorithm": _("Choose an algorithm from the list.")})
    try:
        capacity = float(capacity)
    except (TypeError, ValueError) as exc:
        raise ValidationError({"capacity": _("The capacity must be a number between 0 and 1.")}) from exc
    if not 0 < capacity <= 1:
        raise ValidationError({"capacity": _("The capacity must be more than 0 and at most 1.")})
    if test_cohort in (None, ""):
        test_cohort = latest_cohort()
    try:
        test_cohort = int(test_cohort) if test_cohort is not None else None
    except (TypeError, ValueError) as exc:
        raise ValidationError({"test_cohort": _("The test cohort must be a year.")}) from exc
    try:
        expires_in_days = int(expires_in_days)
    except (TypeError, ValueError) as exc:
        raise ValidationError({"expires_in_days": _("The lifetime must be a number of days.")}) from exc
    if not 1 <= expires_in_days <= 3 * 366:
        raise ValidationError({"expires_in_days": _("A model may live between 1 day and 3 years.")})
    return {"outcome": outcome, "algorithm": algorithm, "test_cohort": test_cohort, "capacity": capacity,
            "expires_in_days": expires_in_days}


def train_model(*, user, outcome: str = "dropped_out", algorithm: str = "logistic", test_cohort=None,
                capacity=0.10, expires_in_days=365):
    """Queue the training task once the transaction commits; returns the task's result handle (its id is what
    `selectors.training_status` reads). The task stores a draft RiskModel."""
    _require(user, "screening.train", message=_("Only researchers train risk models."))
    params = clean_training(outcome=outcome, algorithm=algorithm, test_cohort=test_cohort, capacity=capacity,
                            expires_in_days=expires_in_days)
    return train_model_task.enqueue(user_id=user.pk, **params)


# --- governance --------------------------------------------------------------------------------------------

def _approval_role(user) -> str:
    if is_researcher(user):
        return ApprovalRole.RESEARCHER
    if is_admin(user):
        return ApprovalRole.ADMINISTRATOR
    raise PermissionDenied(_("Only a researcher and an administrator approve a risk model."))


def approve(model: RiskModel, user) -> ModelApproval:
    """Record the user's approval in their role (researcher or administrator); the two approvals must come from
    two different people; the model's creator may give the researcher's approval."""
    _require(user, "screening.approve", model, _("Only a researcher and an administrator approve a risk model."))
    role = _approval_role(user)
    with transaction.atomic():
        model = RiskModel.objects.select_for_update().get(pk=model.pk)
        if model.status != ModelStatus.DRAFT:
            raise ValidationError(_("Only a draft model can be approved."))
        approvals = {a.role: a for a in model.approvals.all()}
        if role in approvals:
            raise ValidationError(_("This model already has the %(role)s's approval.")
                                  % {"role": ApprovalRole(role).label})
        if any(a.user_id == user.pk for a in approvals.values()):
            raise ValidationError(_("The researcher and the administrator must be two different people."))
        try:
            with transaction.atomic():
                return ModelApproval.objects.create(model=model, user=user, role=role)
        except IntegrityError as exc:  # a concurrent approval won the race
            raise ValidationError(_("This model was approved in this role meanwhile.")) from exc


def publish(model: RiskModel, user) -> RiskModel:
    """Publish the model to schools: it needs both approvals, a passed gate and no expiry. Retires the previously
    published model of the outcome in the same transaction. Raises PublishRefused(reasons) otherwise."""
    _require(user, "screening.publish", model, _("Only researchers and administrators publish risk models."))
    try:
        with transaction.atomic():
            model = RiskModel.objects.select_for_update().get(pk=model.pk)
            reasons = publish_refusals(model)
            if reasons:
                raise PublishRefused(reasons)
            RiskModel.objects.filter(outcome=model.outcome, status=ModelStatus.PUBLISHED).exclude(pk=model.pk) \
                .update(status=ModelStatus.RETIRED)
            model.status = ModelStatus.PUBLISHED
            model.published_at = timezone.now()
            model.full_clean()
            model.save(update_fields=["status", "published_at"])
    except IntegrityError as exc:  # another model of the outcome was published concurrently (one per outcome)
        raise ValidationError(_("Another model of this outcome was published meanwhile; reload and try again.")) \
            from exc
    return model


def retire(model: RiskModel, user) -> RiskModel:
    """Withdraw a draft or published model: its scores stop reaching schools at once."""
    _require(user, "screening.retire", model, _("Only researchers and administrators retire risk models."))
    with transaction.atomic():
        model = RiskModel.objects.select_for_update().get(pk=model.pk)
        if model.status == ModelStatus.RETIRED:
            raise ValidationError(_("This model is retired already."))
        model.status = ModelStatus.RETIRED
        model.save(update_fields=["status"])
    return model


def score_all(model: RiskModel, user) -> ScoringRun:
    """A new scoring run of the latest cohort with the published model, queued; rows are inserted by the task,
    never updated (a recompute is another run)."""
    _require(user, "screening.score", model, _("Only researchers and administrators score students."))
    model = RiskModel.objects.get(pk=model.pk)  # its status now, not as the caller last read it
    if model.status != ModelStatus.PUBLISHED:
        raise ValidationError(_("Only a published model scores students."))
    if model.expired:
        raise ValidationError(_("This model has expired: train and publish a new one."))
    with transaction.atomic():
        run = ScoringRun.objects.create(model=model, cohort=latest_cohort(), created_by=user)
        transaction.on_commit(lambda: _enqueue_scoring(run.pk))
    return run


def _enqueue_scoring(run_id: int) -> None:
    result = score_all_task.enqueue(run_id)
    ScoringRun.objects.filter(pk=run_id, task_id="").update(task_id=str(result.id)[:64])


# --- schools -----------------------------------------------------------------------------------------------

def set_capacity(school: School, share, user) -> SupportCapacity:
    """The share of its scored students a school can support (0 < share ≤ 1): its list holds ceil(share × n)."""
    _require(user, "screening.edit_capacity", school, _("Only this school's staff set its capacity."))
    try:
        share = float(share)
    except (TypeError, ValueError) as exc:
        raise ValidationError({"share": _("The capacity must be a share between 0 and 1.")}) from exc
    if not 0 < share <= 1:
        raise ValidationError({"share": _("The capacity must be more than 0 and at most 1 (e.g. 0.10 for 10%).")})
    capacity, _created = SupportCapacity.objects.update_or_create(
        school=school, defaults={"share": share, "updated_by": user})
    return capacity


def add_follow_up(*, student: Student, user, who_acts: str, action: str, review_on: dt.date,
                  practice: Practice | None = None, note: str = "") -> FollowUp:
    """Record what staff of the student's school decided to do, linked to the student's current score."""
    _require(user, "screening.add_follow_up", student, _("Only staff of the student's school record follow-ups."))
    if practice is not None and practice.status != Practice.Status.ACCEPTED:
        raise ValidationError({"practice": _("Choose an accepted Hub practice.")})
    run = current_run(current_model())
    score = run.scores.filter(student=student).first() if run else None
    follow_up = FollowUp(student=student, score=score, created_by=user, who_acts=(who_acts or "").strip(),
                         action=(action or "").strip(), practice=practice, review_on=review_on,
                         note=(note or "").strip())
    follow_up.full_clean()
    follow_up.save()
    return follow_up


def close_follow_up(*, follow_up: FollowUp, user, note: str = "") -> FollowUp:
    """Mark a follow-up done (staff of the student's school only), optionally adding to its note."""
    _require(user, "screening.add_follow_up", follow_up.student,
             _("Only staff of the student's school record follow-ups."))
    if follow_up.status == FollowUpStatus.DONE:
        raise ValidationError(_("This follow-up is done already."))
    follow_up.status = FollowUpStatus.DONE
    follow_up.closed_at = timezone.now()
    if note and note.strip():
        follow_up.note = f"{follow_up.note}\n{note.strip()}".strip()
    follow_up.full_clean()
    follow_up.save(update_fields=["status", "closed_at", "note"])
    return follow_up
