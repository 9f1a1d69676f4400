"""Logins: failed attempts throttled per normalised username and per address on every login form (site and admin),
and unlocked by a password reset; password change and reset with Django's views in the site layout."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from safeschool.web.accounts.models import Role
from safeschool.web.accounts.ratelimit import (
    LOGIN_ADDRESS_LIMIT,
    LOGIN_USERNAME_LIMIT,
    client_ip,
    normalise_username,
)
from safeschool.web.accounts.services import user_create

PASSWORD = "pw-staff-long-1"
LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"


@pytest.fixture(autouse=True)
def _fresh_cache(db):
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def staff(db):
    return user_create(username="staff", password=PASSWORD, role=Role.STAFF, email="staff@example.org")


def attempt(client, username, password, *, url=LOGIN, address="10.0.0.1"):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=address)


def fail_until_locked(client, username, *, url=LOGIN):
    for i in range(LOGIN_USERNAME_LIMIT[0]):  # each from another address: the username key alone locks
        assert attempt(client, username, "wrong", url=url, address=f"10.1.0.{i}").status_code == 200


def test_normalised_username():
    assert {normalise_username(v) for v in [" staff", "staff  ", "ｓｔａｆｆ", "STAFF", "Staff\t"]} == {"staff"}


@pytest.mark.parametrize("variant", [" staff", "staff  ", "ｓｔａｆｆ", "STAFF", "staff"])
def test_every_variant_of_a_username_shares_one_counter(client, staff, variant):
    # Django's form strips and NFKCs (so these variants log in), but does not casefold
    assert attempt(client, variant, PASSWORD).status_code == (200 if variant == "STAFF" else 302)
    client.logout()
    cache.clear()
    fail_until_locked(client, variant)
    for name in (variant, "staff", " staff", "ｓｔａｆｆ"):
        locked = attempt(client, name, PASSWORD, address="10.9.9.9")
        assert locked.status_code == 429 and "_auth_user_id" not in client.session
        assert reverse("accounts:password_reset") in locked.content.decode()


def test_variants_mixed_count_together(client, staff):
    variants = [" staff", "staff  ", "ｓｔａｆｆ", "STAFF", "staff"]
    for i in range(LOGIN_USERNAME_LIMIT[0]):
        assert attempt(client, variants[i % len(variants)], "wrong", address=f"10.2.0.{i}").status_code == 200
    assert attempt(client, "staff", PASSWORD).status_code == 429


def test_only_failed_attempts_count(client, staff):
    for _ in range(LOGIN_USERNAME_LIMIT[0] + 5):
        assert attempt(client, "staff", PASSWORD).status_code == 302
        client.logout()


def test_the_address_is_throttled_across_usernames(client, staff):
    for i in range(LOGIN_ADDRESS_LIMIT[0]):
        assert attempt(client, f"nobody{i}", "wrong", address="10.3.0.1").status_code == 200
    assert attempt(client, "staff", PASSWORD, address="10.3.0.1").status_code == 429
    assert attempt(client, "staff", PASSWORD, address="10.3.0.2").status_code == 302  # the user is not locked


def test_admin_login_is_throttled_and_shares_the_counter(client, db):
    user_create(username="boss", password=PASSWORD, role=Role.ADMIN)
    assert client.get(ADMIN_LOGIN).status_code == 200
    for i in range(LOGIN_USERNAME_LIMIT[0] // 2):
        assert attempt(client, "boss", "wrong", url=ADMIN_LOGIN, address=f"10.4.0.{i}").status_code == 200
        assert attempt(client, " BOSS", "wrong", url=LOGIN, address=f"10.4.1.{i}").status_code == 200
    assert attempt(client, "boss", PASSWORD, url=ADMIN_LOGIN).status_code == 429
    assert attempt(client, "boss", PASSWORD, url=LOGIN).status_code == 429
    assert "_auth_user_id" not in client.session


def test_admin_login_works_below_the_limit(client, db):
    user_create(username="boss", password=PASSWORD, role=Role.ADMIN)
    assert attempt(client, "boss", "wrong", url=ADMIN_LOGIN).status_code == 200
    ok = attempt(client, "boss", PASSWORD, url=ADMIN_LOGIN)
    assert ok.status_code == 302 and client.session["_auth_user_id"]


def reset_link(client, mailoutbox, email):
    response = client.post(reverse("accounts:password_reset"), {"email": email})
    assert response.status_code == 302 and response.url == reverse("accounts:password_reset_done")
    assert len(mailoutbox) == 1 and mailoutbox[0].to == [email]
    return re.search(r"https?://[^/\s]+(/\S+)", mailoutbox[0].body).group(1)


def test_a_locked_user_resets_the_password_and_logs_in(client, staff, mailoutbox):
    fail_until_locked(client, "staff")
    assert attempt(client, "staff", PASSWORD).status_code == 429
    link = reset_link(client, mailoutbox, "staff@example.org")
    assert "staff" in mailoutbox[0].body and link.startswith("/accounts/password/reset/")
    form = client.get(link, follow=True)
    assert form.status_code == 200 and "new_password1" in form.content.decode()
    done = client.post(form.redirect_chain[-1][0], {"new_password1": "a-new-pw-2026", "new_password2": "a-new-pw-2026"})
    assert done.status_code == 302 and done.url == reverse("accounts:password_reset_complete")
    assert client.get(done.url).status_code == 200
    assert attempt(client, "staff", "a-new-pw-2026").status_code == 302
    assert client.session["_auth_user_id"] == str(staff.pk)


def test_reset_for_an_unknown_address_sends_nothing_and_says_the_same(client, staff, mailoutbox):
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.org"})
    assert response.status_code == 302 and mailoutbox == []


def test_reset_requests_are_rate_limited(client, staff):
    for _ in range(5):
        client.post(reverse("accounts:password_reset"), {"email": "staff@example.org"})
    assert client.post(reverse("accounts:password_reset"), {"email": "staff@example.org"}).status_code == 429


def test_an_old_reset_link_is_refused(client, staff, mailoutbox):
    link = reset_link(client, mailoutbox, "staff@example.org")
    page = client.get(link.replace(link.rstrip("/").rsplit("/", 1)[1], "bad-token"), follow=True)
    assert page.status_code == 200 and reverse("accounts:password_reset") in page.content.decode()


def test_password_change(client, staff):
    client.force_login(staff)
    home = client.get(reverse("core:home")).content.decode()
    assert reverse("accounts:password_change") in home
    assert client.get(reverse("accounts:password_change")).status_code == 200
    wrong = client.post(reverse("accounts:password_change"),
                        {"old_password": "nope", "new_password1": "b-new-pw-2026", "new_password2": "b-new-pw-2026"})
    assert wrong.status_code == 200
    ok = client.post(reverse("accounts:password_change"),
                     {"old_password": PASSWORD, "new_password1": "b-new-pw-2026", "new_password2": "b-new-pw-2026"})
    assert ok.status_code == 302 and ok.url == reverse("accounts:password_change_done")
    assert client.get(ok.url).status_code == 200
    staff.refresh_from_db()
    assert staff.check_password("b-new-pw-2026")


def test_password_change_needs_a_login(client, db):
    response = client.get(reverse("accounts:password_change"))
    assert response.status_code == 302 and reverse("accounts:login") in response.url


def test_login_page_links_to_the_reset(client, db):
    assert reverse("accounts:password_reset") in client.get(LOGIN).content.decode()


def test_password_pages_in_spanish(client, staff, mailoutbox):
    client.post(reverse("set_language"), {"language": "es", "next": "/"})
    assert "¿Ha olvidado su contraseña?" in client.get(LOGIN).content.decode()
    assert "Restablezca su contraseña" in client.get(reverse("accounts:password_reset")).content.decode()
    client.post(reverse("accounts:password_reset"), {"email": "staff@example.org"})
    assert mailoutbox[0].subject.startswith("Elija una contraseña nueva") and '"staff"' in mailoutbox[0].body


def test_client_address_behind_the_local_proxy(rf):
    assert client_ip(rf.get("/", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="1.2.3.4")) == "203.0.113.9"
    behind = rf.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.7")
    assert client_ip(behind) == "198.51.100.7"  # the address nginx appended, not what the client claimed
    assert client_ip(rf.get("/", REMOTE_ADDR="127.0.0.1")) == "127.0.0.1"


def test_clients_behind_the_proxy_are_throttled_apart(client, staff):
    for i in range(LOGIN_ADDRESS_LIMIT[0]):
        client.post(LOGIN, {"username": f"nobody{i}", "password": "wrong"}, REMOTE_ADDR="127.0.0.1",
                    HTTP_X_FORWARDED_FOR="198.51.100.1")
    locked = client.post(LOGIN, {"username": "staff", "password": PASSWORD}, REMOTE_ADDR="127.0.0.1",
                         HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert locked.status_code == 429
    other = client.post(LOGIN, {"username": "staff", "password": PASSWORD}, REMOTE_ADDR="127.0.0.1",
                        HTTP_X_FORWARDED_FOR="198.51.100.2")
    assert other.status_code == 302
