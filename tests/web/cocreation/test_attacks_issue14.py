"""Issue 14 attacked: the Delphi report (HTML, CSV, PDF) in the requester's language, as every role, with wrong
ids, unknown formats and hostile language choices. Only the research team gets it; never a 500."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

from safeschool.web.cocreation import services

ROLES = ("anonymous", "member", "staff_own", "staff_other", "researcher", "admin")
TEAM = {"researcher", "admin"}


@pytest.fixture
def study(users):
    made = services.study_create(user=users["researcher"], title="Study <script>alert(1)</script>",
                                 rule={"name": "comet"})
    services.statement_add(user=users["researcher"], study=made, code="S1", text="=HYPERLINK(\"x\")",
                           level="relational")
    return made


@pytest.mark.usefixtures("cohort_shared")
class TestEveryRole:
    """Share one loaded cohort and set of users (tests/web/conftest.py); each test still starts from it fresh."""

    @pytest.mark.parametrize("role", ROLES)
    @pytest.mark.parametrize("fmt", ["html", "csv", "pdf"])
    def test_only_the_research_team_gets_the_report(self, client_as, study, role, fmt):
        url = (reverse("cocreation:report", args=[study.pk]) if fmt == "html"
               else reverse("cocreation:report_as", args=[study.pk, fmt]))
        response = client_as(role).get(url)
        if role in TEAM:
            assert response.status_code == 200
            if fmt == "html":
                assert "<script>alert" not in response.content.decode()
            else:
                assert response["Content-Disposition"] == f'attachment; filename="delphi-{study.pk}.{fmt}"'
        elif role == "anonymous":
            assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        else:
            assert response.status_code == 403
            assert "Content-Disposition" not in response

    @pytest.mark.parametrize("fmt", ["xml", "exe", "pdf%00", "csv.html", "<script>", "PDF"])
    def test_an_unknown_format_is_not_found(self, client_as, study, fmt):
        response = client_as("researcher").get(f"/cocreation/delphi/{study.pk}/report.{fmt}")
        assert response.status_code == 404 and "Content-Disposition" not in response

    @pytest.mark.parametrize("path", ["/cocreation/delphi/999999/report.pdf", "/cocreation/delphi/abc/report.csv",
                                      "/cocreation/delphi/-1/report/", "/cocreation/delphi/99999999999999999999/report/"])
    def test_wrong_ids_are_not_found(self, client_as, study, path):
        assert client_as("researcher").get(path).status_code == 404

    @pytest.mark.parametrize("fmt", ["csv", "pdf"])
    @pytest.mark.parametrize("accept, cookie", [("xx", "xx"), ("<script>", "<script>"), ("el", ""), ("*;q=x", "e" * 3000)])
    def test_the_requesters_language_never_breaks_the_files(self, client_as, study, fmt, accept, cookie):
        client = client_as("researcher")
        if cookie:
            client.cookies[settings.LANGUAGE_COOKIE_NAME] = cookie
        response = client.get(reverse("cocreation:report_as", args=[study.pk, fmt]), HTTP_ACCEPT_LANGUAGE=accept)
        assert response.status_code == 200 and response["Content-Language"] in dict(settings.LANGUAGES)
        if fmt == "csv":
            assert "<script>" not in response["Content-Language"]
            assert "=HYPERLINK" not in response.content.decode("utf-8-sig").replace("'=HYPERLINK", "")
