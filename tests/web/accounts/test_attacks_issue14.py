"""Issue 14 attacked: the language switcher and the account page's language form, as every role, with hostile
codes and hostile `next` values. Refusals are 400 (or a redirect to the login), never a 500, never an open
redirect, and the profile and the cookie stay as they were."""

from __future__ import annotations

import pytest
from django.conf import settings

from safeschool.web.accounts.models import Profile
from safeschool.web.accounts.services import profile_language_set

ROLES = ("anonymous", "member", "staff_own", "staff_other", "researcher", "admin")
HOSTILE_CODES = ["xx", "<script>alert(1)</script>", "en\r\nSet-Cookie: a=b", "e" * 5000, "EN ", "-1"]
EVIL_NEXTS = ["https://evil.example/", "//evil.example/", "/\\evil.example/", "https:evil.example",
              "\\\\evil.example", "javascript:alert(1)", " https://evil.example/", "http://testserver@evil.example/"]


def _languages(users):
    return {name: Profile.objects.filter(user=u).values_list("language", flat=True).first()
            for name, u in users.items()}


@pytest.mark.usefixtures("cohort_shared")
class TestEveryRole:
    """Share one loaded cohort and set of users (tests/web/conftest.py); each test still starts from it fresh."""

    @pytest.mark.parametrize("role", ROLES)
    @pytest.mark.parametrize("code", HOSTILE_CODES)
    def test_switcher_refuses_hostile_codes_for_every_role(self, client_as, users, role, code):
        before = _languages(users)
        response = client_as(role).post("/i18n/setlang/", {"language": code, "next": "/"})
        assert response.status_code == 400
        assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
        assert "<script>" not in response.content.decode()
        assert _languages(users) == before

    @pytest.mark.parametrize("role", ROLES)
    @pytest.mark.parametrize("evil", EVIL_NEXTS)
    def test_switcher_never_redirects_off_site(self, client_as, role, evil):
        for how in ("post", "header"):
            data = {"language": "es", "next": evil} if how == "post" else {"language": "es"}
            extra = {} if how == "post" else {"HTTP_REFERER": evil}
            response = client_as(role).post("/i18n/setlang/", data, **extra)
            assert response.status_code in (204, 302)
            if response.status_code == 302:
                location = response["Location"]
                assert location.startswith("/") and not location.startswith("//") and "\\" not in location
                assert "evil.example" not in location

    @pytest.mark.parametrize("role", ROLES)
    def test_switcher_takes_get_as_not_allowed(self, client_as, users, role):
        before = _languages(users)
        assert client_as(role).get("/i18n/setlang/", {"language": "es", "next": "/"}).status_code == 405
        assert _languages(users) == before

    def test_switcher_saves_only_the_signed_in_members_own_profile(self, client_as, users):
        client = client_as("member")
        response = client.post("/i18n/setlang/", {"language": "el", "next": "/", "user": users["admin"].pk,
                                                  "username": "a"})
        assert response.status_code == 302
        langs = _languages(users)
        assert langs["member"] == "el" and all(v == "" for k, v in langs.items() if k != "member")

    def test_switcher_is_csrf_protected(self, users):
        from django.test import Client

        strict = Client(enforce_csrf_checks=True)
        strict.force_login(users["member"])
        assert strict.post("/i18n/setlang/", {"language": "pl", "next": "/"}).status_code == 403
        assert Profile.objects.get(user=users["member"]).language == ""

    def test_account_language_form_needs_a_login_and_post(self, client_as, users):
        anonymous = client_as("anonymous").post("/accounts/language/", {"language": "es"})
        assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
        assert settings.LANGUAGE_COOKIE_NAME not in anonymous.cookies
        member = client_as("member")
        assert member.get("/accounts/language/", {"language": "es"}).status_code == 405
        assert Profile.objects.get(user=users["member"]).language == ""

    @pytest.mark.parametrize("role", ROLES[1:])
    @pytest.mark.parametrize("code", HOSTILE_CODES)
    def test_account_language_form_refuses_hostile_codes(self, client_as, users, role, code):
        profile_language_set(user=users[role], language="it")
        response = client_as(role).post("/accounts/language/", {"language": code})
        assert response.status_code == 400
        assert "<script>" not in response.content.decode()
        assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
        assert Profile.objects.get(user=users[role]).language == "it"

    def test_account_language_form_ignores_a_next_to_elsewhere(self, client_as):
        response = client_as("member").post("/accounts/language/", {"language": "es", "next": "https://evil.example/"})
        assert response.status_code == 302 and response["Location"] == "/accounts/password/"

    def test_the_database_refuses_a_profile_language_not_offered(self, users):
        from django.db import IntegrityError, transaction

        with pytest.raises(IntegrityError), transaction.atomic():
            Profile.objects.filter(user=users["member"]).update(language="xx")  # past the service: the constraint holds
        assert Profile.objects.get(user=users["member"]).language == ""


@pytest.mark.parametrize("cookie", ["xx", "<script>", "e" * 3000])
def test_a_forged_language_cookie_falls_back_without_error(client, db, cookie):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = cookie
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 200 and response["Content-Language"] == "es"
