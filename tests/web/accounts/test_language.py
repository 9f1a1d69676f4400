"""The interface language: the signed-in member's profile, then the switcher's cookie, then Accept-Language; the
switcher saves a signed-in member's choice to the profile; unknown codes are refused."""

from __future__ import annotations

import re

import pytest
from django.conf import settings

from safeschool.web.accounts.models import Profile, Role
from safeschool.web.accounts.services import profile_language_set, user_create

HOME = "/"


@pytest.fixture
def member(db):
    return user_create(username="lang", password="pw-lang-12345", role=Role.MEMBER)


def lang_of(response) -> str:
    return response["Content-Language"]


def test_profile_language_beats_accept_language_and_cookie(client, member):
    profile_language_set(user=member, language="el")
    client.force_login(member)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "it"
    response = client.get(HOME, HTTP_ACCEPT_LANGUAGE="es")
    assert lang_of(response) == "el"
    assert re.search(r'<html lang="el"[ >]', response.content.decode())


def test_blank_profile_language_follows_the_browser(client, member):
    client.force_login(member)
    assert lang_of(client.get(HOME, HTTP_ACCEPT_LANGUAGE="pt-PT,pt;q=0.9")) == "pt"


def test_anonymous_cookie_beats_accept_language(client, db):
    response = client.post("/i18n/setlang/", {"language": "ro", "next": HOME}, HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 302 and response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ro"
    assert lang_of(client.get(HOME, HTTP_ACCEPT_LANGUAGE="es")) == "ro"
    client.cookies.clear()
    assert lang_of(client.get(HOME, HTTP_ACCEPT_LANGUAGE="es")) == "es"  # without the cookie, the browser decides


def test_switcher_saves_the_choice_to_the_profile_for_the_next_login(client, member):
    client.force_login(member)
    response = client.post("/i18n/setlang/", {"language": "pl", "next": "/network/"})
    assert response.status_code == 302 and response["Location"] == "/network/"
    assert Profile.objects.get(user=member).language == "pl"
    client.logout()
    client.cookies.clear()  # another device: no cookie, a browser asking for Spanish
    client.force_login(member)
    assert lang_of(client.get(HOME, HTTP_ACCEPT_LANGUAGE="es")) == "pl"


@pytest.mark.parametrize("code", ["xx", "", "en-us-evil", "fr"])
def test_unknown_language_code_is_refused(client, member, code):
    client.force_login(member)
    response = client.post("/i18n/setlang/", {"language": code, "next": HOME})
    assert response.status_code == 400
    assert Profile.objects.get(user=member).language == ""
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    client.logout()
    assert client.post("/i18n/setlang/", {"language": code, "next": HOME}).status_code == 400


def test_service_refuses_unknown_code(member):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="xx"):
        profile_language_set(user=member, language="xx")


def test_account_page_shows_and_saves_the_language(client, member):
    client.force_login(member)
    page = client.get("/accounts/password/").content.decode()
    assert 'action="/accounts/language/"' in page and '<option value="" selected>' in page
    response = client.post("/accounts/language/", {"language": "it"}, follow=True)
    assert Profile.objects.get(user=member).language == "it"
    assert '<option value="it" selected>' in response.content.decode()
    assert lang_of(response) == "it"
    response = client.post("/accounts/language/", {"language": ""})
    assert Profile.objects.get(user=member).language == ""
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == ""  # deleted: the browser decides again
    assert lang_of(client.get(HOME, HTTP_ACCEPT_LANGUAGE="es")) == "es"
    assert client.post("/accounts/language/", {"language": "zz"}).status_code == 400


def test_superuser_without_profile_can_choose(client, db):
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.create_superuser("root", "root@example.org", "pw-root-12345")
    client.force_login(admin)
    client.post("/i18n/setlang/", {"language": "es", "next": HOME})
    assert Profile.objects.get(user=admin).role == Role.ADMIN
    assert lang_of(client.get(HOME)) == "es"
