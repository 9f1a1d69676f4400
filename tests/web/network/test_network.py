"""The network: joining, levels and their permissions, consent (incl. parental), export, erasure, directory."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from safeschool.web.accounts.models import Role
from safeschool.web.accounts.services import user_create
from safeschool.web.network import selectors, services
from safeschool.web.network.models import ConsentRecord, ConsentText, LevelChange, Member

ADULT = date.today().year - 30
CHILD = date.today().year - 13
# the specification, written out: the lowest level granting each member permission
LOWEST_LEVEL = {"network.receive_newsletter": "a", "network.post_in_community": "a", "network.share_item": "b",
                "network.submit_practice": "c", "network.join_delphi": "c", "network.give_interview": "c",
                "network.endorse_advocacy": "d"}


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


def make_member(name="ana", level="a", year=ADULT, **extra):
    return services.member_join(username=name, password="pw-long-enough-1", email=f"{name}@example.org",
                                display_name=name.title(), stakeholder_type="teacher", country="IT",
                                birth_year=year, level=level, consent=True, **extra)


@pytest.mark.django_db
@pytest.mark.parametrize("perm", sorted(LOWEST_LEVEL))
@pytest.mark.parametrize("level", ["a", "b", "c", "d"])
@pytest.mark.parametrize("situation", ["adult", "withdrawn", "minor", "minor_with_parent"])
def test_level_permissions(perm, level, situation):
    member = make_member(level=level, year=CHILD if situation.startswith("minor") else ADULT)
    if situation == "withdrawn":
        services.consent_withdraw(member=member, kind="membership")
    if situation == "minor_with_parent":
        services.consent_give(member=member, kind="parental", given_by="Maria Rossi")
    user = get_user_model().objects.get(pk=member.user.pk)  # fresh: no cached relations
    allowed = situation in ("adult", "minor_with_parent") and level >= LOWEST_LEVEL[perm]
    assert user.has_perm(perm) is allowed


@pytest.mark.django_db
@pytest.mark.parametrize("perm", ["network.manage_consent_texts", "network.appoint_moderators"])
@pytest.mark.parametrize("level", ["a", "d"])
@pytest.mark.parametrize("situation", ["adult", "minor_with_parent"])
def test_no_level_grants_what_only_administrators_do(perm, level, situation):
    member = make_member(level=level, year=CHILD if situation.startswith("minor") else ADULT)
    if situation == "minor_with_parent":
        services.consent_give(member=member, kind="parental", given_by="Maria Rossi")
    assert not get_user_model().objects.get(pk=member.user.pk).has_perm(perm)


@pytest.mark.django_db
def test_only_administrators_appoint_moderators():
    member = make_member(level="d")
    with pytest.raises(PermissionDenied):
        services.member_moderator_set(user=member.user, member=member)
    admin = user_create(username="root", password="pw-long-enough-1", role=Role.ADMIN)
    assert services.member_moderator_set(user=admin, member=member).moderator
    assert get_user_model().objects.get(pk=member.user.pk).has_perm("network.moderate")


@pytest.mark.django_db
@pytest.mark.parametrize("perm", sorted(LOWEST_LEVEL) + ["network.moderate", "network.manage_consent_texts",
                                                   "network.appoint_moderators"])
@pytest.mark.parametrize("role", ["anonymous", "member_without_profile", "staff", "researcher", "admin"])
def test_roles_without_a_member_profile(perm, role):
    from django.contrib.auth.models import AnonymousUser

    user = AnonymousUser() if role == "anonymous" else user_create(
        username=role, password="pw-long-enough-1",
        role={"member_without_profile": Role.MEMBER}.get(role, role))
    # administrators are superusers: Django grants them every permission
    assert user.has_perm(perm) is (role == "admin")


@pytest.mark.django_db
def test_moderators_need_consent_too():
    member = make_member()
    Member.objects.filter(pk=member.pk).update(moderator=True)
    assert get_user_model().objects.get(pk=member.user.pk).has_perm("network.moderate")
    services.consent_withdraw(member=member, kind="membership")
    assert not get_user_model().objects.get(pk=member.user.pk).has_perm("network.moderate")


def join_data(**changes):
    data = {"username": "noor", "email": "noor@example.org", "password": "a-long-passphrase-9",
            "display_name": "Noor", "birth_year": ADULT, "stakeholder_type": "practitioner", "sector": "youth_justice",
            "country": "ES", "organisation": "Servicio", "languages": ["es", "en"], "topics": ["inclusive"],
            "level": "c", "consent": "on", "consent_version": 1, "in_directory": "on", "show_country": "on"}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


@pytest.mark.django_db
def test_join_records_consent_version_and_logs_in(client):
    assert selectors.consent_text_current("membership").version == 1  # made by migrate, not by reading it
    services.consent_text_publish(kind="membership", body="Version two of the terms.")
    stale = client.post(reverse("network:join"), join_data(consent_version=1))
    assert stale.status_code == 400 and "The membership terms changed" in stale.content.decode()
    response = client.post(reverse("network:join"), join_data(consent_version=2))
    assert response.status_code == 302 and response["Location"] == reverse("network:me")
    member = Member.objects.get(user__username="noor")
    record = member.consents.get()
    assert record.text.version == 2 and record.method == "web" and record.withdrawn_at is None
    assert member.level == "c" and member.sector == "youth_justice" and member.languages == ["es", "en"]
    page = client.get(reverse("network:me")).content.decode()
    assert "version 2" in page and "Withdraw my consent" in page


@pytest.mark.django_db
@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"consent": None}, "consent", "This field is required"),
    ({"birth_year": 1800}, "birth_year", "Give a year between"),
    ({"password": "123"}, "password", "too short"),
    ({"country": "XX"}, "country", "Select a valid choice"),
    ({"level": "e"}, "level", "Select a valid choice"),
])
def test_join_refuses_bad_input_and_creates_nothing(client, changes, field, message):
    response = client.post(reverse("network:join"), join_data(**changes))
    assert response.status_code == 400
    assert any(message in e for e in response.context["form"].errors[field])
    assert not get_user_model().objects.filter(username="noor").exists()


@pytest.mark.django_db
def test_minor_reads_until_a_parent_consents(client):
    client.post(reverse("network:join"), join_data(birth_year=CHILD, username="kid", stakeholder_type="student",
                                                     level="a"))
    user = get_user_model().objects.get(username="kid")
    assert not user.has_perm("network.post_in_community")
    assert "a parent or guardian must agree" in client.get(reverse("network:me")).content.decode()
    refused = client.post(reverse("network:consent", args=["parental", "give"]), {"given_by": "", "agree": "on"})
    assert refused.status_code == 400 and not ConsentRecord.objects.filter(text__kind="parental").exists()
    client.post(reverse("network:consent", args=["parental", "give"]), {"given_by": "Maria Rossi", "agree": "on"})
    user = get_user_model().objects.get(username="kid")
    assert user.has_perm("network.post_in_community") and not user.has_perm("network.share_item")  # level (a)
    client.post(reverse("network:consent", args=["parental", "withdraw"]), {"confirm": "on"})
    assert not get_user_model().objects.get(username="kid").has_perm("network.post_in_community")


@pytest.mark.django_db
def test_level_changes_any_time_and_is_recorded(client):
    member = make_member(level="a")
    client.force_login(member.user)
    form = {"display_name": "Ana", "stakeholder_type": "teacher", "country": "IT", "level": "d", "notify": "daily"}
    assert client.post(reverse("network:me"), form).status_code == 302
    member.refresh_from_db()
    assert member.level == "d" and member.notify == "daily" and LevelChange.objects.get(member=member).before == "a"
    assert get_user_model().objects.get(pk=member.user.pk).has_perm("network.endorse_advocacy")


@pytest.mark.django_db
def test_withdrawing_is_as_easy_as_giving(client):
    member = make_member(level="b")
    client.force_login(member.user)
    client.post(reverse("network:consent", args=["membership", "withdraw"]), {"confirm": "on"})
    assert not get_user_model().objects.get(pk=member.user.pk).has_perm("network.share_item")
    client.post(reverse("network:consent", args=["membership", "give"]))
    assert get_user_model().objects.get(pk=member.user.pk).has_perm("network.share_item")
    assert member.consents.count() == 2 and member.consents.filter(withdrawn_at__isnull=False).count() == 1


@pytest.mark.django_db
def test_withdrawing_needs_a_confirmation_and_is_not_the_main_button(client):
    member = make_member(level="b")
    client.force_login(member.user)
    page = client.get(reverse("network:me")).content.decode()
    url = reverse("network:consent", args=["membership", "withdraw"])
    # on My profile withdrawal is a link to a confirmation page, styled as a secondary (danger-outline) action
    assert re.search(rf'<a href="{url}" role="button" class="danger-outline[^"]*">', page)
    assert f'action="{url}"' not in page  # no one-click withdraw form on the profile page
    confirm = client.get(url)
    assert confirm.status_code == 200 and 'name="confirm"' in confirm.content.decode()
    assert member.consents.filter(withdrawn_at__isnull=False).count() == 0  # looking at it withdraws nothing
    refused = client.post(url)  # the box not ticked
    assert refused.status_code == 400 and "Tick the box" in refused.content.decode()
    assert member.consents.filter(withdrawn_at__isnull=False).count() == 0
    assert get_user_model().objects.get(pk=member.user.pk).has_perm("network.share_item")
    done = client.post(url, {"confirm": "on"}, follow=True)
    assert member.consents.filter(withdrawn_at__isnull=False).count() == 1
    assert "Your consent has been withdrawn" in done.content.decode()
    assert not get_user_model().objects.get(pk=member.user.pk).has_perm("network.share_item")


@pytest.mark.django_db
def test_saving_my_profile_says_so(client):
    member = make_member(level="a")
    client.force_login(member.user)
    form = {"display_name": "Ana B.", "stakeholder_type": "teacher", "country": "IT", "level": "a", "notify": "none"}
    saved = client.post(reverse("network:me"), form, follow=True)
    assert saved.redirect_chain == [(reverse("network:me"), 302)]
    assert '<li class="success">Your profile has been saved.</li>' in saved.content.decode()
    again = client.get(reverse("network:me")).content.decode()
    assert "Your profile has been saved." not in again  # said once
    refused = client.post(reverse("network:me"), {**form, "display_name": ""})
    assert refused.status_code == 400 and "Your profile has been saved." not in refused.content.decode()


@pytest.mark.django_db
def test_export_holds_everything_and_erasure_anonymises(client):
    member = make_member(organisation="Liceo Galilei", topics=["gender"])
    services.level_change(member=member, level="c")
    client.force_login(member.user)
    data = json.loads(client.get(reverse("network:export")).content)
    assert data["account"]["email"] == "ana@example.org" and data["profile"]["organisation"] == "Liceo Galilei"
    assert data["level_changes"][0] == {"from": "a", "to": "c", "at": data["level_changes"][0]["at"]}
    assert data["consents"][0]["version"] == 1 and "network" in data["consents"][0]["text"]
    assert client.post(reverse("network:erase"), {"confirm": "wrong"}).status_code == 400
    client.post(reverse("network:erase"), {"confirm": "ana"})
    member.refresh_from_db()
    user = member.user
    user.refresh_from_db()
    assert member.display_name == "Former member" and member.organisation == "" and member.topics == []
    assert user.email == "" and not user.is_active and user.username.startswith("erased-")
    assert not client.login(username="ana", password="pw-long-enough-1")
    assert member.consents.filter(withdrawn_at__isnull=True).count() == 0 and member.consents.count() == 1


@pytest.mark.django_db
def test_directory_shows_only_what_members_chose(client):
    shown = make_member("bea", directory={"in_directory": True, "show_country": True})
    Member.objects.filter(pk=shown.pk).update(organisation="Hidden Org")
    make_member("zed", directory={"in_directory": False})
    viewer = make_member("dan")
    client.force_login(viewer.user)
    page = client.get(reverse("network:members")).content.decode()
    table = page[page.index("<tbody>"):]
    assert "Bea" in table and "Italy" in table and "Hidden Org" not in table and "Zed" not in table
    # a filter on a field the member hides must not find them (it would reveal the field)
    hidden_type = client.get(reverse("network:members"), {"stakeholder_type": "teacher"}).content.decode()
    assert "Bea" not in hidden_type[hidden_type.index("<tbody>"):]
    services.consent_withdraw(member=shown, kind="membership")  # withdrawing takes a member out at once
    page = client.get(reverse("network:members")).content.decode()
    assert "Bea" not in page[page.index("<tbody>"):]


@pytest.mark.django_db
def test_user_text_is_escaped(client):
    evil = make_member("eve", directory={"in_directory": True})
    Member.objects.filter(pk=evil.pk).update(display_name="<script>alert(1)</script><b>x</b>")
    client.force_login(evil.user)
    page = client.get(reverse("network:members")).content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


@pytest.mark.django_db
def test_sign_up_and_login_are_rate_limited(client):
    for i in range(5):
        client.post(reverse("network:join"), join_data(username=f"u{i}", email=f"u{i}@example.org"))
        client.logout()
    assert client.post(reverse("network:join"), join_data(username="u9", email="u9@example.org")).status_code == 429
    assert not get_user_model().objects.filter(username="u9").exists()
    make_member("fay")
    for _ in range(10):
        assert client.post(reverse("accounts:login"), {"username": "fay", "password": "wrong"}).status_code == 200
    blocked = client.post(reverse("accounts:login"), {"username": "fay", "password": "pw-long-enough-1"})
    assert blocked.status_code == 429


@pytest.mark.django_db
def test_consent_text_versions_are_immutable_records():
    member = make_member()
    v2 = services.consent_text_publish(kind=ConsentText.Kind.MEMBERSHIP, body="New terms.")
    assert v2.version == 2 and member.consents.get().text.version == 1
    assert selectors.consent_text_current("membership").pk == v2.pk


@pytest.mark.django_db
def test_a_signed_in_user_without_profile_completes_one(client):
    staff = user_create(username="lea", password="pw-long-enough-1", role=Role.STAFF)
    client.force_login(staff)
    assert client.get(reverse("network:me"))["Location"] == reverse("network:join")
    page = client.get(reverse("network:join")).content.decode()
    assert "Your network profile" in page and 'name="password"' not in page
    data = {k: v for k, v in join_data().items() if k not in ("username", "email", "password")}
    assert client.post(reverse("network:join"), data).status_code == 302
    assert Member.objects.get(user=staff).consents.count() == 1
    assert client.get(reverse("network:join"))["Location"] == reverse("network:me")


@pytest.mark.django_db
def test_forms_refuse_posts_without_the_csrf_token():
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert strict.post(reverse("network:join"), join_data()).status_code == 403
    assert not get_user_model().objects.filter(username="noor").exists()
