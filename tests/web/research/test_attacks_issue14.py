"""Issue 14 attacked: the student records list's ?page= and ?wave=, school and country pages with wrong ids,
the country list and the home map, as every role. Hostile values read as the default (page 1 or the last page, the
last wave), wrong ids are 404, refusals 302/403, never a 500; no student row reaches anyone else."""

from __future__ import annotations

import pytest
from django.urls import reverse

from safeschool.web.research.models import Wave

ROLES = ("anonymous", "member", "staff_own", "staff_other", "researcher", "admin")
ALLOWED = {"staff_own", "researcher", "admin"}
HOSTILE = [{"page": "-1"}, {"page": "0"}, {"page": "99999999999999999999"}, {"page": "1e400"}, {"page": "nan"},
           {"page": "²"}, {"page": "<script>"}, {"wave": "abc"}, {"wave": "-1"}, {"wave": "²"}, {"wave": "١"},
           {"wave": "99999999999999999999"}, {"wave": "<script>alert(1)</script>"}, {"wave": "1" * 5000},
           {"page": ["1", "2"], "wave": ["1", "x"]}]


@pytest.mark.usefixtures("cohort_shared")
class TestEveryRole:
    """Share one loaded cohort and set of users (tests/web/conftest.py); each test still starts from it fresh."""

    @pytest.mark.parametrize("role", ROLES)
    @pytest.mark.parametrize("query", HOSTILE, ids=range(len(HOSTILE)))
    def test_student_list_takes_hostile_page_and_wave_for_every_role(self, client_as, school, role, query):
        response = client_as(role).get(reverse("research:school_students", args=[school.pk]), query)
        if role == "anonymous":
            assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        elif role in ALLOWED:
            assert response.status_code == 200
            page = response.content.decode()
            assert "<script>alert" not in page
            last = Wave.objects.order_by("number").last().number
            if "wave" in query and query["wave"] != "١":
                assert f'<option value="{last}" selected>' in page  # read as the last wave
        else:
            assert response.status_code == 403
            assert "data-label=\"Pseudonym\"" not in response.content.decode()

    @pytest.mark.parametrize("role", ROLES)
    @pytest.mark.parametrize("path", ["/schools/999999/", "/schools/999999/students/", "/schools/abc/",
                                      "/schools/-1/students/", "/schools/99999999999999999999/students/",
                                      "/schools/countries/XX/", "/schools/countries/%3Cscript%3E/",
                                      "/schools/countries/" + "A" * 3000 + "/"])
    def test_wrong_ids_are_not_found_or_need_a_login(self, client_as, loaded, role, path):
        response = client_as(role).get(path)
        assert response.status_code in ((302, 404) if role == "anonymous" else (404,))
        assert "<script>" not in response.content.decode()

    @pytest.mark.parametrize("role", ROLES)
    def test_the_csv_of_student_rows_follows_the_same_rule(self, client_as, school, role):
        response = client_as(role).get(reverse("research:school_students", args=[school.pk]),
                                       {"format": "csv", "page": "-1", "wave": "²"})
        if role in ALLOWED:
            assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
        else:
            assert response.status_code in (302, 403) and not response.get("Content-Type", "").startswith("text/csv")

    @pytest.mark.parametrize("query", [{"page": "-1"}, {"page": "99999999999999999999"}, {"country": "<script>"},
                                       {"stage": "xx"}, {"q": "<script>alert(1)</script>"}])
    def test_school_and_country_lists_take_hostile_queries(self, client_as, loaded, query):
        client = client_as("researcher")
        for url in (reverse("research:school_list"), reverse("research:country_list")):
            response = client.get(url, query)
            assert response.status_code == 200 and "<script>alert" not in response.content.decode()
