"""Interviews (research team only, consent first, coded excerpts, frequencies) and PAR cycles (school staff and
linked researchers only, phases in order)."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from safeschool.web.accounts.models import Role
from safeschool.web.accounts.services import user_create
from safeschool.web.cocreation import fieldwork, selectors
from safeschool.web.cocreation.models import Interview, ParCycle
from safeschool.web.network import services as network

ADULT = date.today().year - 40


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


def member(name, kind, country, level="c"):
    return network.member_join(username=name, password="pw-long-enough-1", email=f"{name}@example.org",
                               display_name=name.title(), stakeholder_type=kind, country=country,
                               birth_year=ADULT, level=level, consent=True)


@pytest.mark.django_db
def test_interviews_need_consent_and_stay_with_the_team(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    team = user_create(username="res", password="pw-long-enough-1", role=Role.RESEARCHER)
    teacher, parent = member("tea", "teacher", "ES"), member("par", "family", "IT")
    with pytest.raises(ValidationError, match="level \\(c\\) or \\(d\\)"):
        fieldwork.interview_schedule(user=team, interviewee=member("low", "ngo", "ES", level="a"), topic="x",
                                     scheduled_at=timezone.now())
    one = fieldwork.interview_schedule(user=team, interviewee=teacher, topic="Belonging", scheduled_at=timezone.now())
    with pytest.raises(ValidationError, match="consent before notes"):
        fieldwork.interview_record(user=team, interview=one, notes="said a lot")
    with pytest.raises(IntegrityError), transaction.atomic():  # the database refuses it too
        Interview.objects.filter(pk=one.pk).update(notes="sneaked in")
    fieldwork.interview_consent(user=team, interview=one, method="signed_form")
    fieldwork.interview_record(user=team, interview=one, notes="Mentions the mentor scheme.",
                               transcript=SimpleUploadedFile("t1.txt", b"Q: ... A: ..."))
    with pytest.raises(ValidationError, match="use .txt"):
        fieldwork.interview_record(user=team, interview=one, transcript=SimpleUploadedFile("t.exe", b"MZ"))
    fieldwork.excerpt_code(user=team, interview=one, text="I have an adult I trust.", codes=["secure base", "trust"])
    two = fieldwork.interview_schedule(user=team, interviewee=parent, topic="Families", scheduled_at=timezone.now())
    fieldwork.interview_consent(user=team, interview=two, method="recorded_oral")
    fieldwork.excerpt_code(user=team, interview=two, text="Nobody calls us.", codes=["trust"])
    assert selectors.code_frequencies("group") == [
        {"code": "secure base", "group": "teacher", "n": 1}, {"code": "trust", "group": "family", "n": 1},
        {"code": "trust", "group": "teacher", "n": 1}]
    assert {r["country"] for r in selectors.code_frequencies("country")} == {"ES", "IT"}
    client.force_login(teacher.user)  # the interviewee is not on the research team
    assert client.get(reverse("cocreation:interview", args=[one.pk])).status_code == 403
    assert client.get(reverse("cocreation:interviews")).status_code == 403
    client.force_login(team)
    page = client.get(reverse("cocreation:interview", args=[one.pk])).content.decode()
    assert "Mentions the mentor scheme." in page and "secure base" in page


@pytest.mark.django_db
def test_par_cycles_for_school_staff_and_linked_researchers(client, users, school, other_school):
    from safeschool.web.hub.models import Practice

    staff, outsider, researcher = users["staff_own"], users["staff_other"], users["researcher"]
    with pytest.raises(PermissionDenied):
        fieldwork.cycle_start(user=outsider, school=school, title="x", goal="y")
    cycle = fieldwork.cycle_start(user=staff, school=school, title="Morning check-in", goal="Fewer absences",
                                  researchers=[researcher])
    with pytest.raises(ValidationError, match="at least one action"):
        fieldwork.cycle_advance(user=staff, cycle=cycle)
    author = member("aut", "teacher", "ES")
    practice = Practice.objects.create(title="Check-in", country="ES", level="relational", years_in_place=2,
                                       stakeholders_involved="x", funding="x", evaluation="none", cost_band="low",
                                       licence="cc-by", status="accepted", submitted_by=author)
    fieldwork.action_add(user=researcher, cycle=cycle, description="Greet every student", practice=practice)
    for expected in ("act", "observe", "reflect"):
        assert fieldwork.cycle_advance(user=staff, cycle=cycle).phase == expected
    with pytest.raises(ValidationError, match="Actions are planned"):
        fieldwork.action_add(user=staff, cycle=cycle, description="late")
    fieldwork.note_add(user=staff, cycle=cycle, kind="evidence", text="Absences fell from 9 % to 6 %.")
    with pytest.raises(ValidationError, match="Write the reflection"):
        fieldwork.cycle_advance(user=staff, cycle=cycle)
    fieldwork.note_add(user=researcher, cycle=cycle, kind="reflection", text="Keep it; add parents.")
    assert fieldwork.cycle_advance(user=staff, cycle=cycle).finished_at is not None
    with pytest.raises(PermissionDenied):
        fieldwork.note_add(user=outsider, cycle=cycle, kind="evidence", text="x")
    client.force_login(outsider)
    assert client.get(reverse("cocreation:par", args=[cycle.pk])).status_code == 403
    assert "Morning check-in" not in client.get(reverse("cocreation:pars")).content.decode()
    client.force_login(staff)
    page = client.get(reverse("cocreation:par", args=[cycle.pk])).content.decode()
    assert "Greet every student" in page and "Check-in" in page and "Keep it; add parents." in page
    assert ParCycle.objects.get().notes.count() == 2


@pytest.mark.django_db
def test_interview_list_names_groups_and_countries_by_their_labels(client):
    team = user_create(username="res", password="pw-long-enough-1", role=Role.RESEARCHER)
    board = member("brd", "school_board", "EL")
    one = fieldwork.interview_schedule(user=team, interviewee=board, topic="Governance", scheduled_at=timezone.now())
    fieldwork.interview_consent(user=team, interview=one, method="signed_form")
    fieldwork.excerpt_code(user=team, interview=one, text="The board decides late.", codes=["timing"])
    client.force_login(team)
    page = client.get(reverse("cocreation:interviews"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "school_board" not in page  # the code, anywhere: table, code frequencies, the scheduling form
    interviews = page[page.index("<table"):page.index("</table>")]
    assert 'data-label="Group">School board or leadership</td>' in interviews
    assert 'data-label="Country">Greece</td>' in interviews
