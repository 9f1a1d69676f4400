"""Red team of /recs/ (issue 18): staff of one school answering another school's side or needs form, REC staff of
another REC (or one who withdrew consent) answering or reading referral counts, hostile text on the REC and
partnership pages, personal data (e-mails) on them, absurd referral counts, and the report's drafts by guessing."""

from __future__ import annotations

import pytest
from django.urls import reverse
from recs_world import ROLES, world_built

from safeschool.partnership import instrument as instruments
from safeschool.web.recs.models import (
    NeedsResponse,
    RecProfile,
    RecStaff,
    ReferralCount,
    StateReport,
    SurveyResponse,
)

HOSTILE = "<script>alert('x')</script><img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory, test_settings_for):
    with world_built(django_db_blocker, tmp_path_factory.mktemp("recs-redteam"), test_settings_for) as built:
        with django_db_blocker.unblock():
            RecProfile.objects.create(rec=built.rec_b, area=HOSTILE, description=HOSTILE, services=["coaching"])
            RecStaff.objects.create(rec=built.rec_b, name=HOSTILE, role=HOSTILE)
            built.p_b.agreement = HOSTILE
            built.p_b.school_contact = HOSTILE
            built.p_b.save()
            StateReport.objects.create(version=7, title="Secretdraftreport", narrative={
                "summary": HOSTILE + "\n\n" + "Wordy " * 3000 + "\n\n" + "Endless" * 300 + "\n\nŽ😀李"})
        yield built


@pytest.fixture
def w(world, db):
    return world


def as_role(client, w, role):
    client.logout()
    if role != "anonymous":
        client.force_login(w.users[role])
    return client


def full_answer() -> dict:
    return {**{code: "3" for code in instruments.load().items}, "problems": ["time"], "comments": "x"}


@pytest.mark.parametrize("role", [r for r in ROLES if r not in {"anonymous", "researcher", "admin"}])
def test_nobody_answers_for_a_school_or_rec_that_is_not_theirs(client, w, role):
    """p_b is school C with REC B: none of these roles belongs to it (rec_staff_other is REC B's, so the REC side
    is theirs; everything else is refused, GET and POST alike)."""
    as_role(client, w, role)
    allowed = {("rec", "rec_staff_other")}
    for side in ("school", "rec"):
        url = reverse("recs:survey_answer", args=[w.wave.pk, w.p_b.pk, side])
        expected = 200 if (side, role) in allowed else 403
        assert client.get(url).status_code == expected, (side, role)
        if expected == 403:
            assert client.post(url, full_answer()).status_code == 403, (side, role)
    for school in (w.other, w.third):
        if role == "staff_other" and school == w.other:
            continue
        url = reverse("recs:needs_answer", args=[w.wave.pk, school.pk])
        assert client.post(url, {"role": "teacher"}).status_code == 403, (role, school.code)
    assert not SurveyResponse.objects.filter(partnership=w.p_b, side="school").exists()
    assert not NeedsResponse.objects.filter(school=w.third).exists()


@pytest.mark.parametrize("role", ["member", "staff_own", "staff_other", "rec_staff", "rec_withdrawn"])
def test_another_partnerships_referral_counts_stay_hidden(client, w, role):
    """Counts of p_b (school C, REC B) are for school C's staff, REC B's staff and the research team only."""
    ReferralCount.objects.create(partnership=w.p_b, month="2024-10-01", count=987654)
    as_role(client, w, role)
    for url in (reverse("recs:partnership", args=[w.p_b.pk]), reverse("recs:rec", args=[w.rec_b.pk]),
                reverse("recs:home"), reverse("recs:survey"), reverse("recs:wave", args=[w.wave.pk])):
        page = client.get(url).content.decode()
        assert "987654" not in page and "987,654" not in page and "987 654" not in page, (url, role)
        assert 'id="referrals"' not in page, (url, role)
    assert client.get(reverse("recs:referrals", args=[w.p_b.pk])).status_code == 403
    assert client.post(reverse("recs:referrals", args=[w.p_b.pk]), {"month": "2024-10", "count": "1"}).status_code == 403
    assert ReferralCount.objects.get(partnership=w.p_b, month="2024-10-01").count == 987654


def test_hostile_text_is_escaped_and_no_email_is_shown(client, w):
    as_role(client, w, "member")
    for url in (reverse("recs:rec", args=[w.rec_b.pk]), reverse("recs:partnership", args=[w.p_b.pk]),
                reverse("recs:home"), reverse("recs:rec", args=[w.rec.pk])):
        page = client.get(url)
        assert page.status_code == 200, url
        text = page.content.decode()
        assert "<script>alert" not in text and "<img src=x" not in text, url
        assert "@example.org" not in text, url  # staff are listed by name and role, never by e-mail


def test_absurd_referral_counts_and_months_are_refused_not_a_server_error(client, w):
    as_role(client, w, "staff_own")
    url = reverse("recs:referrals", args=[w.p.pk])
    for data in ({"month": "2024-12", "count": str(10**12)}, {"month": "2024-12", "count": "1e3"},
                 {"month": "2024-12", "count": "-0.5"}, {"month": "99999-01", "count": "1"},
                 {"month": "<script>", "count": "1"}, {"month": "2024-13", "count": "1"}):
        assert client.post(url, data).status_code == 400, data
    assert not ReferralCount.objects.filter(partnership=w.p, month__year__gt=2024).exists()
    assert ReferralCount.objects.filter(partnership=w.p).count() == 2


@pytest.mark.parametrize("role", ROLES)
def test_a_draft_report_is_not_found_by_guessing(client, w, role):
    as_role(client, w, role)
    for url in ("/recs/report/7/", "/recs/report/7/report.pdf", "/learning/reports/7/", "/learning/reports/7/report.pdf"):
        response = client.get(url)
        if role in {"researcher", "admin"} and url.startswith("/recs/"):
            assert response.status_code == 200, (url, role)
            if not url.endswith(".pdf"):
                text = response.content.decode()
                assert "<script>alert" not in text and "&lt;script&gt;" in text  # the narrative, as text
        else:
            assert response.status_code in (302, 404), (url, role)  # a draft's existence is not told
            assert b"Secretdraftreport" not in response.content
    if role not in {"researcher", "admin", "anonymous"}:  # editing: refused alike whether the version exists or not
        assert client.get("/recs/report/7/edit/").status_code == client.get("/recs/report/9999/edit/").status_code == 403
        assert client.post("/recs/report/7/publish/").status_code in (403, 404)
        assert StateReport.objects.get(version=7).published_at is None
