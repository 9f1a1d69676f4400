"""Writes for the network: joining, profile and level changes, consents, data export and erasure."""

from __future__ import annotations

import secrets
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from safeschool.web.accounts.models import Role
from safeschool.web.accounts.services import user_create
from safeschool.web.network import personal_data
from safeschool.web.network.models import (
    ADULT_AGE,
    ConsentRecord,
    ConsentText,
    LevelChange,
    Member,
)
from safeschool.web.network.selectors import consent_text_current

DEFAULT_TEXTS = {
    ConsentText.Kind.MEMBERSHIP: (
        "I join the Safe Education network. The network keeps my account, the profile I fill in, my participation "
        "level and what I post, to run the network and its communities. I choose what the members' directory "
        "shows. I can change my level, download all my data or erase my account at any time from my profile; "
        "erasing removes my name and the text of what I posted; what others build on (closed Delphi rounds, "
        "accepted practices, wiki pages) stays under 'Former member'. I can withdraw this consent at any time, "
        "which stops everything beyond reading."),
    ConsentText.Kind.PARENTAL: (
        "I am the parent or legal guardian of this member, who is under 16. I agree that they take part in the "
        "network beyond reading (posting, sharing, co-creation) on the terms of the membership consent. I can "
        "withdraw this consent at any time."),
}


def consent_texts_ensure() -> int:
    """The first version of each consent text, in the default wording, where none exists yet (run after every
    `migrate`, receivers.py); returns how many were made."""
    made = 0
    for kind, body in DEFAULT_TEXTS.items():
        _, created = ConsentText.objects.get_or_create(kind=kind, language="en", version=1, defaults={"body": body})
        made += created
    return made


def consent_text_publish(*, kind: str, body: str, language: str = "en") -> ConsentText:
    """A new version; earlier records keep pointing to the version their member agreed to."""
    latest = ConsentText.objects.filter(kind=kind, language=language).order_by("-version").first()
    return ConsentText.objects.create(kind=kind, language=language, body=body,
                                      version=(latest.version + 1) if latest else 1)


@transaction.atomic
def member_join(*, username: str, password: str | None, email: str, display_name: str, stakeholder_type: str,
                country: str, birth_year: int, level: str = "a", sector: str = "", organisation: str = "",
                languages: list[str] | None = None, topics: list[str] | None = None, consent: bool,
                consent_version: int | None = None, directory: dict | None = None) -> Member:
    text = _agreed_terms(consent, consent_version)
    user = user_create(username=username, password=password, role=Role.MEMBER, email=email)
    return _member_create(user=user, text=text, display_name=display_name, stakeholder_type=stakeholder_type,
                          sector=sector, country=country, organisation=organisation, languages=languages,
                          topics=topics, level=level, birth_year=birth_year, directory=directory)


@transaction.atomic
def member_profile_create(*, user, consent: bool, consent_version: int | None = None, **fields) -> Member:
    """A network profile for a signed-in user who has none yet (staff, researchers, earlier accounts)."""
    if hasattr(user, "member"):
        raise ValidationError(gettext("You are already a member of the network."))
    return _member_create(user=user, text=_agreed_terms(consent, consent_version), **fields)


def _agreed_terms(consent: bool, consent_version: int | None) -> ConsentText:
    """The membership terms being agreed to: consent given, to the version now current (if the form says which)."""
    if not consent:
        raise ValidationError({"consent": gettext("Joining needs your consent to the membership terms.")})
    text = consent_text_current(ConsentText.Kind.MEMBERSHIP)
    if consent_version is not None and consent_version != text.version:
        raise ValidationError(gettext("The membership terms changed while you were filling in the form (now version %(version)s): please read them again and confirm.") % {"version": text.version})
    return text


def _member_create(*, user, text, display_name, stakeholder_type, sector, country, organisation, languages, topics,
                   level, birth_year, directory) -> Member:
    member = Member(user=user, display_name=display_name, stakeholder_type=stakeholder_type, sector=sector,
                    country=country, organisation=organisation, languages=languages or [], topics=topics or [],
                    level=level, birth_year=birth_year, **(directory or {}))
    member.full_clean()
    member.save()
    ConsentRecord.objects.create(member=member, text=text, method=ConsentRecord.Method.WEB)
    return member


def member_update(*, member: Member, **fields) -> Member:
    allowed = {"display_name", "stakeholder_type", "sector", "country", "organisation", "languages", "topics", "notify",
               "newsletters",
               "in_directory", "show_organisation", "show_country", "show_type", "show_topics"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError(gettext("cannot change %(fields)s here") % {"fields": ', '.join(sorted(unknown))})
    for key, value in fields.items():
        setattr(member, key, value)
    member.full_clean()
    member.save()
    return member


@transaction.atomic
def level_change(*, member: Member, level: str) -> Member:
    if level == member.level:
        return member
    before = member.level
    member.level = level
    member.full_clean()
    member.save(update_fields=["level"])
    LevelChange.objects.create(member=member, before=before, after=level)
    return member


def consent_give(*, member: Member, kind: str = ConsentText.Kind.MEMBERSHIP, given_by: str = "",
                 method: str | None = None) -> ConsentRecord:
    if kind == ConsentText.Kind.PARENTAL:
        if not member.is_minor:
            raise ValidationError(gettext("parental consent is only for members under %(ADULT_AGE)s") % {"ADULT_AGE": ADULT_AGE})
        if not given_by.strip():
            raise ValidationError({"given_by": gettext("Give the parent's or guardian's name.")})
    record = ConsentRecord(member=member, text=consent_text_current(kind), given_by=given_by.strip(),
                           method=method or (ConsentRecord.Method.PARENT_WEB if kind == ConsentText.Kind.PARENTAL
                                             else ConsentRecord.Method.WEB))
    record.full_clean()
    record.save()
    return record


def consent_withdraw(*, member: Member, kind: str) -> int:
    """Withdraw every active consent of this kind: as easy as giving it (one button)."""
    return ConsentRecord.objects.filter(member=member, text__kind=kind, withdrawn_at__isnull=True).update(
        withdrawn_at=timezone.now())


@transaction.atomic
def member_erase(*, user) -> None:
    """Erase the account, in one transaction, as network/personal_data.PERSONAL_DATA decides: the apps built on the
    network erase their part first (member_erase signal: posts' text, interviews, open-round ratings, ...; files go
    once the transaction commits); then the login and every personal field of the profile go, the level history
    is deleted, and consent records stay without the parent's name as proof of what was agreed."""
    member = user.member
    personal_data.member_erase.send(sender=Member, member=member)
    user.username = f"erased-{user.pk}-{secrets.token_hex(4)}"
    user.email = user.first_name = user.last_name = ""
    user.is_active = False
    user.set_unusable_password()
    user.save()
    # an update, not save(): the profile keeps no country, and no receiver should make a community for ""
    Member.objects.filter(pk=member.pk).update(
        display_name="Former member", stakeholder_type="", sector="", country="", organisation="", languages=[], topics=[], level="a",
        birth_year=1900, moderator=False, notify="none", newsletters=False, in_directory=False,
        show_organisation=False, show_country=False, show_type=False, show_topics=False)
    member.level_changes.all().delete()
    consent_withdraw(member=member, kind=ConsentText.Kind.MEMBERSHIP)
    consent_withdraw(member=member, kind=ConsentText.Kind.PARENTAL)
    member.consents.exclude(given_by="").update(given_by="Parent or guardian (name erased)")
    member.refresh_from_db()


def member_moderator_set(*, user, member: Member, moderator: bool = True) -> Member:
    """Make a member a network moderator (or no longer one): administrators only."""
    if not user.has_perm("network.appoint_moderators"):
        raise PermissionDenied(gettext("Only administrators appoint moderators."))
    member.moderator = moderator
    member.save(update_fields=["moderator"])
    return member


def birth_year_bounds() -> tuple[int, int]:
    year = date.today().year
    return year - 110, year - 8
