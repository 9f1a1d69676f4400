"""Case studies for every role: anonymous visitors see published ones only (a draft is a 404, not a 403); the
filters narrow the list; the page carries the structured sections, the suggested citation and citation metadata;
school staff propose drafts about their own school only; publishing without the school's consent is refused by
the service and by the database; hostile text is escaped; forged ids and consent files are refused."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from safeschool.web.accounts.models import Role
from safeschool.web.accounts.services import user_create
from safeschool.web.interventions.models import Intervention
from safeschool.web.learning import services_cases as services
from safeschool.web.learning.models import CaseStudy
from safeschool.web.research.models import Country, RegionalEducationalCentre, School
from safeschool.web.research.services import staff_appoint

PASSWORD = "pw-long-enough-1"
ROLES = ("anonymous", "member", "staff_own", "staff_other", "researcher", "admin")
HOSTILE = '<script>alert("x")</script>'


def school_make(code: str, country: Country, rec=None) -> School:
    return School.objects.create(code=code, name=f"School {code}", country=country, stage="lower_secondary",
                                 context="urban", ses_composition=0.0, rec=rec)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory, test_settings_for):
    home = tmp_path_factory.mktemp("cases-home")
    with override_settings(**test_settings_for(home)), django_db_blocker.unblock(), transaction.atomic():
        country = Country.objects.create(code="IT", name="Italy", tracking_age=14, grade_repetition_pct=2.0,
                                         esl_rate_pct=3.0, esl_support=True, inclusion_index=0.5)
        rec = RegionalEducationalCentre.objects.create(code="REC-1", country=country, name="REC Nord")
        own, other = school_make("CS-A", country, rec), school_make("CS-B", country)
        users = {role: user_create(username=f"c-{role}", password=PASSWORD, role=r, email=f"{role}@example.org")
                 for role, r in (("member", Role.MEMBER), ("staff_own", Role.STAFF), ("staff_other", Role.STAFF),
                                 ("researcher", Role.RESEARCHER), ("admin", Role.ADMIN))}
        staff_appoint(user=users["staff_own"], school=own)
        staff_appoint(user=users["staff_other"], school=other)
        intervention = Intervention.objects.create(name="Mentoring", why="Belonging", status="ready")
        published = CaseStudy.objects.create(
            slug="mentoring-nord", title="Mentoring with the REC", country="IT", stages=["lower_secondary"],
            context="A town school.", practice="Weekly mentoring.", lessons="Start small.",
            authors="Rossi, M.; Bianchi, L.", school=own, rec=rec, consent_given_by="Head teacher",
            consent_on=dt.date(2026, 1, 10), published_at=timezone.make_aware(dt.datetime(2026, 3, 1)))
        published.interventions.add(intervention)
        other_pub = CaseStudy.objects.create(slug="family-liaison", title="Family liaison", country="ES",
                                             stages=["primary"], context="A village.", practice="Home visits.",
                                             authors="García, A.", published_at=timezone.now())
        draft = CaseStudy.objects.create(slug="draft-case", title="Secret draft", context="c", practice="p",
                                         authors="X", school=own)
        yield SimpleNamespace(users=users, own=own, other=other, rec=rec, intervention=intervention,
                              published=published, other_pub=other_pub, draft=draft)
        transaction.set_rollback(True)


@pytest.fixture
def w(world, db):
    return world


def as_role(client, w, role):
    if role != "anonymous":
        client.force_login(w.users[role])
    return client


def new_data(**extra) -> dict:
    return {"slug": "a-new-case", "title": "New case", "authors": "Verdi, G.", "context": "ctx",
            "practice": "prc", **extra}


def test_list_shows_published_only_and_filters(client, w):
    page = client.get(reverse("learning:cases")).content.decode()
    assert "Mentoring with the REC" in page and "Family liaison" in page
    assert "Secret draft" not in page
    for query, shown, hidden in (({"country": "ES"}, "Family liaison", "Mentoring with the REC"),
                                 ({"stage": "lower_secondary"}, "Mentoring with the REC", "Family liaison"),
                                 ({"rec": w.rec.pk}, "Mentoring with the REC", "Family liaison"),
                                 ({"intervention": w.intervention.pk}, "Mentoring with the REC", "Family liaison"),
                                 ({"q": "home visits"}, "Family liaison", "Mentoring with the REC")):
        page = client.get(reverse("learning:cases"), query).content.decode()
        assert shown in page and hidden not in page, query
    for bad in ({"rec": "abc"}, {"school": "9" * 30}, {"country": HOSTILE}):
        response = client.get(reverse("learning:cases"), bad)
        assert response.status_code == 400 and HOSTILE.encode() not in response.content


def test_case_page_sections_citation_and_metadata(client, w):
    response = client.get(reverse("learning:case", args=["mentoring-nord"]))
    page = response.content.decode()
    assert response.status_code == 200
    for section in ("Context", "Practice", "Lessons learnt"):
        assert f"<h2>{section}</h2>" in page
    assert "<h2>Evidence</h2>" not in page  # an empty section is left out
    today = timezone.localdate().isoformat()
    assert ("Rossi, M.; Bianchi, L. (2026). Mentoring with the REC. safeschool network case study. "
            f"http://testserver/learning/cases/mentoring-nord/, accessed {today}.") in page
    assert '<meta name="citation_title" content="Mentoring with the REC">' in page
    assert '<meta name="citation_author" content="Rossi, M.">' in page
    assert '<meta name="citation_author" content="Bianchi, L.">' in page
    assert '<meta name="citation_publication_date" content="2026/03/01">' in page
    head = page.split("</head>")[0]
    assert '<meta name="citation_title"' in head and '<meta property="og:title" content="Mentoring with the REC">' in head
    assert reverse("research:school_detail", args=[w.own.pk]) in page
    assert reverse("interventions:intervention", args=[w.intervention.pk]) in page


@pytest.mark.parametrize("role,status", [("anonymous", 404), ("member", 404), ("staff_other", 404),
                                         ("staff_own", 200), ("researcher", 200), ("admin", 200)])
def test_draft_seen_by_editors_only(client, w, role, status):
    assert as_role(client, w, role).get(reverse("learning:case", args=["draft-case"])).status_code == status


@pytest.mark.parametrize("role,status", [("anonymous", 302), ("member", 403), ("staff_own", 200),
                                         ("researcher", 200), ("admin", 200)])
def test_new_page_per_role(client, w, role, status):
    assert as_role(client, w, role).get(reverse("learning:case_new")).status_code == status


def test_staff_propose_for_own_school_only(client, w):
    client = as_role(client, w, "staff_own")
    response = client.post(reverse("learning:case_new"), new_data(school=w.other.pk))
    assert response.status_code == 400 and not CaseStudy.objects.filter(slug="a-new-case").exists()
    response = client.post(reverse("learning:case_new"), new_data(school=w.own.pk))
    assert response.status_code == 302
    case = CaseStudy.objects.get(slug="a-new-case")
    assert case.published_at is None and case.school == w.own
    with pytest.raises(PermissionDenied):
        services.case_create(user=w.users["staff_own"], data=new_data(slug="x2", school=None))
    with pytest.raises(PermissionDenied):
        services.case_publish(user=w.users["staff_own"], case=case)
    assert client.post(reverse("learning:case_publish", args=["a-new-case"])).status_code == 403


def test_publish_without_consent_refused_service_and_database(client, w):
    client = as_role(client, w, "researcher")
    response = client.post(reverse("learning:case_publish", args=["draft-case"]), follow=True)
    assert "only with the school&#x27;s consent" in response.content.decode()
    w.draft.refresh_from_db()
    assert w.draft.published_at is None
    with pytest.raises(ValidationError):
        services.case_publish(user=w.users["admin"], case=w.draft)
    with pytest.raises(IntegrityError), transaction.atomic():
        CaseStudy.objects.filter(pk=w.draft.pk).update(published_at=timezone.now())
    CaseStudy.objects.filter(pk=w.draft.pk).update(consent_given_by="Board", consent_on=dt.date(2026, 2, 1))
    client.post(reverse("learning:case_publish", args=["draft-case"]))
    w.draft.refresh_from_db()
    assert w.draft.published_at is not None
    assert client.get(reverse("learning:case", args=["draft-case"])).status_code == 200
    client.logout()
    assert client.get(reverse("learning:case", args=["draft-case"])).status_code == 200
    # once published, the school's staff no longer edit it; consent cannot be wiped from a published case
    assert as_role(client, w, "staff_own").get(reverse("learning:case_edit", args=["draft-case"])).status_code == 403
    with pytest.raises(ValidationError):
        services.case_update(user=w.users["researcher"], case=w.draft,
                             data={**new_data(slug="draft-case", school=w.own), "consent_given_by": ""})


def test_hostile_text_and_files(client, w):
    client = as_role(client, w, "researcher")
    response = client.post(reverse("learning:case_new"), new_data(
        slug="hostile", title=HOSTILE, context=HOSTILE, authors=HOSTILE, school=w.own.pk,
        consent_given_by="Head", consent_on="2026-01-01",
        consent_document=SimpleUploadedFile("consent.pdf", b"<html>not a pdf</html>")))
    assert response.status_code == 400 and not CaseStudy.objects.filter(slug="hostile").exists()
    response = client.post(reverse("learning:case_new"), new_data(slug="hostile", title=HOSTILE, context=HOSTILE,
                                                                  authors=HOSTILE, practices=["9" * 30]))
    assert response.status_code == 400
    response = client.post(reverse("learning:case_new"), new_data(slug="hostile", title=HOSTILE, context=HOSTILE,
                                                                  authors=HOSTILE))
    assert response.status_code == 302
    page = client.get(reverse("learning:case", args=["hostile"])).content.decode()
    assert HOSTILE not in page and "&lt;script&gt;" in page
    assert client.post(reverse("learning:case_new"), new_data(slug="new")).status_code == 400
    for bad in ("../etc", "x" * 100, "%00"):
        assert client.get(f"/learning/cases/{bad}/").status_code == 404


def test_edit_page_per_role_and_saves(client, w):
    url = reverse("learning:case_edit", args=["mentoring-nord"])
    for role, status in (("anonymous", 302), ("member", 403), ("staff_other", 403), ("staff_own", 403),
                         ("researcher", 200)):
        client.logout()
        assert as_role(client, w, role).get(url).status_code == status, role
    response = client.post(url, {**CaseFormData.of(w), "title": "Mentoring, renamed"})
    assert response.status_code == 302
    assert CaseStudy.objects.get(slug="mentoring-nord").title == "Mentoring, renamed"
    assert list(CaseStudy.objects.get(slug="mentoring-nord").interventions.all()) == [w.intervention]


class CaseFormData:
    @staticmethod
    def of(w) -> dict:
        return {"slug": "mentoring-nord", "title": "Mentoring with the REC", "authors": "Rossi, M.; Bianchi, L.",
                "country": "IT", "stages": ["lower_secondary"], "school": w.own.pk, "rec": w.rec.pk,
                "context": "A town school.", "practice": "Weekly mentoring.", "lessons": "Start small.",
                "interventions": [w.intervention.pk], "consent_given_by": "Head teacher", "consent_on": "2026-01-10"}
