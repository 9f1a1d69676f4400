"""Reads for accounts: a user's chosen interface language."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist


def profile_language(user) -> str:
    """The language the user chose in their profile, or '' (signed out, no profile, or 'follow the browser')."""
    if user is None or not user.is_authenticated:
        return ""
    try:
        language = user.profile.language
    except ObjectDoesNotExist:  # e.g. a superuser made with createsuperuser
        return ""
    return language if language in dict(settings.LANGUAGES) else ""


def recipient_language(user) -> str:
    """The language to write to a user in (e-mails): their profile's, else the site's default."""
    return profile_language(user) or settings.LANGUAGE_CODE
