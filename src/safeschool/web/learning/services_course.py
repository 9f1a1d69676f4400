"""Writes of the course template: adapting a version (choosing and reordering its sessions, e.g. as an induction
course for new teachers) makes a NEW version of the same slug whose `adapted_from` is the original; the original is
never changed."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from safeschool.web.learning.models import Activity, Course, CourseDay, CourseSession
from safeschool.web.learning.selectors_course import course_sessions, may_manage


def course_adapt(*, user, course: Course, title: str, kind: str, plan: list[tuple[int, int, int]],
                 publish: bool = True) -> Course:
    """`plan`: (session id, day number, order) for each session kept; a session left out is not in it. The new
    version copies the kept sessions (with their activities and materials) into the days given, in the order given."""
    if not may_manage(user):
        raise PermissionDenied(_("Only researchers and administrators adapt a course."))
    errors = {}
    if not (title or "").strip():
        errors["title"] = _("Give the new version a title.")
    if kind not in Course.Kind.values:
        errors["kind"] = _("Choose a kind of course from the list.")
    sessions = {s.pk: s for s in course_sessions(course)}
    if not plan:
        errors["__all__"] = _("Keep at least one session.")
    elif any(pk not in sessions for pk, _day, _order in plan):
        errors["__all__"] = _("Choose sessions of this course.")
    elif any(not 1 <= day <= 30 for _pk, day, _order in plan):
        errors["__all__"] = _("Day numbers go from 1 to 30.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        latest = Course.objects.select_for_update().filter(slug=course.slug).aggregate(v=Max("version"))["v"] or 0
        new = Course.objects.create(
            slug=course.slug, version=latest + 1, kind=kind, title=title.strip(), summary=course.summary,
            learning_outcomes=list(course.learning_outcomes), adapted_from=course, mobility_info=course.mobility_info,
            created_by=user, published_at=timezone.now() if publish else None)
        days: dict[int, CourseDay] = {}
        ordered = sorted(plan, key=lambda row: (row[1], row[2], row[0]))
        for position, (pk, day_number, _order) in enumerate(ordered):
            original = sessions[pk]
            if day_number not in days:
                days[day_number] = CourseDay.objects.create(course=new, number=day_number, title=original.day.title)
            copy = CourseSession.objects.create(day=days[day_number], order=position, title=original.title,
                                                learning_outcomes=list(original.learning_outcomes))
            for activity in Activity.objects.filter(session=original).prefetch_related("materials"):
                materials = list(activity.materials.all())
                made = Activity.objects.create(session=copy, order=activity.order, title=activity.title,
                                               minutes=activity.minutes, method=activity.method,
                                               outcomes=activity.outcomes)
                made.materials.set(materials)
    return new
