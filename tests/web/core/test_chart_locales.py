"""Charts write numbers as the pages do: the per-language format locale in static/core/charts.js (given to Vega as
its d3 format locale) has the same decimal mark and thousands separator as Django's formats for that language,
and the same percent sign as the formatting layer, for every language of the site."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import formats, translation

from safeschool.web.core import formatting

CHARTS_JS = Path(__file__).resolve().parents[3] / "src" / "safeschool" / "web" / "core" / "static" / "core" / "charts.js"


def _locales() -> dict:
    block = re.search(r"/\* locales \*/\s*const CHART_LOCALES = (\{.*?\});\s*/\* end locales \*/", CHARTS_JS.read_text(),
                      re.S)
    return json.loads(block.group(1))


@pytest.mark.parametrize("language", [code for code, _ in settings.LANGUAGES])
def test_chart_locale_matches_the_pages_numbers(language):
    locale = _locales()[language]
    with translation.override(language):
        assert locale["decimal"] == formats.get_format("DECIMAL_SEPARATOR")
        assert locale["thousands"] == formats.get_format("THOUSAND_SEPARATOR")
        assert formatting.count(1131) == f"1{locale['thousands']}131"
        assert formatting.percent(0.939) == f"93{locale['decimal']}9{locale['percent']}"
    assert len(locale["months"]) == 12 and len(locale["days"]) == 7
