"""The public /learning/ home and the handbook on a 390 px phone and a 1366 px screen in Chromium: no page is wider
than the window (long titles, a long unbroken link in a chapter, boxed case studies and packs, the contents and the
language switch), for a visitor, and the handbook's editing pages for a researcher on a phone."""

import datetime as dt

import pytest
from django.utils import timezone

from safeschool.web.accounts.models import Role
from safeschool.web.accounts.services import user_create
from safeschool.web.learning.models import CaseStudy, Chapter, Course, Edition, Handbook, ResourcePack

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE, DESKTOP = {"width": 390, "height": 844}, {"width": 1366, "height": 900}
OVERFLOW = "() => document.documentElement.scrollWidth - window.innerWidth"
PASSWORD = "pw-long-enough-1"


def world():
    now = timezone.now()
    long = "Schools and the regional centre met every fortnight to review referrals and plan support. " * 6
    user_create(username="researcher", password=PASSWORD, role=Role.RESEARCHER)
    case = CaseStudy.objects.create(slug="fortnightly-reviews", title="Fortnightly referral reviews between a school "
                                    "cluster and its regional centre", context=long, practice=long, authors="A",
                                    published_at=now)
    pack = ResourcePack.objects.create(number=1, slug="referral-partnerships", title="Referral partnerships for school "
                                       "leaders and regional centre staff", summary=long, published_at=now)
    course = Course.objects.create(slug="six-day", title="School–REC partnership working: the six-day course",
                                   summary=long, published_at=now)
    Edition.objects.create(course=course, title="Spring edition in Thessaloniki", venue="Thessaloniki", trainers="T",
                           starts_on=dt.date.today() + dt.timedelta(20), ends_on=dt.date.today() + dt.timedelta(26),
                           capacity=20)
    for language, title in (("en", "Working together against early leaving: a handbook on school–REC partnerships"),
                            ("el", "Συνεργασία σχολείων και περιφερειακών κέντρων ενάντια στην πρόωρη εγκατάλειψη")):
        handbook = Handbook.objects.create(version=1, language=language, title=title, subtitle=long[:280],
                                           authors="Silva, A.; Costa, B.; Ferreira, C.", published_at=now,
                                           references="Ref " + "https://example.org/" + "x" * 120 + "\n" + long)
        chapter = Chapter.objects.create(handbook=handbook, order=1, title="Why partnerships matter for every "
                                         "learner at risk of leaving", body=f"# Context\n\n{long}\n\n- one\n- two\n\n"
                                         "See https://example.org/averyveryveryveryveryveryveryveryverylongaddress")
        chapter.case_studies.set([case])
        chapter.packs.set([pack])
        Chapter.objects.create(handbook=handbook, order=2, title="Referrals", body=long)
    Handbook.objects.create(version=2, language="en", title="Draft", authors="A")


def test_no_site_or_handbook_page_is_wider_than_the_window(live_server, browser, log_in):
    world()
    public = ["/learning/", "/learning/handbook/", "/learning/handbook/1/el/"]
    editing = ["/learning/handbook/edit/", "/learning/handbook/2/en/edit/"]
    wide = {}
    for viewport in (PHONE, DESKTOP):
        page = browser.new_page(viewport=viewport)
        for role, paths in ((None, public), ("researcher", editing if viewport is PHONE else [])):
            if not paths:
                continue
            if role:
                page.goto(f"{live_server.url}/accounts/login/")
                log_in(page, role, PASSWORD)
                page.wait_for_load_state()
            for path in paths:
                response = page.goto(f"{live_server.url}{path}")
                assert response.status == 200, (role, path, response.status)
                wide[(viewport["width"], path)] = page.evaluate(OVERFLOW)
        page.close()
    assert {k: v for k, v in wide.items() if v > 0} == {}
