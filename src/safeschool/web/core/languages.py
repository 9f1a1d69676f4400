"""The languages content is written in: what people write (Hub posts, library entries, programme and policy
descriptions) records one of the site's languages, by default the one its author is using."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation

CONTENT_LANGUAGES = list(settings.LANGUAGES)  # (code, name in itself), the choices of every `language` field
NAMES = dict(CONTENT_LANGUAGES)


def content_language(language: str = "") -> str:
    """`language` when it is one of the site's; '' gives the active language (the author's), else the default."""
    if language:
        return language
    active = (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return active if active in NAMES else settings.LANGUAGE_CODE


def language_name(code: str) -> str:
    """A language's name written in itself ("Español"), as a reader of it looks for it; unknown codes as given."""
    return NAMES.get(code, code)
