"""Case studies and resource packs on a 390 px phone and a 1366 px screen in Chromium: no page is wider than the
window (the filters, the pack table as cards, a video with its transcript, the forms), for a visitor and a
researcher; the captions track is loaded by the video."""

import datetime as dt
import os

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from safeschool.web.accounts.models import Role
from safeschool.web.accounts.services import user_create
from safeschool.web.learning.models import CaseStudy, PackItem, ResourcePack
from safeschool.web.research.models import Country, RegionalEducationalCentre, School

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE, DESKTOP = {"width": 390, "height": 844}, {"width": 1366, "height": 900}
OVERFLOW = "() => document.documentElement.scrollWidth - window.innerWidth"
PASSWORD = "pw-long-enough-1"
SHOTS = os.environ.get("SAFESCHOOL_LEARNING_SHOTS", "")
VTT = b"WEBVTT\n\n00:00.000 --> 00:02.000\nHello.\n"


def world():
    country = Country.objects.create(code="PT", name="Portugal", tracking_age=15, grade_repetition_pct=2.0,
                                     esl_rate_pct=3.0, esl_support=True, inclusion_index=0.5)
    rec = RegionalEducationalCentre.objects.create(code="R1", country=country, name="Centro de Formação Regional")
    school = School.objects.create(code="P1", name="Agrupamento de Escolas Professor Doutor Fernando Magalhães",
                                   country=country, stage="lower_secondary", context="urban", ses_composition=0.0,
                                   rec=rec)
    user_create(username="researcher", password=PASSWORD, role=Role.RESEARCHER)
    long = "Schools and the regional centre met every fortnight to review referrals and plan support. " * 8
    CaseStudy.objects.create(slug="fortnightly-referral-reviews", title="Fortnightly referral reviews between a "
                             "school cluster and its regional centre", country="PT", stages=["lower_secondary"],
                             context=long, partnership=long, practice=long, evidence=long, outcomes=long,
                             lessons=long, transferability=long, authors="Silva, A.; Costa, B. and Ferreira, C.",
                             school=school, rec=rec, consent_given_by="Director", consent_on=dt.date(2026, 1, 5),
                             published_at=timezone.now())
    pack = ResourcePack.objects.create(number=1, slug="referral-partnerships", title="Referral partnerships for "
                                       "school leaders and regional centre staff", summary=long,
                                       learning_outcomes=["Agree a referral pathway with the regional centre"] * 3,
                                       audiences=["leaders", "teachers", "rec_staff", "families"],
                                       published_at=timezone.now())
    video = PackItem(pack=pack, order=1, kind="video", title="A referral meeting", transcript=long)
    video.file.save("v.webm", ContentFile(b"\x1a\x45\xdf\xa3" + b"\x00" * 32), save=False)
    video.captions.save("c.vtt", ContentFile(VTT), save=False)
    video.save()
    PackItem.objects.create(pack=pack, order=2, kind="document", title="Meeting guide",
                            url="https://example.org/guide")


def test_no_case_or_pack_page_is_wider_than_the_window(live_server, browser, log_in):
    world()
    public = ["/learning/cases/", "/learning/cases/fortnightly-referral-reviews/", "/learning/packs/",
              "/learning/packs/referral-partnerships/"]
    editing = ["/learning/cases/new/", "/learning/cases/fortnightly-referral-reviews/edit/", "/learning/packs/new/"]
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
                if SHOTS:
                    page.screenshot(path=f"{SHOTS}/{viewport['width']}{path.replace('/', '_')}.png", full_page=True)
        page.close()
    assert {k: v for k, v in wide.items() if v > 0} == {}


def test_the_video_loads_its_captions(live_server, browser):
    world()
    page = browser.new_page(viewport=PHONE)
    page.goto(f"{live_server.url}/learning/packs/referral-partnerships/")
    page.wait_for_function("() => { const t = document.querySelector('video track'); return t && t.readyState === 2; }",
                           timeout=5000)
    assert page.locator(".transcript").is_visible()
