"""Who reads a school's profile report at /reports/schools/<id>/ and its downloads: the school's staff, researchers
and administrators; a member or another school's staff is refused (403), a visitor sent to sign in; an unknown or
non-numeric id is a 404; a bad ?language= falls back to the school's language; the school page links to the report
for those who may read it."""

from __future__ import annotations

import pytest
import school_world
from django.db import transaction
from django.test import override_settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

EXPECTED = {"anonymous": 302, "member": 403, "staff_other": 403, "staff_own": 200, "researcher": 200, "admin": 200}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory, test_settings_for):
    with override_settings(**test_settings_for(tmp_path_factory.mktemp("school-pages-home"))), \
            django_db_blocker.unblock(), transaction.atomic():
        yield school_world.build()
        transaction.set_rollback(True)


@pytest.fixture
def client_as(client, world):
    def login(role: str):
        if role != "anonymous":
            client.force_login(world.users[role])
        return client

    return login


@pytest.mark.parametrize("role", list(EXPECTED))
def test_who_may_read_the_report(client_as, world, role):
    response = client_as(role).get(reverse("reports:school", args=[world.school.pk]))
    assert response.status_code == EXPECTED[role]
    if role == "anonymous":
        assert "/accounts/login/" in response["Location"]
    if response.status_code == 200:
        body = response.content.decode()
        assert "Scuola Test" in body and response["Content-Language"] == "it"
        assert reverse("reports:school_file", args=[world.school.pk, "pdf"]) + "?language=it" in body


def test_downloads_are_refused_as_the_page_is(client_as, world):
    url = reverse("reports:school_file", args=[world.school.pk, "pdf"])
    assert client_as("member").get(url).status_code == 403
    assert client_as("staff_other").get(url).status_code == 403


def test_the_pdf_and_html_downloads(client_as, world):
    client = client_as("staff_own")
    pdf = client.get(reverse("reports:school_file", args=[world.school.pk, "pdf"]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert 'filename="school-IT-T01-it.pdf"' in pdf["Content-Disposition"]
    html = client.get(reverse("reports:school_file", args=[world.school.pk, "html"]), {"language": "en"})
    assert html.status_code == 200 and 'filename="school-IT-T01-en.html"' in html["Content-Disposition"]
    assert b"School profile: Scuola Test" in html.content
    assert client.get(reverse("reports:school_file", args=[world.school.pk, "docx"])).status_code == 404


def test_wrong_ids_and_a_bad_language(client_as, world):
    client = client_as("researcher")
    assert client.get(reverse("reports:school", args=[world.school.pk + 1000])).status_code == 404
    assert client.get(f"/reports/schools/{world.school.code}/").status_code == 404
    response = client.get(reverse("reports:school", args=[world.school.pk]), {"language": "xx<script>"})
    assert response.status_code == 200 and response["Content-Language"] == "it"
    english = client.get(reverse("reports:school", args=[world.school.pk]), {"language": "en"})
    assert english["Content-Language"] == "en" and "School profile: Scuola Test" in english.content.decode()


def test_the_school_page_links_to_the_report_for_who_may_read_it(client_as, world):
    link = reverse("reports:school", args=[world.school.pk])
    assert link in client_as("researcher").get(reverse("research:school_detail", args=[world.school.pk])).content.decode()
    assert link not in client_as("member").get(reverse("research:school_detail", args=[world.school.pk])).content.decode()
