"""Export and erasure are complete: every model field that points to a person has a decision
(network/personal_data.PERSONAL_DATA), the export holds every kind of record, and after erasure no personal field
keeps its old value and the interview transcripts are gone from storage."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from safeschool.web.accounts.models import Role
from safeschool.web.accounts.services import user_create
from safeschool.web.analysis.models import AnalysisRun
from safeschool.web.cocreation import fieldwork
from safeschool.web.cocreation import services as delphi
from safeschool.web.cocreation.models import Interview, Rating, RatingCount
from safeschool.web.hub import library_services
from safeschool.web.hub import services as hub
from safeschool.web.hub.models import (
    Community,
    Document,
    Newsletter,
    Post,
    Practice,
    PracticeReview,
    Programme,
    ProgrammeSignoff,
    Report,
)
from safeschool.web.network import services as network
from safeschool.web.network.models import Member
from safeschool.web.network.personal_data import PERSONAL_DATA
from safeschool.web.recs.models import RecStaff
from safeschool.web.reports.models import Brief, Endorsement
from safeschool.web.research.models import Country, RegionalEducationalCentre

User = get_user_model()
CHILD, ADULT = date.today().year - 14, date.today().year - 40


def _person_fields() -> set[str]:
    """Every forward field (FK, one-to-one, many-to-many) of every installed model that points to a user or to
    a network member."""
    return {f"{model._meta.label}.{field.name}" for model in apps.get_models()
            for field in model._meta.get_fields()
            if field.is_relation and not field.auto_created and field.related_model in (User, Member)}


def test_every_field_that_points_to_a_person_has_a_decision():
    missing = sorted(_person_fields() - set(PERSONAL_DATA))
    assert missing == [], f"decide what export and erasure do with: {missing} (network/personal_data.py)"
    for key, decision in PERSONAL_DATA.items():  # and each decision names a real field
        label, name = key.rsplit(".", 1)
        apps.get_model(label)._meta.get_field(name)
        assert decision.erasure in ("deleted", "anonymised", "unlinked", "kept", "partly") and decision.why, key


def test_the_documentation_shows_every_decision():
    doc = (Path(__file__).resolve().parents[3] / "docs" / "network.md").read_text()
    assert [key for key in PERSONAL_DATA if f"`{key}`" not in doc] == []


@pytest.fixture
def everything(db, settings, tmp_path):
    """A member under 16 (with a parent's consent) who has done everything the platform records, and others."""
    settings.MEDIA_ROOT = tmp_path
    cache.clear()
    researcher = user_create(username="res", password="pw-long-enough-1", role=Role.RESEARCHER)
    admin = user_create(username="root", password="pw-long-enough-1", role=Role.ADMIN)

    def join(name, **extra):
        fields = {"stakeholder_type": "teacher", "country": "ES", "birth_year": ADULT, "level": "c"} | extra
        return network.member_join(username=name, password="pw-long-enough-1", email=f"{name}@example.org",
                                   display_name=name.title(), consent=True, **fields)

    me = join("ana", stakeholder_type="practitioner", sector="education", country="IT", birth_year=CHILD,
              organisation="Liceo Galilei", languages=["it", "en"], topics=["gender"],
              directory={"newsletters": True, "in_directory": True, "show_organisation": True, "show_country": True,
                         "show_type": True, "show_topics": True})
    network.consent_give(member=me, kind="parental", given_by="Maria Rossi")
    network.level_change(member=me, level="d")
    network.member_moderator_set(user=admin, member=me)
    me = Member.objects.get(pk=me.pk)
    others = [join(f"o{i}") for i in range(3)]
    community = Community.objects.get(slug="country-it")
    hub.community_join(member=me, community=community)
    hub.community_moderator_add(user=admin, community=community, member=me)
    mine = hub.post_create(user=me.user, community=community, title="Our mentor scheme", body="Ana's text")
    hub.post_create(user=me.user, community=community, title="Open day", body="Come", kind="event",
                    event_starts=timezone.now(), event_place="Aula magna, Liceo Galilei")
    hub.post_create(user=me.user, community=community, title="A guide", body="Read it", kind="share",
                    link="https://example.org/ana-guide")
    hub.community_join(member=others[0], community=community)
    theirs = hub.post_create(user=others[0].user, community=community, title="Question", body="How?")
    hub.comment_create(user=me.user, post=theirs, body="Ana answers")
    report = hub.report_create(user=me.user, post=theirs, reason="Ana thinks this is off-topic")
    hub.moderate(user=me.user, report=report, hide=True, reason="Off-topic, says Ana")
    hub.comment_create(user=others[1].user, post=mine, body="Thanks")
    rude = hub.comment_create(user=others[2].user, post=theirs, body="Rude")
    hub.moderate(user=me.user, report=hub.report_create(user=others[1].user, comment=rude, reason="rude"), hide=True,
                 reason="Rude, says Ana")
    Newsletter.objects.create(subject="Ana's news", body="News", created_by=me)
    library_services.wiki_save(user=me.user, title="Secure base", body="Ana wrote this.", kind="concept")
    practice = dict(summary="s", country="IT", level="community", years_in_place=3, stakeholders_involved="Ana",
                    funding="school", evaluation="internal", cost_band="low", licence="cc-by")
    Practice.objects.create(title="Ana's accepted practice", status="accepted", submitted_by=me, **practice)
    Practice.objects.create(title="Ana's draft practice", submitted_by=me, **practice)
    reviewed = Practice.objects.create(title="Other's practice", submitted_by=others[0], **practice)
    PracticeReview.objects.create(practice=reviewed, reviewer=me, decision="accept", tier="promising",
                                  comment="Ana liked it")
    programme = Programme.objects.create(title="P", country="IT", level="community", tier="promising")
    ProgrammeSignoff.objects.create(programme=programme, reviewer=me, note="Ana signs")
    Document.objects.create(title="D", country="IT", level="community", kind="guide", uploaded_by=me,
                            file=ContentFile(b"guide", name="guide.pdf"))
    # Delphi: round 1 closed with Ana's rating and comment, round 2 open with another
    study = delphi.study_create(user=researcher, title="Principles", rule={"name": "comet"})
    delphi.panel_invite(user=researcher, study=study, members=[me, *others])
    delphi.statement_add(user=researcher, study=study, code="S1", text="A caring adult.", level="relational")
    delphi.statement_add(user=researcher, study=study, code="S2", text="Exclusion as last resort.", level="community")
    r1 = delphi.round_open(user=researcher, study=study)
    for who in (me, *others):
        for s in r1.statements.all():
            delphi.rating_submit(user=who.user, round=r1, statement=s, value=5,
                                 comment="Ana: in closed round" if who == me and s.code == "S1" else "")
    delphi.round_close(user=researcher, round=r1)
    r2 = delphi.round_open(user=researcher, study=study)
    delphi.rating_submit(user=me.user, round=r2, statement=r2.statements.first(), value=8,
                         comment="Ana: in open round")
    # an interview with notes, a transcript and a coded excerpt
    interview = fieldwork.interview_schedule(user=researcher, interviewee=me, topic="Belonging",
                                             scheduled_at=timezone.now(), place="Liceo Galilei, room 4")
    fieldwork.interview_consent(user=researcher, interview=interview, method="signed_form")
    fieldwork.interview_record(user=researcher, interview=interview, notes="Ana said a lot",
                               transcript=SimpleUploadedFile("ana.txt", b"Q: ... A: Ana's words"))
    fieldwork.excerpt_code(user=researcher, interview=interview, text="I have an adult I trust.", codes=["trust"])
    # a place on a Regional Educational Centre's staff list
    country = Country.objects.create(code="IT", name="Italy", tracking_age=14, grade_repetition_pct=3,
                                     esl_rate_pct=11, esl_support=True, inclusion_index=0.5)
    rec = RegionalEducationalCentre.objects.create(code="IT-REC1", country=country, name="REC Milano")
    RecStaff.objects.create(rec=rec, name="Ana", role="Family liaison officer", member=me)
    # an endorsement of a published policy brief (made directly: a brief needs a succeeded analysis)
    run = AnalysisRun.objects.create(kind="ecological", parameters={"outcome": "achievement"}, status="succeeded",
                                     result={}, finished_at=timezone.now())
    brief = Brief.objects.create(title="A brief", slug="a-brief", analysis=run, key_messages="Ana endorses it.",
                                 status="published", published_at=timezone.now(), created_by=researcher)
    Endorsement.objects.create(brief=brief, member=me)
    return {"member": Member.objects.get(pk=me.pk), "rounds": (r1, r2), "interview": Interview.objects.get(
        pk=interview.pk), "others": others}


@pytest.mark.django_db
def test_the_export_holds_every_kind_of_record(everything, client):
    me = everything["member"]
    client.force_login(me.user)
    data = json.loads(client.get(reverse("network:export")).content)
    for section in ("level_changes", "consents", "communities", "posts", "comments", "reports", "moderation",
                    "newsletters", "wiki_revisions", "practices", "practice_reviews", "programme_signoffs",
                    "documents", "delphi", "interviews", "rec_staff", "brief_endorsements"):
        assert data[section], f"the export has no {section}"
    assert {c["given_by"] for c in data["consents"]} >= {"Maria Rossi"}
    assert {"Ana's text", "Come"} <= {p["body"] for p in data["posts"]}
    ratings = data["delphi"][0]["ratings"]
    assert {r["comment"] for r in ratings} >= {"Ana: in closed round", "Ana: in open round"} and len(ratings) == 3
    assert data["interviews"][0]["notes"] == "Ana said a lot" and data["interviews"][0]["excerpts"][0]["codes"] == [
        "trust"] and data["interviews"][0]["transcript"]
    assert {c["moderator"] for c in data["communities"]} == {True, False}
    assert data["wiki_revisions"][0]["body"] == "Ana wrote this."


def _rows(key: str, member: Member):
    """The records a decision covers: those whose field points to this member (or their account)."""
    label, name = key.rsplit(".", 1)
    model, decision = apps.get_model(label), PERSONAL_DATA[key]
    field = model._meta.get_field(name)
    target = member.user if field.related_model is User else member
    return model.objects.filter(**{decision.via or name: target})


@pytest.mark.django_db
def test_after_erasure_no_personal_field_keeps_its_value_and_files_are_gone(everything, client,
                                                                          django_capture_on_commit_callbacks):
    me, interview = everything["member"], everything["interview"]
    transcript = Path(interview.transcript.path)
    assert transcript.exists()
    before = {key: {pk: values for pk, *values in _rows(key, me).values_list("pk", *d.fields)}
              for key, d in PERSONAL_DATA.items() if d.erasure in ("deleted", "unlinked", "anonymised")}
    assert all(before.values()), [k for k, v in before.items() if not v]  # the fixture covers every decision
    username = me.user.username
    client.force_login(me.user)
    with django_capture_on_commit_callbacks(execute=True):  # what runs once the erasure commits
        assert client.post(reverse("network:erase"), {"confirm": username}).status_code == 200
    me = Member.objects.get(pk=me.pk)
    kept = []
    for key, rows in before.items():
        decision = PERSONAL_DATA[key]
        if decision.erasure in ("deleted", "unlinked"):
            assert not _rows(key, me).exists(), f"{key}: still refers to the erased member"
            continue
        label, _ = key.rsplit(".", 1)
        now = {pk: values for pk, *values in apps.get_model(label).objects.filter(pk__in=rows)
               .values_list("pk", *decision.fields)}
        for pk, old in rows.items():
            for field, was, is_now in zip(decision.fields, old, now.get(pk, [None] * len(old)), strict=True):
                if was not in ("", None, [], False) and was == is_now:
                    kept.append(f"{key} {pk} {field}={was!r}")
    assert kept == []
    user = User.objects.get(pk=me.user_id)
    assert user.username.startswith("erased-") and user.email == "" and not user.is_active
    assert not user.has_usable_password()
    assert not transcript.exists()  # the transcript file is deleted from storage once the erasure commits
    # partly: the open round's rating went (and its count), the closed round's stays as the results rest on it
    r1, r2 = everything["rounds"]
    assert not Rating.objects.filter(round=r2).exists() and sum(RatingCount.objects.filter(round=r2)
                                                                .values_list("n", flat=True)) == 0
    assert Rating.objects.filter(round=r1, panellist__member=me, comment="Ana: in closed round").exists()
    assert list(Practice.objects.filter(submitted_by=me).values_list("title", flat=True)) == [
        "Ana's accepted practice"]
    # nothing public shows the member: posts are signed 'Former member' and carry no text of theirs
    client.force_login(everything["others"][1].user)
    page = client.get(reverse("hub:post", args=[Post.objects.filter(author=me).first().pk])).content.decode()
    assert "Former member" in page and "Ana" not in page
    assert Report.objects.filter(reporter=me).get().reason != "Ana thinks this is off-topic"



@pytest.mark.django_db
def test_a_failed_erasure_changes_nothing_and_keeps_the_files(everything, monkeypatch,
                                                              django_capture_on_commit_callbacks):
    """One transaction: if any step fails, every app's part is rolled back and no file is deleted."""
    me, interview = everything["member"], everything["interview"]
    transcript = Path(interview.transcript.path)

    def fail(**kwargs):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(network, "consent_withdraw", fail)  # the network's last step, after every app's part
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        network.member_erase(user=User.objects.get(pk=me.user_id))
    assert transcript.exists() and Interview.objects.get(pk=interview.pk).notes == "Ana said a lot"
    assert Post.objects.filter(author=me, body="Ana's text").exists() and me.communities.exists()
    assert Member.objects.get(pk=me.pk).display_name == "Ana" and User.objects.get(pk=me.user_id).is_active
