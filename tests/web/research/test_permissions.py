"""Every role on every page: who sees what (student-level rows only for researchers, admins and own staff)."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from safeschool.web.research.models import Country

pytestmark = pytest.mark.django_db

OK, LOGIN, FORBIDDEN = 200, "login", 403

# page -> expected outcome per role
MATRIX = {
    "home": dict(anonymous=OK, member=OK, staff_own=OK, staff_other=OK, researcher=OK, admin=OK),
    "school_list": dict(anonymous=LOGIN, member=OK, staff_own=OK, staff_other=OK, researcher=OK, admin=OK),
    "school_detail": dict(anonymous=LOGIN, member=OK, staff_own=OK, staff_other=OK, researcher=OK, admin=OK),
    "country_list": dict(anonymous=LOGIN, member=OK, staff_own=OK, staff_other=OK, researcher=OK, admin=OK),
    "country_detail": dict(anonymous=LOGIN, member=OK, staff_own=OK, staff_other=OK, researcher=OK, admin=OK),
    "school_students": dict(anonymous=LOGIN, member=FORBIDDEN, staff_own=OK, staff_other=FORBIDDEN, researcher=OK,
                            admin=OK),
    "school_students_csv": dict(anonymous=LOGIN, member=FORBIDDEN, staff_own=OK, staff_other=FORBIDDEN,
                                researcher=OK, admin=OK),
    "admin": dict(anonymous="admin_login", member="admin_login", staff_own="admin_login",
                  staff_other="admin_login", researcher="admin_login", admin=OK),
}


def _url(page, school):
    return {
        "home": reverse("core:home"),
        "school_list": reverse("research:school_list"),
        "school_detail": reverse("research:school_detail", args=[school.pk]),
        "country_list": reverse("research:country_list"),
        "country_detail": reverse("research:country_detail", args=[Country.objects.first().code]),
        "school_students": reverse("research:school_students", args=[school.pk]),
        "school_students_csv": reverse("research:school_students", args=[school.pk]) + "?format=csv",
        "admin": reverse("admin:index"),
    }[page]


@pytest.mark.usefixtures("cohort_shared")
class TestWithTheCohort:
    """Share one loaded cohort and set of users (tests/web/conftest.py); each test still starts from it fresh."""

    @pytest.mark.parametrize("role", ["anonymous", "member", "staff_own", "staff_other", "researcher", "admin"])
    @pytest.mark.parametrize("page", list(MATRIX))
    def test_role_page_matrix(self, client_as, school, page, role):
        client = client_as(role)
        response = client.get(_url(page, school))
        expected = MATRIX[page][role]
        if expected == LOGIN:
            assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))
        elif expected == "admin_login":
            assert response.status_code == 302 and "/admin/login/" in response.url
        else:
            assert response.status_code == expected, response.content[:300]

    def test_student_rows_never_leak_to_a_member(self, client_as, school):
        pseudonym = school.classes.first().students.first().pseudonym
        for page in ("school_detail", "school_list", "country_detail"):
            body = client_as("member").get(_url(page, school)).content.decode()
            assert pseudonym[:10] not in body
        body = client_as("staff_own").get(_url("school_students", school)).content.decode()
        assert pseudonym[:10] in body

    def test_staff_of_another_school_do_not_see_the_student_link(self, client_as, school):
        body = client_as("staff_other").get(_url("school_detail", school)).content.decode()
        assert "Student records" not in body
        body = client_as("researcher").get(_url("school_detail", school)).content.decode()
        assert "Student records" in body

    def test_every_model_has_a_django_admin(self, client_as):
        client = client_as("admin")
        for label in ("research", "accounts"):
            for model in apps.get_app_config(label).get_models():
                assert model in admin.site._registry, model
                url = reverse(f"admin:{label}_{model._meta.model_name}_changelist")
                assert client.get(url).status_code == 200, url
        assert client.get(reverse("admin:auth_user_changelist")).status_code == 200
