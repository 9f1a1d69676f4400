"""Consent and participation levels bind every co-creation action on the server: a panellist who withdrew their
consent or stepped down below level (c) cannot rate (nothing is stored) and gets no reminders; nothing is recorded or
coded for an interviewee who withdrew."""

from __future__ import annotations

from datetime import date

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from safeschool.web.accounts.models import Role
from safeschool.web.accounts.services import user_create
from safeschool.web.cocreation import fieldwork, services
from safeschool.web.cocreation.models import Excerpt, Interview, Rating
from safeschool.web.network import services as network

pytestmark = pytest.mark.django_db
ADULT = date.today().year - 40


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


def _member(name: str, level: str = "c"):
    return network.member_join(username=name, password="pw-long-enough-1", email=f"{name}@example.org",
                               display_name=name.title(), stakeholder_type="teacher", country="ES",
                               birth_year=ADULT, level=level, consent=True)


@pytest.fixture
def study_open():
    researcher = user_create(username="res", password="pw-long-enough-1", role=Role.RESEARCHER)
    panel = [_member(f"p{i}") for i in range(3)]
    study = services.study_create(user=researcher, title="Principles", rule={"name": "comet"})
    services.panel_invite(user=researcher, study=study, members=panel)
    services.statement_add(user=researcher, study=study, code="S1", text="A caring adult.", level="relational")
    r1 = services.round_open(user=researcher, study=study)
    return researcher, study, r1, panel


def test_a_withdrawn_panellist_cannot_rate_and_nothing_is_stored(study_open, client):
    _, study, r1, panel = study_open
    withdrawn = panel[0]
    network.consent_withdraw(member=withdrawn, kind="membership")
    statement = r1.statements.get()
    with pytest.raises(PermissionDenied, match="consent to the membership terms withdrawn"):
        services.rating_submit(user=withdrawn.user, round=r1, statement=statement, value=7, comment="still here")
    client.force_login(withdrawn.user)
    page = client.get(reverse("cocreation:rate", args=[study.pk]))
    assert page.status_code == 403 and "consent to the membership terms withdrawn" in page.content.decode()
    posted = client.post(reverse("cocreation:rate", args=[study.pk]),
                         {"statement": statement.pk, "value": "7", "comment": "still here"})
    assert posted.status_code == 403
    assert not Rating.objects.filter(panellist__member=withdrawn).exists()


def test_a_panellist_who_stepped_down_below_level_c_cannot_rate(study_open, client):
    _, study, r1, panel = study_open
    network.level_change(member=panel[1], level="b")
    with pytest.raises(PermissionDenied, match=r"level \(c\) or \(d\) is needed"):
        services.rating_submit(user=panel[1].user, round=r1, statement=r1.statements.get(), value=7)
    client.force_login(panel[1].user)
    assert client.post(reverse("cocreation:rate", args=[study.pk]),
                       {"statement": r1.statements.get().pk, "value": "7"}).status_code == 403
    assert not Rating.objects.filter(panellist__member=panel[1]).exists()


def test_reminders_skip_panellists_who_may_not_rate(study_open):
    researcher, _, r1, panel = study_open
    network.consent_withdraw(member=panel[0], kind="membership")
    network.level_change(member=panel[1], level="a")
    mail.outbox.clear()
    assert services.reminders_send(user=researcher, round=r1) == 1
    assert [m.to for m in mail.outbox] == [["p2@example.org"]]


def test_nothing_is_recorded_or_coded_for_an_interviewee_who_withdrew(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    team = user_create(username="res", password="pw-long-enough-1", role=Role.RESEARCHER)
    one = _member("tea")
    interview = fieldwork.interview_schedule(user=team, interviewee=one, topic="Belonging",
                                             scheduled_at=timezone.now())
    fieldwork.interview_consent(user=team, interview=interview, method="signed_form")
    network.consent_withdraw(member=one, kind="membership")
    interview = Interview.objects.get(pk=interview.pk)
    with pytest.raises(ValidationError, match="consent to the membership terms withdrawn"):
        fieldwork.interview_record(user=team, interview=interview, notes="said a lot")
    with pytest.raises(ValidationError, match="withdrawn"):
        fieldwork.excerpt_code(user=team, interview=interview, text="I trust her.", codes=["trust"])
    with pytest.raises(ValidationError, match="withdrawn"):
        fieldwork.interview_schedule(user=team, interviewee=one, topic="Again", scheduled_at=timezone.now())
    assert Interview.objects.get(pk=interview.pk).notes == "" and not Excerpt.objects.exists()


def test_the_panel_page_offers_only_members_who_may_join(study_open, client):
    researcher, study, _, _ = study_open
    _member("willing")
    withdrawn = _member("gone")
    network.consent_withdraw(member=withdrawn, kind="membership")
    client.force_login(researcher)
    page = client.get(reverse("cocreation:study", args=[study.pk])).content.decode()
    assert "Willing" in page and "Gone" not in page
