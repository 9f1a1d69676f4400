"""Writes of the course's editions: create an edition; enrol (a place while places remain, else the waiting list —
the database's trigger is the last word: a booking it refuses as over-booking goes on the waiting list), cancel
(which frees the place and promotes the first on the waiting list in the same transaction); attendance per session;
the knowledge check before and after; the end-of-course evaluation; completion and its certificate (only for a
completed enrolment: checked here and by the database); revoking a certificate."""

from __future__ import annotations

import secrets
import time

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from safeschool.web.learning import selectors_editions as sel
from safeschool.web.learning.models import (
    Attendance,
    Certificate,
    CourseEvaluation,
    Edition,
    Enrolment,
    EnrolmentStatus,
    KnowledgeCheck,
)
from safeschool.web.learning.selectors_course import course_sessions, may_manage, may_revoke

RETRIES = 50  # SQLite refuses a second writer at once ("locked") where PostgreSQL waits; try again a little later


def _manager(user) -> None:
    if not may_manage(user):
        raise PermissionDenied(_("Only researchers and administrators run the course's editions."))


def edition_create(*, user, course, title: str, starts_on, ends_on, venue: str, trainers: str, capacity: int,
                   language: str, enrolment_open: bool = True) -> Edition:
    _manager(user)
    edition = Edition(course=course, title=(title or "").strip(), starts_on=starts_on, ends_on=ends_on,
                      venue=(venue or "").strip(), trainers=(trainers or "").strip(), capacity=capacity,
                      language=language, enrolment_open=enrolment_open)
    if starts_on and ends_on and ends_on < starts_on:
        raise ValidationError({"ends_on": _("The course ends on or after the day it starts.")})
    edition.full_clean()
    edition.save()
    return edition


def _retrying(write):
    for attempt in range(RETRIES):
        try:
            return write()
        except OperationalError as exc:
            if "locked" not in str(exc).lower() or attempt == RETRIES - 1:
                raise
            time.sleep(0.01 + 0.01 * attempt)
    return None  # not reached


def _book(edition: Edition, user, existing: Enrolment | None) -> Enrolment:
    """A place if the database accepts it, else the waiting list; one transaction each."""
    try:
        with transaction.atomic():
            if existing is None:
                return Enrolment.objects.create(edition=edition, user=user, status=EnrolmentStatus.ENROLLED)
            existing.status = EnrolmentStatus.ENROLLED
            existing.save(update_fields=["status", "updated_at"])
            return existing
    except IntegrityError:  # the trigger's "full" (SQLSTATE 23000 on PostgreSQL too, as SQLite's RAISE(ABORT))
        pass
    current = Enrolment.objects.filter(edition=edition, user=user).first()
    if current is not None and current.status != EnrolmentStatus.CANCELLED:
        return current  # the same person's other request got there first
    with transaction.atomic():
        if current is None:
            return Enrolment.objects.create(edition=edition, user=user, status=EnrolmentStatus.WAITLISTED)
        current.status = EnrolmentStatus.WAITLISTED
        current.save(update_fields=["status", "updated_at"])
        return current


def enrol(*, user, edition: Edition) -> Enrolment:
    """Any signed-in user: enrolled while places remain, otherwise waitlisted. Enrolling again changes nothing."""
    if not user.is_authenticated:
        raise PermissionDenied(_("Log in to enrol."))
    if not edition.enrolment_open:
        raise ValidationError(_("Enrolment for this edition is closed."))

    def write():
        existing = Enrolment.objects.filter(edition=edition, user=user).first()
        if existing is not None and existing.status != EnrolmentStatus.CANCELLED:
            return existing
        if existing is None or sel.places_left(edition) > 0:
            try:
                return _book(edition, user, existing)
            except IntegrityError:  # the unique (edition, user): a second request of the same person
                return Enrolment.objects.get(edition=edition, user=user)
        with transaction.atomic():
            existing.status = EnrolmentStatus.WAITLISTED
            existing.save(update_fields=["status", "updated_at"])
        return existing

    return _retrying(write)


def enrolment_cancel(*, user, enrolment: Enrolment) -> Enrolment | None:
    """The participant (or a course manager) cancels; a freed place goes to the first on the waiting list in the
    same transaction. Returns the promoted enrolment, if any."""
    if not user.is_authenticated or (enrolment.user_id != user.pk and not may_manage(user)):
        raise PermissionDenied(_("Only the participant or the course's organisers cancel an enrolment."))
    if enrolment.status == EnrolmentStatus.COMPLETED:
        raise ValidationError(_("A completed course cannot be cancelled."))

    def write():
        with transaction.atomic():
            row = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
            freed = row.status == EnrolmentStatus.ENROLLED
            if row.status == EnrolmentStatus.CANCELLED:
                return None
            row.status = EnrolmentStatus.CANCELLED
            row.save(update_fields=["status", "updated_at"])
            if not freed:
                return None
            first = sel.waiting_list(row.edition).select_for_update().first()
            if first is None:
                return None
            first.status = EnrolmentStatus.ENROLLED
            first.save(update_fields=["status", "updated_at"])
            return first

    promoted = _retrying(write)
    enrolment.refresh_from_db()
    return promoted


def attendance_record(*, user, edition: Edition, marks: dict[tuple[int, int], bool]) -> int:
    """`marks`: {(enrolment id, session id): present}. Only participants with a place and the edition's sessions."""
    _manager(user)
    allowed_people = set(sel.participants(edition).values_list("pk", flat=True))
    allowed_sessions = {s.pk for s in course_sessions(edition.course)}
    if any(e not in allowed_people or s not in allowed_sessions for e, s in marks):
        raise ValidationError(_("Record attendance only for this edition's participants and sessions."))
    with transaction.atomic():
        for (enrolment_id, session_id), present in marks.items():
            Attendance.objects.update_or_create(enrolment_id=enrolment_id, session_id=session_id,
                                                defaults={"present": bool(present)})
    return len(marks)


def check_take(*, user, enrolment: Enrolment, moment: str, answers: dict[str, int]) -> KnowledgeCheck:
    """The participant's knowledge check before or after the course, scored against course_checks.yaml; once."""
    if not user.is_authenticated or enrolment.user_id != user.pk:
        raise PermissionDenied(_("Only the participant takes their knowledge check."))
    if enrolment.status not in sel.PLACES:
        raise ValidationError(_("Only participants with a place take the knowledge check."))
    if moment not in sel.MOMENTS:
        raise ValidationError(_("Choose before or after the course."))
    questions = sel.check_questions(enrolment.edition.course)
    if not questions:
        raise ValidationError(_("This course has no knowledge check."))
    if KnowledgeCheck.objects.filter(enrolment=enrolment, moment=moment).exists():
        raise ValidationError(_("You have already taken this knowledge check."))
    if moment == "post" and timezone.localdate() < enrolment.edition.starts_on:
        raise ValidationError(_("The check after the course opens when the course has started."))
    given = {}
    for q in questions:
        value = answers.get(q["code"])
        if value is None or not 0 <= int(value) < len(q["options"]):
            raise ValidationError(_("Answer every question."))
        given[q["code"]] = int(value)
    score = sum(given[q["code"]] == q["answer"] for q in questions)
    check = KnowledgeCheck(enrolment=enrolment, moment=moment, score=score, max_score=len(questions), answers=given)
    try:
        with transaction.atomic():
            check.save()
    except IntegrityError as exc:
        raise ValidationError(_("You have already taken this knowledge check.")) from exc
    return check


def evaluation_submit(*, user, enrolment: Enrolment, ratings: dict[str, int], comments: str) -> CourseEvaluation:
    if not user.is_authenticated or enrolment.user_id != user.pk:
        raise PermissionDenied(_("Only the participant evaluates the course."))
    if enrolment.status not in sel.PLACES:
        raise ValidationError(_("Only participants with a place evaluate the course."))
    if set(ratings) != set(sel.REACTION_ITEMS) or any(not 1 <= int(v) <= 5 for v in ratings.values()):
        raise ValidationError(_("Rate every statement from 1 to 5."))
    try:
        with transaction.atomic():
            return CourseEvaluation.objects.create(enrolment=enrolment, ratings={k: int(v) for k, v in ratings.items()},
                                                   comments=(comments or "").strip()[:5000])
    except IntegrityError as exc:
        raise ValidationError(_("You have already evaluated this course.")) from exc


def _new_code() -> str:
    while True:
        code = "".join(secrets.choice(sel.CODE_ALPHABET) for _ in range(sel.CODE_LENGTH))
        if not Certificate.objects.filter(code=code).exists():
            return code


def certificate_issue(*, user, enrolment: Enrolment) -> Certificate:
    """Only for a completed enrolment (the database refuses any other too); one per enrolment."""
    _manager(user)
    if enrolment.status != EnrolmentStatus.COMPLETED:
        raise ValidationError(_("A certificate is issued only for a completed course."))
    existing = Certificate.objects.filter(enrolment=enrolment).first()
    if existing is not None:
        return existing
    with transaction.atomic():
        return Certificate.objects.create(enrolment=enrolment, code=_new_code())


def completions_issue(*, user, edition: Edition) -> list[Certificate]:
    """Every participant who attended at least 80 % of the sessions and took the check after the course becomes
    completed and receives a certificate."""
    _manager(user)
    n_sessions = len(course_sessions(edition.course))
    issued = []
    with transaction.atomic():
        for enrolment in sel.participants(edition):
            if not sel.completion_ready(enrolment, n_sessions):
                continue
            if enrolment.status != EnrolmentStatus.COMPLETED:
                enrolment.status = EnrolmentStatus.COMPLETED
                enrolment.save(update_fields=["status", "updated_at"])
            issued.append(certificate_issue(user=user, enrolment=enrolment))
    return issued


def certificate_revoke(*, user, certificate: Certificate, reason: str) -> Certificate:
    if not may_revoke(user):
        raise PermissionDenied(_("Only administrators revoke a certificate."))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the certificate is revoked.")})
    if certificate.revoked_at is not None:
        raise ValidationError(_("The certificate is already revoked."))
    certificate.revoked_at = timezone.now()
    certificate.revoked_reason = reason.strip()[:300]
    certificate.save(update_fields=["revoked_at", "revoked_reason"])
    return certificate
