"""Issue 14 attacked: the import mapping form (grouped by instrument) as every role, with another researcher's
upload, hostile tokens and hostile column choices. Refusals are 302/403/404 or a form error; nothing is imported."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from safeschool.web.accounts.models import Role
from safeschool.web.accounts.services import user_create
from safeschool.web.research.models import Student

pytestmark = pytest.mark.django_db(transaction=True)
ROLES = ("anonymous", "member", "staff_own", "staff_other", "researcher", "admin")


@pytest.fixture
def staged(client_as, survey_file):
    client = client_as("researcher")
    with open(survey_file, "rb") as fh:
        upload = client.post(reverse("imports:list"), {"file": fh, "target": "student_survey"})
    assert upload.status_code == 302
    client.logout()
    return upload["Location"]


@pytest.mark.parametrize("role", ROLES)
def test_only_the_uploader_sees_or_posts_the_mapping_form(client_as, users, staged, role):
    before = Student.objects.count()
    client = client_as(role)
    for response in (client.get(staged), client.post(staged, {"action": "import"}),
                     client.get(staged + "mapping.yaml"), client.get(staged + "problems.csv")):
        if role == "researcher":
            assert response.status_code in (200, 400)
        elif role == "anonymous":
            assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        else:  # the admin may import, but not someone else's upload
            assert response.status_code == (404 if role == "admin" else 403)
    assert Student.objects.count() == before


def test_another_researcher_gets_not_found(client, staged):
    other = user_create(username="r2", password="pw-research-2", role=Role.RESEARCHER)
    client.force_login(other)
    assert client.get(staged).status_code == 404
    assert client.post(staged, {"action": "import"}).status_code == 404


@pytest.mark.parametrize("token", ["..", "..%2f..%2fetc", "%3Cscript%3E", "a" * 500, "0" * 32])
def test_hostile_tokens_are_not_found(client_as, token):
    response = client_as("researcher").get(f"/schools/imports/staged/{token}/")
    assert response.status_code == 404 and "<script>" not in response.content.decode()


def test_a_hostile_column_choice_is_a_form_error_and_imports_nothing(client_as, staged):
    client = client_as("researcher")
    page = client.get(staged).content.decode()
    field = re.search(r'<select name="(col_\d+)"', page).group(1)
    before = Student.objects.count()
    response = client.post(staged, {field: "<script>alert(1)</script>", "action": "import"})
    assert response.status_code == 400 and "<script>alert" not in response.content.decode()
    assert Student.objects.count() == before
