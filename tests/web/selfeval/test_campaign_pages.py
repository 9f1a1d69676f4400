"""Self-evaluation campaign pages: who reaches each address (anonymous, member, staff of another school, staff of
the school, researcher, administrator) with good, unknown and non-numeric ids; the home page per role; the
questionnaire in the interface language; opening, issuing codes (shown once, not stored by the browser) and
closing through the pages; and the answering flow on the web, which never shows a result."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse

from safeschool.selfeval import questionnaire as questionnaires
from safeschool.web.accounts.models import Role
from safeschool.web.accounts.services import user_create
from safeschool.web.research.models import Country, School
from safeschool.web.research.services import staff_appoint
from safeschool.web.selfeval import services
from safeschool.web.selfeval.models import AccessCode, Campaign, Response

Q = questionnaires.load()
ROLES = ("anonymous", "member", "staff_b", "staff_a", "researcher", "admin")
CODE_RE = re.compile(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{2}")


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        country = Country.objects.create(code="SI", name="Slovenia", tracking_age=15, grade_repetition_pct=1.0,
                                         esl_rate_pct=4.0, esl_support=True, inclusion_index=0.6)
        a, b = (School.objects.create(code=code, name=f"School {code}", country=country, stage="primary",
                                      context="rural", ses_composition=0.1) for code in ("SPA", "SPB"))
        users = {"member": user_create(username="m", password=None, role=Role.MEMBER),
                 "staff_a": user_create(username="sa", password=None, role=Role.STAFF),
                 "staff_b": user_create(username="sb", password=None, role=Role.STAFF),
                 "researcher": user_create(username="r", password=None, role=Role.RESEARCHER),
                 "admin": user_create(username="a", password=None, role=Role.ADMIN)}
        staff_appoint(user=users["staff_a"], school=a)
        staff_appoint(user=users["staff_b"], school=b)
        campaign = services.campaign_open(users["staff_a"], a, "Autumn check", ["teachers", "students"], None)
        codes = services.codes_issue(users["staff_a"], campaign, "students", 12)
        for code in codes[:3]:
            services.response_submit(code, {c: "4" for c, i in Q.indicators.items()
                                            if "students" in i.informants and i.type == "likert"}, "en")
        other = services.campaign_open(users["staff_b"], b, "B's campaign", ["leaders"], None)
        yield SimpleNamespace(users=users, a=a, b=b, campaign=campaign, other=other, codes=codes)
        transaction.set_rollback(True)


@pytest.fixture
def w(world, db):
    cache.clear()
    return world


@pytest.fixture
def as_role(client, w):
    def login(role: str):
        client.logout()
        if role != "anonymous":
            client.force_login(w.users[role])
        return client

    return login


READERS = {"staff_a", "researcher", "admin"}  # view_report of school A
RUNNERS = {"staff_a", "admin"}  # run_campaign of school A (administrators are superusers)


def expected(role: str, allowed: set[str]) -> int:
    if role == "anonymous":
        return 302
    return 200 if role in allowed else 403


@pytest.mark.parametrize("role", ROLES)
def test_who_reaches_each_page(w, as_role, role):
    client = as_role(role)
    pages = {
        reverse("selfeval:home"): 200,
        reverse("selfeval:questionnaire"): 200,
        reverse("selfeval:answer"): 200,
        reverse("selfeval:answer_thanks"): 200,
        reverse("selfeval:school", args=[w.a.pk]): expected(role, READERS),
        reverse("selfeval:campaign", args=[w.campaign.pk]): expected(role, READERS),
        reverse("selfeval:campaign_new", args=[w.a.pk]): expected(role, RUNNERS),
    }
    for url, status in pages.items():
        assert client.get(url).status_code == status, (role, url)
    for url in (reverse("selfeval:codes", args=[w.campaign.pk]), reverse("selfeval:close", args=[w.campaign.pk])):
        status = client.post(url, {}).status_code  # an empty form: refused before anything is done
        assert status == (302 if role == "anonymous" else 400 if url.endswith("codes/") and role in RUNNERS
                          else 302 if role in RUNNERS else 403), (role, url, status)
    if role != "admin":
        assert Campaign.objects.get(pk=w.campaign.pk).closed_at is None or role in RUNNERS


@pytest.mark.parametrize("role", ["staff_a", "researcher", "member", "anonymous"])
@pytest.mark.parametrize("path", ["/selfeval/schools/{}/", "/selfeval/campaigns/{}/", "/selfeval/campaigns/new/{}/",
                                  "/selfeval/campaigns/{}/codes/", "/selfeval/campaigns/{}/close/"])
def test_wrong_and_non_numeric_ids(w, as_role, role, path):
    client = as_role(role)
    post = path.endswith(("codes/", "close/"))
    for bad in ("999999", "abc", "-1", "1.5", "%00"):
        response = client.post(path.format(bad)) if post else client.get(path.format(bad))
        assert response.status_code in ((302, 404) if role == "anonymous" else (404,)), (bad, response.status_code)


def test_staff_of_another_school_cannot_touch_this_campaign(w, as_role):
    client = as_role("staff_b")
    before = AccessCode.objects.filter(campaign=w.campaign).count()
    assert client.post(reverse("selfeval:codes", args=[w.campaign.pk]),
                       {"informant": "students", "count": 5}).status_code == 403
    assert client.post(reverse("selfeval:close", args=[w.campaign.pk])).status_code == 403
    assert AccessCode.objects.filter(campaign=w.campaign).count() == before
    assert Campaign.objects.get(pk=w.campaign.pk).closed_at is None


def test_home_per_role(w, as_role):
    staff = as_role("staff_a").get(reverse("selfeval:home")).content.decode()
    assert "Autumn check" in staff and reverse("selfeval:campaign_new", args=[w.a.pk]) in staff
    assert "B&#x27;s campaign" not in staff and "B's campaign" not in staff
    network = as_role("researcher").get(reverse("selfeval:home")).content.decode()
    assert "Autumn check" in network and "campaign" in network and w.b.name in network
    assert reverse("selfeval:campaign_new", args=[w.a.pk]) not in network
    for role in ("member", "anonymous"):
        page = as_role(role).get(reverse("selfeval:home")).content.decode()
        assert reverse("selfeval:questionnaire") in page and "Autumn check" not in page
    assert 'href="/selfeval/"' in as_role("staff_a").get("/").content.decode()  # the nav entry
    assert 'href="/selfeval/"' not in as_role("member").get("/").content.decode()


def test_the_questionnaire_page_in_the_interface_language(w, client):
    english = client.get(reverse("selfeval:questionnaire")).content.decode()
    indicator = Q.indicators["learners_feel_safe"]
    assert indicator.text("students", "en") in english and Q.name_of("safe_learner", "en") in english
    assert english.count("data-indicator=") == len(Q.indicators)
    translated = client.get(reverse("selfeval:questionnaire"), HTTP_ACCEPT_LANGUAGE="pl").content.decode()
    assert "data-translation-status" in translated
    if Q.languages.get("pl") not in (None, "not_translated"):
        assert indicator.text("students", "pl") in translated


def test_issue_codes_shows_them_once_and_not_stored(w, as_role):
    client = as_role("staff_a")
    before = AccessCode.objects.filter(campaign=w.campaign).count()
    page = client.post(reverse("selfeval:codes", args=[w.campaign.pk]), {"informant": "teachers", "count": 7})
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    html = page.content.decode()
    shown = set(CODE_RE.findall(html.split('class="selfeval-slips"')[1]))
    assert len(shown) == 7 and AccessCode.objects.filter(campaign=w.campaign).count() == before + 7
    stored = set(AccessCode.objects.filter(campaign=w.campaign, informant="teachers").values_list("code_hash",
                                                                                                     flat=True))
    assert {services.code_hash(c) for c in shown} <= stored
    assert "data:text/csv" in html and reverse("selfeval:answer") in html
    detail = client.get(reverse("selfeval:campaign", args=[w.campaign.pk])).content.decode()
    assert not shown & set(CODE_RE.findall(detail))  # never shown again
    bad = client.post(reverse("selfeval:codes", args=[w.campaign.pk]), {"informant": "families", "count": 3})
    assert bad.status_code == 400  # not a group of this campaign
    too_many = client.post(reverse("selfeval:codes", args=[w.campaign.pk]), {"informant": "students", "count": 2001})
    assert too_many.status_code == 400


def test_rates_page_shows_a_bar_per_group(w, as_role):
    html = as_role("researcher").get(reverse("selfeval:campaign", args=[w.campaign.pk])).content.decode()
    assert 'data-informant="students"' in html and 'data-informant="teachers"' in html
    assert "3 of 12 codes used (25" in html and 'style="width: 25%"' in html
    assert "Issue the codes" not in html and "Close the campaign" not in html  # researchers read, staff run
    own = as_role("staff_a").get(reverse("selfeval:campaign", args=[w.campaign.pk])).content.decode()
    assert "Issue the codes" in own and "Close the campaign" in own


def test_open_and_close_through_the_pages(w, as_role):
    client = as_role("staff_a")
    page = client.post(reverse("selfeval:campaign_new", args=[w.a.pk]), {"title": "", "informants": []})
    assert page.status_code == 400
    page = client.post(reverse("selfeval:campaign_new", args=[w.a.pk]),
                       {"title": "Spring", "informants": ["students", "leaders"]})
    campaign = Campaign.objects.get(school=w.a, title="Spring")
    assert page.status_code == 302 and campaign.informants == ["leaders", "students"]
    assert client.post(reverse("selfeval:close", args=[campaign.pk])).status_code == 302
    campaign.refresh_from_db()
    assert campaign.closed_at is not None and campaign.results == []


def answer_values(informant: str, value: str = "4") -> dict:
    return {c: value for c, i in Q.indicators.items() if informant in i.informants and i.type == "likert"}


def test_answering_on_the_web_never_shows_results(w, client):
    code = w.codes[5]
    start = client.post(reverse("selfeval:answer"), {"code": code.lower()})
    html = start.content.decode()
    assert start.status_code == 200 and "no-store" in start["Cache-Control"]
    token = re.search(r'name="token" value="([^"]+)"', html).group(1)
    assert html.count('<fieldset id="q-') == sum("students" in i.informants for i in Q.indicators.values())
    assert 'type="radio"' in html and Q.anchor(1, "en") in html and "data-leaders-notice" not in html
    for leak in ("selfeval-rates", "score", "codes used", "/report/", "/report.pdf", "Autumn check"):
        assert leak not in html, leak  # (the site's footer links /reports/, the public list of reports)
    bad = client.post(reverse("selfeval:answer_send"), {"token": token, **answer_values("students", "9")})
    assert bad.status_code == 400 and "Question 1:" in bad.content.decode()
    assert AccessCode.objects.get(code_hash=services.code_hash(code)).used_on is None
    sent = client.post(reverse("selfeval:answer_send"), {"token": token, **answer_values("students")})
    assert sent.status_code == 302 and sent["Location"] == reverse("selfeval:answer_thanks")
    thanks = client.get(sent["Location"]).content.decode()
    for leak in ("selfeval-rates", "score", "%", "/report"):
        assert leak not in thanks.split("<main")[1].split("</main>")[0], leak
    assert client.get(reverse("selfeval:answer_send"))["Location"] == reverse("selfeval:answer")  # language switch
    again = client.post(reverse("selfeval:answer_send"), {"token": token, **answer_values("students")})
    assert again.status_code == 400 and "cannot be used" in again.content.decode()
    assert Response.objects.filter(campaign=w.campaign).count() == 4


def test_leaders_are_told_their_answers_are_attributable(w, client):
    code = services.codes_issue(w.users["staff_b"], w.other, "leaders", 1)[0]
    html = client.post(reverse("selfeval:answer"), {"code": code}).content.decode()
    assert "data-leaders-notice" in html and "attributable to the leadership team" in html
    figure = next(i for i in Q.indicators.values() if i.type == "figure")
    assert f'name="{figure.code}"' in html and figure.figure.unit in html
