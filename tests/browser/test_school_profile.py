"""A real headless Chromium: school staff log in, open their school's profile and see charts drawn."""

from urllib.parse import urlparse

import pytest

from safeschool.web.accounts.models import Role
from safeschool.web.accounts.services import user_create
from safeschool.web.research.models import School
from safeschool.web.research.services import cohort_load, staff_appoint

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def staff_school(transactional_db, cohort_dir):
    cohort_load(directory=cohort_dir)
    school = School.objects.order_by("code").first()
    user = user_create(username="head", password="pw-head-12345", role=Role.STAFF)
    staff_appoint(user=user, school=school, position="school leader")
    return school


def test_staff_log_in_and_see_their_school_profile_charts(live_server, browser, staff_school, log_in):
    page = browser.new_page()
    outside = []
    host = urlparse(live_server.url).netloc
    page.on("request", lambda r: outside.append(r.url) if urlparse(r.url).netloc not in (host, "") and
            not r.url.startswith("data:") else None)
    page.goto(f"{live_server.url}/schools/{staff_school.pk}/")
    assert "/accounts/login/" in page.url  # anonymous visitors are sent to log in first
    log_in(page, "head", "pw-head-12345")
    page.wait_for_url(f"{live_server.url}/schools/{staff_school.pk}/")
    assert page.locator("h1").inner_text() == staff_school.name
    page.wait_for_selector("figure[data-chart='trend_security'][data-rendered='true'] svg", timeout=15000)
    # the trend charts drew marks: a point per wave for security and for belonging
    for measure in ("security", "belonging"):
        points = page.locator(f"figure[data-chart='trend_{measure}'] svg .mark-symbol path")
        assert points.count() == 2
    bars = page.locator("figure[data-chart='achievement'] svg .mark-rect path")
    assert bars.count() >= 1
    assert page.locator("figure[data-rendered='error']").count() == 0
    # own staff see the student records link and the list opens
    page.click("text=Student records")
    page.wait_for_selector("table tbody tr")
    assert page.locator("table tbody tr").count() > 10
    assert outside == [], f"requests left the machine: {outside}"
    page.close()
