"""Marking content with its language: a badge naming it (in itself, with `lang`, so a screen reader says it in its
own voice) and the `lang` attribute for the element wrapping the content.

    {% load languages %}
    <article {% lang_attr post.language %}>… {% language_badge post.language %}
"""

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext

from safeschool.web.core.languages import language_name

register = template.Library()


@register.simple_tag
def language_badge(code: str):
    if not code:
        return ""
    # translators: before a language's name on a post or a library entry, read only by screen readers
    return format_html('<span class="badge muted language-badge"><span class="visually-hidden">{} </span>'
                       '<span lang="{}">{}</span></span>', gettext("Written in"), code, language_name(code))


@register.simple_tag
def lang_attr(code: str):
    """`lang="xx"` for the element holding content written in `code` (nothing when unknown)."""
    return format_html('lang="{}"', code) if code else ""
