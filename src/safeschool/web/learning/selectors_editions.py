"""Reads of the course's editions: places left and the waiting list, one's own enrolment, the attendance grid,
the knowledge check's questions (course_checks.yaml, keyed by course slug), who has completed, and an edition's
results (Kirkpatrick 1-2: attendance, pre/post scores and gain, reaction means), each figure only from at least
MIN_CELL participants."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from statistics import mean

import yaml
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from safeschool.vocabulary import MIN_CELL
from safeschool.web.core.ids import int_or_none
from safeschool.web.learning.models import (
    Attendance,
    Certificate,
    CourseEvaluation,
    Edition,
    Enrolment,
    EnrolmentStatus,
    KnowledgeCheck,
)
from safeschool.web.learning.selectors_course import course_hours, course_sessions, may_manage

CHECKS_FILE = Path(__file__).resolve().parent / "course_checks.yaml"
PLACES = (EnrolmentStatus.ENROLLED, EnrolmentStatus.COMPLETED)
ATTENDANCE_NEEDED = 0.8  # attended at least 80 % of the sessions (and took the check after the course) to complete
MOMENTS = ("pre", "post")
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed from paper
CODE_LENGTH = 10
# the end-of-course evaluation's reaction items (Kirkpatrick level 1), each rated 1-5
REACTION_ITEMS = {
    "relevance": _("The course was relevant to my work."),
    "clarity": _("The sessions were clear and well organised."),
    "trainers": _("The trainers were well prepared."),
    "materials": _("The materials will help me in practice."),
    "overall": _("Overall, I am satisfied with the course."),
}


def edition_get(pk) -> Edition:
    number = int_or_none(pk)
    edition = (Edition.objects.select_related("course").filter(pk=number).first()
               if number and number < 2**63 else None)
    if edition is None:
        raise Http404
    return edition


def places_taken(edition: Edition) -> int:
    return Enrolment.objects.filter(edition=edition, status__in=PLACES).count()


def places_left(edition: Edition) -> int:
    return max(edition.capacity - places_taken(edition), 0)


def waiting_list(edition: Edition):
    return Enrolment.objects.filter(edition=edition, status=EnrolmentStatus.WAITLISTED).order_by("created_at", "pk")


def enrolment_of(user, edition: Edition) -> Enrolment | None:
    if not user.is_authenticated:
        return None
    return Enrolment.objects.filter(edition=edition, user=user).first()


def waiting_position(enrolment: Enrolment | None) -> int | None:
    if enrolment is None or enrolment.status != EnrolmentStatus.WAITLISTED:
        return None
    return list(waiting_list(enrolment.edition).values_list("pk", flat=True)).index(enrolment.pk) + 1


def participants(edition: Edition):
    """Enrolments that hold a place (enrolled or completed), in the order they came."""
    return Enrolment.objects.filter(edition=edition, status__in=PLACES).select_related("user").order_by(
        "created_at", "pk")


def person_name(user) -> str:
    """How a participant is named on a list or a certificate: the network's display name, else the account's."""
    member = getattr(user, "member", None)
    if member is not None and member.display_name:
        return member.display_name
    return user.get_full_name() or user.username


def attendance_grid(edition: Edition) -> dict:
    sessions = course_sessions(edition.course)
    people = list(participants(edition))
    present = {(a.enrolment_id, a.session_id): a.present
               for a in Attendance.objects.filter(enrolment__edition=edition)}
    rows = [{"enrolment": e, "name": person_name(e.user),
             "cells": [{"session": s, "present": present.get((e.pk, s.pk)), "field": f"a_{e.pk}_{s.pk}"}
                       for s in sessions]} for e in people]
    return {"sessions": sessions, "rows": rows}


@lru_cache(maxsize=1)
def _all_checks() -> dict:
    return yaml.safe_load(CHECKS_FILE.read_text(encoding="utf-8")) or {}


def check_questions(course) -> list[dict]:
    """The course's knowledge check: [{"code", "question", "options": [...], "answer": index}]; the same
    questions before and after the course (a version of a course shares its slug's check)."""
    return list(_all_checks().get(course.slug, []))


def attended_share(enrolment: Enrolment, n_sessions: int) -> float:
    if n_sessions == 0:
        return 0.0
    return Attendance.objects.filter(enrolment=enrolment, present=True).count() / n_sessions


def completion_ready(enrolment: Enrolment, n_sessions: int) -> bool:
    """Attended at least 80 % of the sessions and took the knowledge check after the course."""
    return (enrolment.status in PLACES and attended_share(enrolment, n_sessions) >= ATTENDANCE_NEEDED - 1e-9
            and KnowledgeCheck.objects.filter(enrolment=enrolment, moment="post").exists())


def _figure(values: list[float]) -> dict:
    """{"n", "value", "suppressed"}: a mean only from at least MIN_CELL participants."""
    if len(values) < MIN_CELL:
        return {"n": len(values), "value": None, "suppressed": True}
    return {"n": len(values), "value": mean(values), "suppressed": False}


def edition_results(edition: Edition) -> dict:
    """Attendance rate, mean pre and post scores (as shares of the maximum) and the mean gain of those who took
    both, the reaction items' means; each only from >= MIN_CELL participants."""
    people = list(participants(edition))
    sessions = course_sessions(edition.course)
    shares = [attended_share(e, len(sessions)) for e in people] if sessions else []
    checks = {(c.enrolment_id, c.moment): c.score / c.max_score
              for c in KnowledgeCheck.objects.filter(enrolment__edition=edition, enrolment__status__in=PLACES)}
    pre = [v for (_, m), v in checks.items() if m == "pre"]
    post = [v for (_, m), v in checks.items() if m == "post"]
    both = [checks[(e.pk, "post")] - checks[(e.pk, "pre")] for e in people
            if (e.pk, "pre") in checks and (e.pk, "post") in checks]
    evaluations = list(CourseEvaluation.objects.filter(enrolment__edition=edition, enrolment__status__in=PLACES))
    reactions = [{"code": code, "text": text,
                  **_figure([float(ev.ratings[code]) for ev in evaluations if code in ev.ratings])}
                 for code, text in REACTION_ITEMS.items()]
    return {"participants": len(people), "min_cell": MIN_CELL, "attendance": _figure(shares),
            "pre": _figure(pre), "post": _figure(post), "gain": _figure(both), "reactions": reactions,
            "evaluations": _figure([1.0] * len(evaluations)),
            "completed": sum(e.status == EnrolmentStatus.COMPLETED for e in people)}


def mobility_facts(edition: Edition) -> dict:
    """What an Erasmus+ KA1 staff-mobility application asks of a course, filled from the edition."""
    course = edition.course
    return {"title": course.title, "provider": _("The safeschool network"), "starts_on": edition.starts_on,
            "ends_on": edition.ends_on, "hours": course_hours(course), "days": (edition.ends_on - edition.starts_on).days + 1,
            "venue": edition.venue, "language": edition.get_language_display(),
            "outcomes": list(course.learning_outcomes)}


# --- certificates ------------------------------------------------------------------------------------------

def code_normalise(text: str) -> str:
    """A certificate code as typed: case, spaces and dashes do not matter."""
    return "".join(ch for ch in (text or "").upper() if ch.isalnum())[:40]


def certificate_find(code: str) -> Certificate | None:
    code = code_normalise(code)
    if len(code) != CODE_LENGTH:
        return None
    return (Certificate.objects.select_related("enrolment", "enrolment__edition", "enrolment__edition__course",
                                               "enrolment__user").filter(code=code).first())


def may_see_certificate(user, certificate: Certificate) -> bool:
    """The holder and those who manage courses open the PDF; anyone verifies the code."""
    return user.is_authenticated and (certificate.enrolment.user_id == user.pk or may_manage(user))


def my_enrolments(user):
    if not user.is_authenticated:
        return Enrolment.objects.none()
    return Enrolment.objects.filter(user=user).select_related("edition", "edition__course").order_by("-created_at")


def edition_certificates(edition: Edition):
    return Certificate.objects.filter(enrolment__edition=edition).select_related("enrolment__user").order_by("pk")
