"""E-mails are written in the recipient's language: the one in their profile, whoever asked and in whatever
language; without one, Hub e-mails (notifications, digests, newsletter footers) use the site's default and the
password reset the language it was asked for in."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.cache import cache
from django.utils import timezone, translation

from safeschool.web.accounts.models import Role
from safeschool.web.accounts.services import profile_language_set, user_create
from safeschool.web.hub import notifications
from safeschool.web.hub import services as hub
from safeschool.web.hub.models import Community, Newsletter
from safeschool.web.network import services as network
from safeschool.web.network.models import Member

pytestmark = pytest.mark.django_db
LINE = "To choose a new password, open this link:"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


def in_language(language: str, text: str) -> str:
    with translation.override(language):
        return translation.gettext(text)


def test_password_reset_email_is_in_the_account_holders_language(client):
    assert in_language("es", LINE) != LINE  # the Spanish catalogue has it
    user = user_create(username="lucia", password="pw-lucia-12345", role=Role.MEMBER, email="lucia@example.org")
    profile_language_set(user=user, language="es")
    user_create(username="john", password="pw-john-123456", role=Role.MEMBER, email="john@example.org")
    for address in ("lucia@example.org", "john@example.org"):  # asked for from a Greek browser
        client.post("/accounts/password/reset/", {"email": address}, HTTP_ACCEPT_LANGUAGE="el")
    by_address = {m.to[0]: m for m in mail.outbox}
    assert in_language("es", LINE) in by_address["lucia@example.org"].body
    assert in_language("el", LINE) in by_address["john@example.org"].body  # none chosen: the page's language
    assert in_language("el", LINE) not in by_address["lucia@example.org"].body


@pytest.fixture
def tagged(monkeypatch):
    """gettext in notifications marks each text with the language active when it was written."""
    monkeypatch.setattr(notifications, "gettext", lambda text: f"[{translation.get_language()}] {text}")
    monkeypatch.setattr(notifications, "ngettext",
                        lambda one, many, n: f"[{translation.get_language()}] {one if n == 1 else many}")


def member(name: str, notify: str, language: str = "") -> Member:
    m = network.member_join(username=name, password="pw-long-enough-1", email=f"{name}@example.org",
                            display_name=name.title(), stakeholder_type="teacher", country="ES",
                            birth_year=date.today().year - 30, level="b", consent=True)
    Member.objects.filter(pk=m.pk).update(notify=notify, newsletters=True)
    if language:
        profile_language_set(user=m.user, language=language)
    m.refresh_from_db()
    return m


def test_hub_emails_are_in_each_recipients_language(tagged):
    hub.communities_ensure()
    topic = Community.objects.get(slug="topic-inclusive")
    author = member("aut", "none")
    readers = [member("ela", "immediate", "el"), member("pol", "immediate", "pl"), member("def", "immediate"),
               member("day", "daily", "it")]
    for m in (author, *readers):
        hub.community_join(member=m, community=topic)
    with translation.override("es"):  # the author writes in Spanish; that decides nothing for the readers
        post = hub.post_create(user=author.user, community=topic, title="Taller", body="Detalles")
    mail.outbox.clear()
    notifications.send_post_notification(post.pk)
    assert {m.to[0]: m.body.split("\n")[0][:4] for m in mail.outbox} == {
        "ela@example.org": "[el]", "pol@example.org": "[pl]", "def@example.org": "[en]"}
    mail.outbox.clear()
    assert notifications.send_digests(frequency="daily", now=timezone.now() + timedelta(hours=1)) == 1
    assert mail.outbox[0].to == ["day@example.org"] and mail.outbox[0].subject.startswith("[it] ")
    mail.outbox.clear()
    letter = Newsletter.objects.create(subject="News", body="Body", language="en")
    notifications.send_newsletter(newsletter=letter, audience=readers[:2])
    assert [m.body.rsplit("\n", 1)[-1][:4] for m in mail.outbox] == ["[el]", "[pl]"]
