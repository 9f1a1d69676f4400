"""Reads of the course template: published course versions, one version's days -> sessions -> activities with
their materials (pack items, linked) and total hours, and who may edit (researchers and administrators)."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.urls import NoReverseMatch, reverse

from safeschool.web.accounts.models import Role
from safeschool.web.accounts.rules import role_of
from safeschool.web.core.ids import int_or_none
from safeschool.web.learning.models import Activity, Course, CourseDay, CourseSession, Edition


def may_manage(user) -> bool:
    """Researchers and administrators adapt courses, run editions, record attendance and issue certificates."""
    return role_of(user) in (Role.RESEARCHER, Role.ADMIN)


def may_revoke(user) -> bool:
    return role_of(user) == Role.ADMIN


def course_list(*, user) -> QuerySet[Course]:
    """Published versions for everyone; unpublished ones too for those who manage courses."""
    courses = Course.objects.select_related("adapted_from").order_by("slug", "-version")
    return courses if may_manage(user) else courses.filter(published_at__isnull=False)


def course_get(*, slug: str, version, user) -> Course:
    """One version, or 404 (an unpublished one is 404 for anyone who does not manage courses)."""
    number = int_or_none(version)
    course = course_list(user=user).filter(slug=slug, version=number).first() if number and number < 32768 else None
    if course is None:
        raise Http404
    return course


def _sessions() -> Prefetch:
    activities = Activity.objects.prefetch_related("materials", "materials__pack").order_by("order", "pk")
    return Prefetch("sessions", queryset=CourseSession.objects.prefetch_related(
        Prefetch("activities", queryset=activities)).order_by("order", "pk"))


def material_link(item) -> str:
    """A pack item's address: its own link, else its pack's page (when the packs' pages exist)."""
    if item.url:
        return item.url
    try:
        return reverse("learning:pack", args=[item.pack.slug]) + f"#item-{item.pk}"
    except NoReverseMatch:
        return ""


def course_days(course: Course) -> list[dict]:
    """Days with their sessions and activities; minutes per session and day."""
    days = []
    for day in CourseDay.objects.filter(course=course).prefetch_related(_sessions()).order_by("number"):
        sessions = []
        for session in day.sessions.all():
            activities = [{"activity": a, "materials": [{"item": m, "link": material_link(m)}
                                                        for m in a.materials.all()]}
                          for a in session.activities.all()]
            sessions.append({"session": session, "activities": activities,
                             "minutes": sum(a.minutes for a in session.activities.all())})
        days.append({"day": day, "sessions": sessions, "minutes": sum(s["minutes"] for s in sessions)})
    return days


def course_hours(course: Course) -> float:
    minutes = sum(Activity.objects.filter(session__day__course=course).values_list("minutes", flat=True))
    return round(minutes / 60, 1)


def course_sessions(course: Course) -> list[CourseSession]:
    """The sessions in course order (day, then order)."""
    return list(CourseSession.objects.filter(day__course=course).select_related("day")
                .order_by("day__number", "order", "pk"))


def course_editions(course: Course) -> QuerySet[Edition]:
    return Edition.objects.filter(course=course).order_by("-starts_on", "-pk")


def course_versions(course: Course) -> QuerySet[Course]:
    return Course.objects.filter(slug=course.slug).order_by("-version")
