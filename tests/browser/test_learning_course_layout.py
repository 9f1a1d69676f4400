"""The course's pages on a 390 px phone and a 1366 px screen in Chromium: none is wider than the window — the
course with its programme tables, an edition, the public certificate verification, a participant's check and
evaluation, and the organisers' attendance grid, results and adaptation form."""

import datetime as dt

import pytest
from django.utils import timezone

from safeschool.web.accounts.models import Role
from safeschool.web.accounts.services import user_create
from safeschool.web.learning.models import (
    Activity,
    Attendance,
    Certificate,
    Course,
    CourseDay,
    CourseSession,
    Edition,
    Enrolment,
    PackItem,
    ResourcePack,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE, DESKTOP = {"width": 390, "height": 844}, {"width": 1366, "height": 900}
OVERFLOW = "() => document.documentElement.scrollWidth - window.innerWidth"
PASSWORD = "pw-long-enough-1"


def world():
    course = Course.objects.create(slug="school-rec-partnership", title="Working together: schools and Regional "
                                   "Educational Centres against early school leaving", published_at=timezone.now(),
                                   learning_outcomes=["Plan a partnership with shared indicators"] * 3)
    pack = ResourcePack.objects.create(number=1, slug="p1", title="Pack", published_at=timezone.now())
    item = PackItem.objects.create(pack=pack, kind="document", title="A referral protocol with a long title",
                                   url="https://example.org/a-very-long-address/that-goes-on-and-on/and-on")
    sessions = []
    for n in (1, 2):
        day = CourseDay.objects.create(course=course, number=n, title=f"Understanding early leaving {n}")
        for order in range(4):
            s = CourseSession.objects.create(day=day, order=order, title=f"Session with a descriptive title {n}.{order}",
                                             learning_outcomes=["Recognise early warning signs"])
            Activity.objects.create(session=s, title="Case discussion in small groups", minutes=45,
                                    method="case discussion", outcomes="Describe the referral pathway").materials.add(item)
            sessions.append(s)
    start = dt.date.today() - dt.timedelta(days=30)
    edition = Edition.objects.create(course=course, title="Zagreb, spring", starts_on=start,
                                     ends_on=start + dt.timedelta(days=5), venue="Zagreb, Croatia",
                                     trainers="A. Trainer, B. Trainer", capacity=20)
    user_create(username="r", password=PASSWORD, role=Role.RESEARCHER)
    participant = user_create(username="p", password=PASSWORD, role=Role.MEMBER)
    enrolment = Enrolment.objects.create(edition=edition, user=participant, status="enrolled")
    for s in sessions:
        Attendance.objects.create(enrolment=enrolment, session=s, present=True)
    enrolment.status = "completed"
    enrolment.save()
    certificate = Certificate.objects.create(enrolment=enrolment, code="ABCDEFGHJK")
    return course, edition, certificate


def test_no_course_page_is_wider_than_the_window(live_server, browser, log_in):
    course, edition, certificate = world()
    base = f"/learning/courses/{course.slug}/1/"
    pages = {
        None: ["/learning/courses/", base, f"/learning/editions/{edition.pk}/",
               f"/learning/certificates/{certificate.code}/"],
        "p": [f"/learning/editions/{edition.pk}/check/post/", f"/learning/editions/{edition.pk}/evaluation/"],
        "r": [f"/learning/editions/{edition.pk}/attendance/", f"/learning/editions/{edition.pk}/results/",
              f"{base}adapt/"],
    }
    wide = {}
    for viewport in (PHONE, DESKTOP):
        page = browser.new_page(viewport=viewport)
        for username, paths in pages.items():
            if viewport is DESKTOP:  # the wide screen: the pages with the widest tables
                paths = [p for p in paths if p in (base, f"/learning/editions/{edition.pk}/attendance/")]
                if not paths:
                    continue
            page.context.clear_cookies()
            if username:
                page.goto(f"{live_server.url}/accounts/login/")
                log_in(page, username, PASSWORD)
                page.wait_for_load_state()
            for path in paths:
                response = page.goto(f"{live_server.url}{path}")
                assert response.status == 200, (username, path, response.status)
                wide[(viewport["width"], username, path)] = page.evaluate(OVERFLOW)
        page.close()
    assert {k: v for k, v in wide.items() if v > 0} == {}
