"""Self-evaluation campaigns: codes (format, hashing, one use, also when two submissions race), answering (every
answer checked against the group's questionnaire, nothing written when one is wrong, one message for an unknown,
used or closed code), the throttle on guessing, closing (results kept, small groups suppressed), rates, and the
anonymity of a response (no link to its code, dated by day only). A small world without a cohort: one country,
two schools, a user per role, built once for the module and rolled back at its end."""

from __future__ import annotations

import datetime as dt
import re
from types import SimpleNamespace
from unittest import mock

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models as dj_models
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from safeschool.selfeval import questionnaire as questionnaires
from safeschool.vocabulary import MIN_CELL
from safeschool.web.accounts.models import Role
from safeschool.web.accounts.services import user_create
from safeschool.web.research.models import Country, School
from safeschool.web.research.services import staff_appoint
from safeschool.web.selfeval import selectors, services
from safeschool.web.selfeval.models import AccessCode, Campaign, Response
from safeschool.web.selfeval.views_campaigns import CODE_FAILURES

Q = questionnaires.load()
CODE_RE = re.compile(r"^[A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{2}$")


def asked(informant: str, kind: str) -> list[str]:
    return [c for c, i in Q.indicators.items() if informant in i.informants and i.type == kind]


def likert_answers(informant: str, value: int = 4) -> dict:
    return {code: str(value) for code in asked(informant, "likert")}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        country = Country.objects.create(code="HR", name="Croatia", tracking_age=14, grade_repetition_pct=2.0,
                                         esl_rate_pct=3.0, esl_support=True, inclusion_index=0.5)
        a, b = (School.objects.create(code=code, name=f"School {code}", country=country, stage="lower_secondary",
                                      context="urban", ses_composition=0.0) for code in ("SEA", "SEB"))
        users = {"member": user_create(username="m", password=None, role=Role.MEMBER),
                 "staff_a": user_create(username="sa", password=None, role=Role.STAFF),
                 "staff_b": user_create(username="sb", password=None, role=Role.STAFF),
                 "researcher": user_create(username="r", password=None, role=Role.RESEARCHER),
                 "admin": user_create(username="a", password=None, role=Role.ADMIN)}
        staff_appoint(user=users["staff_a"], school=a)
        staff_appoint(user=users["staff_b"], school=b)
        yield SimpleNamespace(users=users, a=a, b=b)
        transaction.set_rollback(True)


@pytest.fixture
def w(world, db):
    cache.clear()
    yield world
    cache.clear()


def open_campaign(w, informants=("leaders", "teachers", "students", "families")) -> Campaign:
    return services.campaign_open(w.users["staff_a"], w.a, "Spring", list(informants), None)


# --- opening and codes ----------------------------------------------------------------------------------------

def test_only_the_schools_staff_open_and_issue(w):
    for role in ("member", "staff_b", "researcher"):  # administrators are superusers: they may do everything
        with pytest.raises(PermissionDenied):
            services.campaign_open(w.users[role], w.a, "X", ["students"], None)
    campaign = open_campaign(w, ["students", "teachers"])
    assert campaign.informants == ["teachers", "students"]  # the questionnaire's order
    with pytest.raises(PermissionDenied):
        services.codes_issue(w.users["staff_b"], campaign, "students", 5)
    with pytest.raises(ValidationError) as err:
        services.campaign_open(w.users["staff_a"], w.a, " ", ["pupils"], timezone.localdate() - dt.timedelta(days=1))
    assert set(err.value.message_dict) == {"title", "informants", "closes_on"}


def test_codes_are_readable_random_and_stored_only_as_sha256(w):
    campaign = open_campaign(w)
    codes = services.codes_issue(w.users["staff_a"], campaign, "students", 300)
    assert len(codes) == len(set(codes)) == 300
    assert all(CODE_RE.match(c) for c in codes), codes[:3]
    stored = set(AccessCode.objects.filter(campaign=campaign).values_list("code_hash", flat=True))
    assert stored == {services.code_hash(c) for c in codes}
    plain = {c.replace("-", "") for c in codes}
    assert not any(h in plain or len(h) != 64 for h in stored)
    # typed in lower case, with spaces instead of dashes, the code is the same code
    assert services.code_hash(codes[0].lower().replace("-", " ")) == services.code_hash(codes[0])
    with pytest.raises(ValidationError):
        services.codes_issue(w.users["staff_a"], campaign, "students", services.CODES_MAX + 1)
    with pytest.raises(ValidationError):
        services.codes_issue(w.users["staff_a"], campaign, "students", 0)
    other = open_campaign(w, ["students"])
    with pytest.raises(ValidationError):
        services.codes_issue(w.users["staff_a"], other, "families", 3)  # not a group of this campaign


# --- answering ------------------------------------------------------------------------------------------------

def test_a_code_answers_once(w):
    campaign = open_campaign(w)
    code = services.codes_issue(w.users["staff_a"], campaign, "students", 1)[0]
    response = services.response_submit(code, likert_answers("students"), "es")
    assert (response.campaign_id, response.informant, response.language) == (campaign.pk, "students", "es")
    assert response.answers[asked("students", "likert")[0]] == 4
    with pytest.raises(services.CodeRefused) as used:
        services.response_submit(code, likert_answers("students"), "en")
    assert Response.objects.filter(campaign=campaign).count() == 1
    with pytest.raises(services.CodeRefused) as unknown:
        services.response_submit("ABCD-EFGH-JK", likert_answers("students"), "en")
    services.campaign_close(w.users["staff_a"], campaign)
    fresh = open_campaign(w)
    late = services.codes_issue(w.users["staff_a"], fresh, "students", 1)[0]
    services.campaign_close(w.users["staff_a"], fresh)
    with pytest.raises(services.CodeRefused) as closed:
        services.response_submit(late, likert_answers("students"), "en")
    # one message for the three: nothing tells a guesser which codes exist
    assert used.value.messages == unknown.value.messages == closed.value.messages


def test_a_code_past_the_last_day_does_not_answer(w):
    campaign = open_campaign(w)
    code = services.codes_issue(w.users["staff_a"], campaign, "students", 1)[0]
    Campaign.objects.filter(pk=campaign.pk).update(closes_on=timezone.localdate() - dt.timedelta(days=1))
    with pytest.raises(services.CodeRefused):
        services.response_submit(code, likert_answers("students"), "en")
    assert not Response.objects.filter(campaign=campaign).exists()


def test_two_concurrent_submissions_record_one_response(w):
    """The second submission reads the code as unused (before the first has written), then loses the
    conditional UPDATE: it fails and only the first response exists."""
    campaign = open_campaign(w)
    code = services.codes_issue(w.users["staff_a"], campaign, "teachers", 1)[0]
    original = services.answers_clean
    raced = []

    def race(*args, **kwargs):
        clean = original(*args, **kwargs)
        if not raced:  # the other submission arrives after this one checked the code, before it writes
            raced.append("second")
            raced.append(services.response_submit(code, likert_answers("teachers", 2), "en"))
        return clean

    with mock.patch.object(services, "answers_clean", race), pytest.raises(services.CodeRefused):
        services.response_submit(code, likert_answers("teachers", 5), "en")
    assert len(raced) == 2 and Response.objects.filter(campaign=campaign).count() == 1
    assert set(Response.objects.get(campaign=campaign).answers.values()) == {2}


@pytest.mark.parametrize("informant, bad, where", [
    ("students", {"learners_feel_safe": "7"}, "learners_feel_safe"),
    ("students", {"learners_feel_safe": "2.5"}, "learners_feel_safe"),
    ("students", {"learners_feel_safe": "abc"}, "learners_feel_safe"),
    ("leaders", "yes_no", "yes_no"),
    ("leaders", "figure", "figure"),
])
def test_invalid_answers_name_the_question_and_change_nothing(w, informant, bad, where):
    campaign = open_campaign(w)
    code = services.codes_issue(w.users["staff_a"], campaign, informant, 1)[0]
    answers = likert_answers(informant)
    if bad == "yes_no":
        where = asked("leaders", "yes_no")[0]
        bad = {where: "maybe"}
    elif bad == "figure":
        where = asked("leaders", "figure")[0]
        bad = {where: str(Q.indicators[where].figure.max + 1)}
    number = list(c for c, i in Q.indicators.items() if informant in i.informants).index(where) + 1
    with pytest.raises(ValidationError) as err:
        services.response_submit(code, answers | bad, "en")
    assert list(err.value.message_dict) == [where]
    message = err.value.message_dict[where][0]
    assert message.startswith(f"Question {number}:") and "\n" not in message
    assert not Response.objects.filter(campaign=campaign).exists()
    assert AccessCode.objects.get(campaign=campaign).used_on is None  # the code still answers
    assert services.response_submit(code, answers, "en").pk


def test_questions_not_asked_of_the_group_and_empty_answers_are_refused(w):
    campaign = open_campaign(w)
    code = services.codes_issue(w.users["staff_a"], campaign, "students", 1)[0]
    figure = asked("leaders", "figure")[0]
    with pytest.raises(ValidationError):
        services.response_submit(code, likert_answers("students") | {figure: "50"}, "en")
    with pytest.raises(ValidationError):
        services.response_submit(code, {c: "" for c in asked("students", "likert")}, "en")
    assert not Response.objects.exists() or not Response.objects.filter(campaign=campaign).exists()
    leaders = services.codes_issue(w.users["staff_a"], campaign, "leaders", 1)[0]
    yes_no = asked("leaders", "yes_no")[0]
    stored = services.response_submit(leaders, {yes_no: "yes", figure: "12.5"}, "en").answers
    assert stored == {yes_no: 1, figure: 12.5}


def test_a_response_is_never_linked_to_its_code(w):
    fk_targets = {f.related_model for f in Response._meta.get_fields() if f.is_relation}
    assert AccessCode not in fk_targets and fk_targets <= {Campaign}
    assert isinstance(Response._meta.get_field("submitted_on"), dj_models.DateField)
    assert not isinstance(Response._meta.get_field("submitted_on"), dj_models.DateTimeField)
    assert isinstance(AccessCode._meta.get_field("used_on"), dj_models.DateField)
    assert not isinstance(AccessCode._meta.get_field("used_on"), dj_models.DateTimeField)
    campaign = open_campaign(w)
    code = services.codes_issue(w.users["staff_a"], campaign, "students", 1)[0]
    response = services.response_submit(code, likert_answers("students"), "en")
    row = Response.objects.filter(pk=response.pk).values().get()
    text = repr(row)
    assert services.code_hash(code) not in text and code.replace("-", "") not in text and code not in text
    assert AccessCode.objects.get(campaign=campaign).used_on == row["submitted_on"]


# --- the throttle on guessing ---------------------------------------------------------------------------------

def test_guessing_codes_is_throttled_per_address(w, client):
    campaign = open_campaign(w)
    good = services.codes_issue(w.users["staff_a"], campaign, "students", 1)[0]
    url = reverse("selfeval:answer")
    limit = CODE_FAILURES[0]
    for _ in range(10):  # good codes entered again and again (a classroom behind one address) do not count
        assert client.post(url, {"code": good}).status_code == 200
    for i in range(limit):
        page = client.post(url, {"code": f"AAAA-BBBB-{i:02d}"})
        assert page.status_code == 400, i
    assert client.post(url, {"code": "AAAA-BBBB-CC"}).status_code == 429
    assert client.post(url, {"code": good}).status_code == 429  # once blocked, even a good code waits
    assert client.post(url, {"code": good}, REMOTE_ADDR="10.0.0.9").status_code == 200  # another address


def test_the_answer_step_cannot_be_used_to_try_codes(w, client):
    page = client.post(reverse("selfeval:answer_send"), {"token": "ABCD-EFGH-JK", **likert_answers("students")})
    assert page.status_code == 400 and not Response.objects.exists()


# --- closing and rates ----------------------------------------------------------------------------------------

def test_close_writes_results_with_small_groups_suppressed(w):
    campaign = open_campaign(w)
    staff = w.users["staff_a"]
    students = services.codes_issue(staff, campaign, "students", MIN_CELL + 2)
    families = services.codes_issue(staff, campaign, "families", 5)
    leaders = services.codes_issue(staff, campaign, "leaders", 2)
    for i, code in enumerate(students[:MIN_CELL]):
        services.response_submit(code, likert_answers("students", 1 + i % 5), "en")
    for code in families[:3]:
        services.response_submit(code, likert_answers("families", 5), "en")
    for code in leaders[:1]:
        services.response_submit(code, likert_answers("leaders", 5), "en")
    assert campaign.results is None
    closed = services.campaign_close(staff, campaign)
    closed.refresh_from_db()
    assert closed.closed_at is not None and closed.results
    by_group: dict[str, list] = {}
    for row in closed.results:
        by_group.setdefault(row["informant"], []).append(row)
    assert any(r.get("score_100") is not None for r in by_group["students"])
    assert {r["level"] for r in by_group["students"]} == {"dimension", "subdimension", "indicator"}
    assert any(r.get("score_100") == 100 for r in by_group["leaders"])  # a leader alone is shown (min_n 1)
    assert all(r.get("score") is None and r.get("score_100") is None for r in by_group.get("families", []))
    with pytest.raises(ValidationError):
        services.campaign_close(staff, closed)
    with pytest.raises(ValidationError):
        services.codes_issue(staff, closed, "students", 1)
    with pytest.raises(PermissionDenied):
        services.campaign_close(w.users["researcher"], open_campaign(w))


def test_rates_per_group(w):
    campaign = open_campaign(w, ["teachers", "students", "families"])
    staff = w.users["staff_a"]
    codes = services.codes_issue(staff, campaign, "students", 8)
    services.codes_issue(staff, campaign, "teachers", 4)
    for code in codes[:2]:
        services.response_submit(code, likert_answers("students"), "en")
    rates = {r["informant"]: r for r in selectors.rates(campaign)}
    assert list(rates) == ["teachers", "students", "families"]
    assert (rates["students"]["issued"], rates["students"]["used"], rates["students"]["rate"]) == (8, 2, 0.25)
    assert (rates["teachers"]["issued"], rates["teachers"]["used"], rates["teachers"]["rate"]) == (4, 0, 0.0)
    assert (rates["families"]["issued"], rates["families"]["rate"]) == (0, None)


def test_responses_frame_is_what_scoring_reads(w):
    campaign = open_campaign(w)
    staff = w.users["staff_a"]
    for code in services.codes_issue(staff, campaign, "students", 3):
        services.response_submit(code, likert_answers("students", 3), "en")
    frame = selectors.responses_frame(campaign)
    assert list(frame.columns[:2]) == ["school", "informant"] and list(frame.columns[2:]) == list(Q.indicators)
    assert len(frame) == 3 and set(frame["school"]) == {"SEA"} and set(frame["informant"]) == {"students"}
    assert frame[asked("students", "likert")[0]].tolist() == [3.0, 3.0, 3.0]
    assert frame[asked("leaders", "figure")[0]].isna().all()
    empty = selectors.responses_frame(open_campaign(w))
    assert empty.empty and list(empty.columns[2:]) == list(Q.indicators)
