"""Numbers and dates in the reader's language: "3,23" and 25/10/2026 in Spanish, "3.23" and 25/10/2026 14:30 in
English (British order, 24-hour clock), years and ids never grouped."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.template import Context, Template
from django.utils import translation

TEMPLATE = Template('{{ x }}|{{ year }}|{{ when|date:"SHORT_DATE_FORMAT" }}|{{ when|date:"SHORT_DATETIME_FORMAT" }}')
WHEN = dt.datetime(2026, 10, 25, 14, 30)


@pytest.mark.parametrize(("language", "expected"), [
    ("en", "3.23|2026|25/10/2026|25/10/2026 14:30"),
    ("es", "3,23|2026|25/10/2026|25/10/2026 14:30"),
    ("it", "3,23|2026|25/10/2026|25/10/2026 14:30"),
    ("ro", "3,23|2026|25.10.2026|25.10.2026, 14:30"),
    ("pl", "3,23|2026|25-10-2026|25-10-2026  14:30"),
])
def test_template_numbers_and_dates_follow_the_language(language, expected):
    with translation.override(language):
        assert TEMPLATE.render(Context({"x": 3.23, "year": 2026, "when": WHEN})) == expected


DECIMAL_COMMA = re.compile(r"(?<![\d.,])\d+,\d{1,3}(?![\d,])")
DECIMAL_POINT = re.compile(r"(?<![\d.,/:\w-])\d+\.\d{1,3}(?![\d.])")


def visible_text(html: str) -> str:
    html = re.sub(r"(?s)<(script|style|head)\b.*?</\1>", " ", html)
    return re.sub(r"<[^>]+>", " ", html)


def test_a_school_profile_in_spanish_shows_decimal_commas(client_as, school):
    client = client_as("researcher")
    text = visible_text(client.get(f"/schools/{school.pk}/", HTTP_ACCEPT_LANGUAGE="es").content.decode())
    assert DECIMAL_COMMA.search(text), "no '3,23'-style figure on the Spanish school profile"
    assert not DECIMAL_POINT.findall(text), "English decimal points on the Spanish page"
