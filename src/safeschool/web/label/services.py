"""Writes for the Safe School Label: apply (with the published criteria checked and stored), upload evidence,
review (two different reviewers, never from the school, never the applicant; a third is refused), decide (an
administrator, after two reviews: award a level, possibly lower than applied, or refuse, with reasons), revoke,
withdraw, and the renewal reminders. Each service checks the permission itself, whoever calls it (view, CLI,
demo), with the rule itself: an administrator is not a school's staff nor a reviewer."""

from __future__ import annotations

import datetime as dt
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from safeschool.web.cocreation.models import ParCycle
from safeschool.web.label import notifications, selectors
from safeschool.web.label.models import (
    VALID_YEARS,
    Application,
    ApplicationStatus,
    Award,
    Evidence,
    LabelLevel,
    Recommendation,
    Review,
)
from safeschool.web.label.rules import OPEN, REVIEWER_GROUP
from safeschool.web.label.selectors import CODE_ALPHABET, CODE_LENGTH, REVIEWS_NEEDED, has
from safeschool.web.label.uploads import check_evidence_file
from safeschool.web.research.models import School
from safeschool.web.selfeval.models import ActionPlan, Campaign

ASSESSMENTS = ("met", "partly", "not_met")


def _require(user, perm: str, obj, message: str) -> None:
    if not has(user, perm, obj):
        raise PermissionDenied(message)


def level_rank(level: str) -> int:
    return LabelLevel.values.index(level)


def _years_after(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


# --- applying -----------------------------------------------------------------------------------------------

def clean_application(*, school: School, level: str, campaign: Campaign | None, action_plan: ActionPlan | None,
                      par_cycle: ParCycle | None) -> None:
    """The parts of an application belong to the school: a closed campaign of its own, its plan, its cycle."""
    errors = {}
    if level not in LabelLevel.values:
        errors["level"] = _("Choose a level from the list.")
    if campaign is None or campaign.school_id != school.pk or campaign.closed_at is None:
        errors["campaign"] = _("Choose one of the school's closed self-evaluation campaigns.")
    if action_plan is not None and action_plan.school_id != school.pk:
        errors["action_plan"] = _("Choose one of the school's action plans.")
    if par_cycle is not None and par_cycle.school_id != school.pk:
        errors["par_cycle"] = _("Choose one of the school's action research cycles.")
    if errors:
        raise ValidationError(errors)


def application_submit(*, user, school: School, level: str, campaign: Campaign, statement: str,
                       action_plan: ActionPlan | None = None, par_cycle: ParCycle | None = None,
                       today: dt.date | None = None) -> Application:
    """Apply for `level`: the criteria are checked now and stored in `checks` (they inform the reviewers; they do
    not refuse the application, since evidence is uploaded after it). A school that holds an award renews it."""
    _require(user, "label.apply", school, _("Only the school's own staff apply for its label."))
    clean_application(school=school, level=level, campaign=campaign, action_plan=action_plan, par_cycle=par_cycle)
    if not (statement or "").strip():
        raise ValidationError({"statement": _("Say in a few sentences why the school applies.")})
    checks = selectors.application_checks(level=level, campaign=campaign, plan=action_plan, par_cycle=par_cycle,
                                          today=today)
    renews = selectors.apply_choices(school)["award"]
    application = Application(school=school, level=level, campaign=campaign, action_plan=action_plan,
                              par_cycle=par_cycle, statement=statement.strip(), checks=checks, submitted_by=user,
                              renews=renews)
    application.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            application.save()
    except IntegrityError as exc:  # the database allows one open application per school
        raise ValidationError(_("The school already has an application under way.")) from exc
    return application


def _recheck(application: Application) -> None:
    evidence = application.evidence.values_list("indicator", flat=True)
    application.checks = selectors.application_checks(
        level=application.level, campaign=application.campaign, plan=application.action_plan,
        par_cycle=application.par_cycle, evidence=evidence)
    application.save(update_fields=["checks"])


def evidence_upload(*, user, application: Application, indicator: str, description: str, file) -> Evidence:
    """A document showing a yes/no practice; its content is checked (not its name) before anything is stored.
    The criteria are checked again with it."""
    _require(user, "label.upload_evidence", application,
             _("Only the school's own staff add evidence, while the application is under way."))
    errors = {}
    if indicator not in selectors.criteria().practices:
        errors["indicator"] = _("Choose a practice from the list.")
    if not (description or "").strip():
        errors["description"] = _("Say what the document is.")
    if errors:
        raise ValidationError(errors)
    check_evidence_file(file)
    evidence = Evidence(application=application, indicator=indicator, description=description.strip(), file=file,
                        uploaded_by=user)
    evidence.full_clean()
    with transaction.atomic():
        evidence.save()
        _recheck(application)
    return evidence


def application_withdraw(*, user, application: Application) -> Application:
    _require(user, "label.upload_evidence", application, _("Only the school's own staff withdraw its application."))
    Application.objects.filter(pk=application.pk, status__in=OPEN).update(status=ApplicationStatus.WITHDRAWN)
    application.refresh_from_db()
    return application


# --- reviewing and deciding ----------------------------------------------------------------------------------

def clean_assessments(level: str, assessments: dict) -> dict:
    codes = [c.code for c in selectors.criteria().level(level).criteria]
    clean = {}
    for code in codes:
        value = (assessments or {}).get(code)
        if value not in ASSESSMENTS:
            raise ValidationError({f"criterion_{code}": _("Assess every criterion: met, partly met or not met.")})
        clean[code] = value
    return clean


def review_submit(*, user, application: Application, assessments: dict, recommendation: str,
                  comments: str) -> Review:
    """One reviewer's assessment. Two different reviewers per application; a third is refused."""
    _require(user, "label.review", application,
             _("Only researchers and network members at level (c) or (d) review, never for a school they work at "
               "nor for an application they made."))
    if recommendation not in Recommendation.values:
        raise ValidationError({"recommendation": _("Choose a recommendation from the list.")})
    if not (comments or "").strip():
        raise ValidationError({"comments": _("Explain your assessment in a few sentences.")})
    with transaction.atomic():
        application = Application.objects.select_for_update().get(pk=application.pk)
        if application.status not in OPEN:
            raise ValidationError(_("This application is no longer under way."))
        reviews = application.reviews.all()
        if reviews.filter(reviewer=user).exists():
            raise ValidationError(_("You have already reviewed this application."))
        if reviews.count() >= REVIEWS_NEEDED:
            raise ValidationError(_("This application already has its two reviews."))
        review = Review(application=application, reviewer=user, recommendation=recommendation,
                        assessments=clean_assessments(application.level, assessments), comments=comments.strip())
        review.full_clean(validate_constraints=False)
        try:
            with transaction.atomic():
                review.save()
        except IntegrityError as exc:
            raise ValidationError(_("You have already reviewed this application.")) from exc
        application.status = ApplicationStatus.UNDER_REVIEW
        application.save(update_fields=["status"])
    return review


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def application_decide(*, user, application: Application, award: bool, level: str = "", reasons: str,
                       today: dt.date | None = None) -> Application:
    """An administrator's decision after two reviews: award `level` (the level applied for or a lower one),
    valid VALID_YEARS from today, with a new verification code; or refuse. Reasons are required either way."""
    _require(user, "label.decide", application, _("Only administrators decide on label applications."))
    if not (reasons or "").strip():
        raise ValidationError({"reasons": _("Give the reasons for the decision.")})
    today = today or timezone.localdate()
    with transaction.atomic():
        application = Application.objects.select_for_update().get(pk=application.pk)
        if application.status not in OPEN:
            raise ValidationError(_("This application has already been decided or withdrawn."))
        if application.reviews.count() < REVIEWS_NEEDED:
            raise ValidationError(_("A decision needs two reviews first."))
        if award:
            if level not in LabelLevel.values or level_rank(level) > level_rank(application.level):
                raise ValidationError({"level": _("Award the level applied for or a lower one.")})
            application.status, application.decided_level = ApplicationStatus.AWARDED, level
        else:
            application.status, application.decided_level = ApplicationStatus.REFUSED, ""
        application.decision_reasons = reasons.strip()
        application.decided_by, application.decided_at = user, timezone.now()
        application.save(update_fields=["status", "decided_level", "decision_reasons", "decided_by", "decided_at"])
        if award:
            for _attempt in range(5):
                try:
                    with transaction.atomic():
                        Award.objects.create(application=application, school=application.school, level=level,
                                             awarded_on=today, valid_until=_years_after(today, VALID_YEARS),
                                             verification_code=_new_code())
                    break
                except IntegrityError:  # a code drawn twice (1 in 32^12): draw again
                    continue
            else:
                raise ValidationError(_("No verification code could be made; try again."))
    return application


def award_revoke(*, user, award: Award, reason: str) -> Award:
    """Withdraw an award before its end (it leaves the register; verification says revoked)."""
    _require(user, "label.revoke", award, _("Only administrators revoke a label."))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give the reason for revoking the label.")})
    if award.revoked_at is not None:
        raise ValidationError(_("This label is already revoked."))
    award.revoked_at, award.revoked_reason = timezone.now(), reason.strip()[:300]
    award.save(update_fields=["revoked_at", "revoked_reason"])
    return award


# --- renewal -------------------------------------------------------------------------------------------------

def label_reminders_send(today: dt.date | None = None) -> int:
    """E-mail the staff of every school whose label ends within 90 days, once per award (reminder_sent_on), in
    each recipient's language. Returns the number of e-mails sent."""
    today = today or timezone.localdate()
    sent = 0
    for award in selectors.awards_to_remind(today):
        with transaction.atomic():
            claimed = Award.objects.filter(pk=award.pk, reminder_sent_on__isnull=True).update(reminder_sent_on=today)
            if claimed:
                sent += notifications.send_renewal_reminder(award)
    return sent


def reviewer_pool_add(*, user, reviewer) -> None:
    """An administrator vets a network member at level (c) or (d) with current consent as a label reviewer."""
    _require(user, "label.manage_reviewers", None, _("Only administrators choose the label's reviewers."))
    member = getattr(reviewer, "member", None)
    if member is None or not member.level_at_least("c"):
        raise ValidationError(_("Label reviewers are network members at participation level (c) or (d)."))
    from django.contrib.auth.models import Group

    group, _created = Group.objects.get_or_create(name=REVIEWER_GROUP)
    reviewer.groups.add(group)


def reviewer_pool_remove(*, user, reviewer) -> None:
    _require(user, "label.manage_reviewers", None, _("Only administrators choose the label's reviewers."))
    reviewer.groups.remove(*reviewer.groups.filter(name=REVIEWER_GROUP))
