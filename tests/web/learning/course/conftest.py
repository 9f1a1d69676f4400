"""A small course for the course tests: one course (slug school-rec-partnership, with the knowledge check of
course_checks.yaml) of two days and five sessions, each with one activity, a pack item as material; users."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from safeschool.web.accounts.models import Role
from safeschool.web.accounts.services import user_create
from safeschool.web.learning.models import (
    Activity,
    Course,
    CourseDay,
    CourseSession,
    Edition,
    PackItem,
    ResourcePack,
)

PASSWORD = "pw-long-enough-1"
SLUG = "school-rec-partnership"


def course_make() -> Course:
    course = Course.objects.create(slug=SLUG, title="Working together: schools and RECs", published_at=timezone.now(),
                                   learning_outcomes=["Plan a partnership", "Refer a student at risk"])
    pack = ResourcePack.objects.create(number=1, slug="first-pack", title="First pack", published_at=timezone.now())
    item = PackItem.objects.create(pack=pack, kind="document", title="Referral guide", url="https://example.org/g")
    for number in (1, 2):
        day = CourseDay.objects.create(course=course, number=number, title=f"Day title {number}")
        for order in range(3 if number == 1 else 2):
            session = CourseSession.objects.create(day=day, order=order, title=f"Session {number}.{order}")
            activity = Activity.objects.create(session=session, title=f"Activity {number}.{order}", minutes=90,
                                               method="case discussion")
            activity.materials.add(item)
    return course


def edition_make(course: Course, *, capacity: int = 3, past: bool = False) -> Edition:
    start = dt.date.today() + dt.timedelta(days=-40 if past else 30)
    return Edition.objects.create(course=course, title=f"Edition cap {capacity}", starts_on=start,
                                  ends_on=start + dt.timedelta(days=5), venue="Zagreb", trainers="A. Trainer",
                                  capacity=capacity, language="en")


def users_make(n: int, prefix: str = "p", role=Role.MEMBER) -> list:
    return [user_create(username=f"{prefix}{i}", password=PASSWORD, role=role) for i in range(n)]


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory, test_settings_for):
    """The course, a future edition of capacity 3, a past one of capacity 12 and users of each role, built once per
    module in a transaction rolled back after it."""
    home = tmp_path_factory.mktemp("course-home")
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            with override_settings(**test_settings_for(home)):
                course = course_make()
                made = SimpleNamespace(
                    course=course, edition=edition_make(course), past=edition_make(course, capacity=12, past=True),
                    people=users_make(12),
                    researcher=users_make(1, "r", Role.RESEARCHER)[0], admin=users_make(1, "a", Role.ADMIN)[0],
                    staff=users_make(1, "s", Role.STAFF)[0])
            yield made
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def makers():
    """The builders, for tests that make their own data (transactional ones)."""
    return SimpleNamespace(course=course_make, edition=edition_make, users=users_make)
