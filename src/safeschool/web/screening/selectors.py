"""Reads for screening pages. Visibility is decided here as well as in the views: staff see only the schools they
hold an appointment at, researchers every school, everyone else none; a student's screen and scores only for
staff of that student's school and researchers; and no score from a model that is not published or has expired.

The counsellor's list fits capacity: each school's top k students by probability, k = ceil(share × scored
students of the school), share from the school's SupportCapacity (DEFAULT_SHARE otherwise).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django_tasks.exceptions import TaskResultDoesNotExist, TaskResultMismatch

from safeschool.web.accounts.rules import is_researcher, is_school_staff
from safeschool.web.hub.models import Practice
from safeschool.web.research.models import School, Student
from safeschool.web.screening.models import (
    ApprovalRole,
    Domain,
    FollowUp,
    FollowUpStatus,
    ModelApproval,
    ModelStatus,
    RiskModel,
    RiskScore,
    RunStatus,
    ScoringRun,
    SupportCapacity,
)
from safeschool.web.screening.security import security_flags, security_overview, student_security  # noqa: F401
from safeschool.web.screening.tasks import train_model_task

DEFAULT_SHARE = 0.10

# Hub practices suggested for each domain, matched by words in a practice's title or summary (English, the
# language practices are reviewed in; case-insensitive). Only accepted practices are suggested. The mapping:
#   attendance  - attendance, absence, check-in, punctuality, family contact ("parent", "family")
#   behaviour   - behaviour, restorative work, calm/conflict/de-escalation, alternatives to exclusion
#   achievement - tutoring, mentoring, reading, homework, learning support
#   security    - secure relationships with adults: check-in, key adult, teacher tandem, relationship, attachment
#   belonging   - peers and participation: peer, belonging, council, club, transition, community
PRACTICE_WORDS: dict[str, tuple[str, ...]] = {
    "attendance": ("attendance", "absence", "absent", "check-in", "punctual", "parent", "family"),
    "behaviour": ("behaviour", "behavior", "restorative", "calm", "conflict", "de-escalat", "exclusion"),
    "achievement": ("tutor", "mentor", "reading", "homework", "learning support", "achievement"),
    "security": ("check-in", "key adult", "tandem", "relationship", "attachment", "secure", "trust"),
    "belonging": ("peer", "belonging", "council", "club", "transition", "community", "buddies"),
}
PRACTICES_PER_DOMAIN = 3


@dataclass
class ScreeningRow:
    student_id: int
    pseudonym: str
    probability: float
    score_0_100: int
    tier: str
    domains: list[str]
    follow_up: str | None  # the status of the student's latest follow-up ("open", "done"), None when none

    @property
    def short(self) -> str:
        return self.pseudonym[:8]


@dataclass
class ScreeningList:
    """A school's counsellor's list: the top k of its scored students, with the capacity behind k."""

    school: School
    model: RiskModel | None
    run: ScoringRun | None
    rows: list[ScreeningRow] = field(default_factory=list)
    k: int = 0
    share: float = DEFAULT_SHARE
    capacity_set: bool = False  # False: the default share applies
    n_scored: int = 0
    flags: list[dict] = field(default_factory=list)  # the security screen's flags for the school's students


@dataclass
class StudentScreen:
    student: Student
    school: School
    model: RiskModel | None
    score: RiskScore | None
    in_list: bool  # among the school's top k
    domains: list[str]
    practices: list[dict]
    security: list[dict]
    follow_ups: list[FollowUp]


# --- who sees what -------------------------------------------------------------------------------------------

def visible_schools(user) -> QuerySet[School]:
    if is_researcher(user):
        return School.objects.all()
    if is_school_staff(user):
        return School.objects.filter(staff_appointments__user=user).distinct()
    return School.objects.none()


def can_view_school(user, school: School) -> bool:
    return visible_schools(user).filter(pk=school.pk).exists()


def _require_school(user, school: School) -> None:
    if not can_view_school(user, school):
        raise PermissionDenied  # only staff of this school and researchers see its screening


# --- models and runs ---------------------------------------------------------------------------------------

def current_model(outcome: str = "dropped_out") -> RiskModel | None:
    """The published, unexpired model of the outcome: the only one whose scores reach schools."""
    return (RiskModel.objects.filter(outcome=outcome, status=ModelStatus.PUBLISHED,
                                     expires_on__gte=timezone.localdate()).first())


def current_run(model: RiskModel | None) -> ScoringRun | None:
    """The model's latest finished scoring run (None for a model that may not be shown)."""
    if model is None or model.status != ModelStatus.PUBLISHED or model.expired:
        return None
    return model.runs.filter(status=RunStatus.DONE).order_by("-finished_at", "-id").first()


def can_view_models(user) -> bool:
    return user.has_perm("screening.view_models")


def models_for(user) -> QuerySet[RiskModel]:
    if not can_view_models(user):
        return RiskModel.objects.none()
    return RiskModel.objects.select_related("created_by").prefetch_related("approvals__user")


def model_detail(model_id, user) -> RiskModel:
    """The model for researchers and administrators (404 for an unknown id, PermissionDenied for others)."""
    if not can_view_models(user):
        raise PermissionDenied  # only researchers and administrators see risk models
    return get_object_or_404(models_for(user), pk=model_id)


def model_approvals(model: RiskModel) -> dict[str, ModelApproval]:
    return {a.role: a for a in model.approvals.select_related("user")}


def publish_refusals(model: RiskModel) -> list[str]:
    """Why the model cannot be published now (empty when it can): one sentence each, in the reader's language."""
    reasons = []
    if model.status != ModelStatus.DRAFT:
        reasons.append(_("The model is %(status)s; only a draft can be published.")
                       % {"status": ModelStatus(model.status).label.lower()})
    approvals = model_approvals(model)
    for role in ApprovalRole:
        if role.value not in approvals:
            reasons.append(_("It needs the %(role)s's approval.") % {"role": role.label.lower()})
    if len(approvals) == 2 and len({a.user_id for a in approvals.values()}) < 2:
        reasons.append(_("The researcher and the administrator must be two different people."))
    if not model.gate_passed:
        # the gate's stored reasons are English and name raw attribute codes: the model page tells the failed
        # checks in the reader's language (display.gate_rows), so the refusal points there
        reasons.append(_("It did not pass the fairness and calibration gate (its failed checks are listed under "
                         "Publication gate).") if (model.gate or {}).get("checks") or (model.gate or {}).get("reasons")
                       else _("Its fairness and calibration gate was not run."))
    if model.expired:
        reasons.append(_("It expired on %(date)s.") % {"date": formats.date_format(model.expires_on)})
    return reasons


def training_status(task_id) -> dict | None:
    """The state of a queued training: {"status": "queued"|"running"|"done"|"failed", "model_id", "error"};
    None for an unknown id."""
    try:
        result = train_model_task.get_result(str(task_id))
    except (TaskResultDoesNotExist, TaskResultMismatch, ValueError, ValidationError):
        return None
    status = {"READY": "queued", "RUNNING": "running", "SUCCESSFUL": "done"}.get(result.status.name, "failed")
    value = (result.return_value if result.status.name == "SUCCESSFUL" else None) or {}
    error = value.get("error") or ("" if status != "failed" else _("The training failed; see the worker's log."))
    return {"status": "failed" if value.get("error") else status, "model_id": value.get("model_id"), "error": error}


def latest_run(model: RiskModel) -> ScoringRun | None:
    """The model's latest scoring run in any state (for the model page's status line)."""
    return model.runs.order_by("-created_at", "-id").first()


# --- the counsellor's list ---------------------------------------------------------------------------------

def capacity_share(school: School) -> tuple[float, bool]:
    """(share, set by the school?)."""
    found = SupportCapacity.objects.filter(school=school).values_list("share", flat=True).first()
    return (DEFAULT_SHARE, False) if found is None else (float(found), True)


def capacity_k(share: float, n_scored: int) -> int:
    """How many students a school can support: ceil(share × scored students), never more than were scored."""
    if n_scored <= 0:
        return 0
    return min(n_scored, math.ceil(round(share * n_scored, 9)))


def school_domains(domains) -> list[str]:
    """Only the domains a school can change, whatever a stored row holds: never a protected attribute."""
    return [d for d in (domains or []) if d in Domain.values]


def _latest_follow_ups(student_ids) -> dict[int, str]:
    status = {}
    for student_id, value in (FollowUp.objects.filter(student_id__in=student_ids)
                              .order_by("created_at", "id").values_list("student_id", "status")):
        status[student_id] = value  # later rows win: the latest follow-up's status
    return status


def school_list(school: School, user, *, outcome: str = "dropped_out") -> ScreeningList:
    """The school's top-k students by probability from the current run of the published model."""
    _require_school(user, school)
    model = current_model(outcome)
    run = current_run(model)
    share, capacity_set = capacity_share(school)
    result = ScreeningList(school=school, model=model if run else None, run=run, share=share,
                           capacity_set=capacity_set)
    if run is not None:
        scores = RiskScore.objects.filter(run=run, student__school_class__school=school)
        result.n_scored = scores.count()
        result.k = capacity_k(share, result.n_scored)
        top = list(scores.order_by("-probability", "id").values_list(
            "student_id", "student__pseudonym", "probability", "tier", "domains")[:result.k])
        follow = _latest_follow_ups([t[0] for t in top])
        result.rows = [ScreeningRow(student_id=sid, pseudonym=pseudonym, probability=p, score_0_100=round(p * 100),
                                    tier=tier, domains=school_domains(domains), follow_up=follow.get(sid))
                       for sid, pseudonym, p, tier, domains in top]
    result.flags = security_flags(school)
    return result


# --- a student's screen ------------------------------------------------------------------------------------

def student_lookup(pseudonym: str) -> Student:
    """The student with this pseudonym (404 for an unknown or malformed one)."""
    if not isinstance(pseudonym, str) or not 1 <= len(pseudonym) <= 32:
        raise Student.DoesNotExist
    return Student.objects.select_related("school_class__school").get(pseudonym=pseudonym)


def student_screen(student: Student | str, user, *, outcome: str = "dropped_out") -> StudentScreen:
    """Everything the student's page shows, for staff of the student's school and researchers only."""
    if isinstance(student, str):
        try:
            student = student_lookup(student)
        except Student.DoesNotExist as exc:
            raise Http404("No such student.") from exc
    school = student.school_class.school
    _require_school(user, school)
    model = current_model(outcome)
    run = current_run(model)
    score = RiskScore.objects.filter(run=run, student=student).first() if run else None
    in_list = False
    if score is not None:
        n_scored = RiskScore.objects.filter(run=run, student__school_class__school=school).count()
        above = RiskScore.objects.filter(run=run, student__school_class__school=school).filter(
            probability__gt=score.probability).count()
        ties_before = RiskScore.objects.filter(run=run, student__school_class__school=school,
                                               probability=score.probability, id__lt=score.id).count()
        in_list = above + ties_before < capacity_k(capacity_share(school)[0], n_scored)
    domains = school_domains(score.domains) if score else []
    return StudentScreen(
        student=student, school=school, model=model if run else None, score=score, in_list=in_list,
        domains=domains, practices=suggested_practices(domains), security=student_security(student),
        follow_ups=list(FollowUp.objects.filter(student=student).select_related("practice", "created_by")
                        .order_by("status", "review_on", "id")))


def follow_up_get(follow_up_id, user) -> FollowUp:
    """A follow-up for staff of its student's school and researchers (404 / PermissionDenied otherwise)."""
    follow_up = get_object_or_404(FollowUp.objects.select_related("student__school_class__school"), pk=follow_up_id)
    _require_school(user, follow_up.student.school_class.school)
    return follow_up


def open_follow_ups(school: School, user) -> QuerySet[FollowUp]:
    _require_school(user, school)
    return (FollowUp.objects.filter(student__school_class__school=school, status=FollowUpStatus.OPEN)
            .select_related("student", "practice").order_by("review_on", "id"))


# --- suggested supports ------------------------------------------------------------------------------------

def suggested_practices(domains) -> list[dict]:
    """For each domain (in the order given), up to PRACTICES_PER_DOMAIN accepted Hub practices whose title or
    summary names it (PRACTICE_WORDS): [{"domain": code, "practices": [Practice, …]}]."""
    wanted = [d for d in domains if d in PRACTICE_WORDS]
    if not wanted:
        return []
    practices = list(Practice.objects.filter(status=Practice.Status.ACCEPTED).order_by("title", "id"))
    out = []
    for domain in wanted:
        words = PRACTICE_WORDS[domain]
        found = [p for p in practices if any(w in f"{p.title} {p.summary}".lower() for w in words)]
        out.append({"domain": domain, "practices": found[:PRACTICES_PER_DOMAIN]})
    return out


def cohorts() -> list[int]:
    """The entry cohorts in the database, oldest first."""
    return sorted(c for c in Student.objects.order_by().values_list("cohort", flat=True).distinct() if c is not None)
