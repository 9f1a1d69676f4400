"""A hidden figure says why in the reader's language, on every page that goes through the formatting layer (the
chart tables of core.charts and the `cell` filter): the short mark and its reason (stats.disclosure's own labels
are English)."""

from __future__ import annotations

from django.utils import translation

from safeschool.stats.disclosure import BELOW_MIN, PROTECTS
from safeschool.web.core import charts, formatting
from safeschool.web.core.templatetags.safeschool import cell


def test_the_short_mark_and_the_reason_are_translated():
    with translation.override("en"):
        english = (formatting.hidden_short(PROTECTS), formatting.hidden_reason(PROTECTS),
                   formatting.hidden_reason(BELOW_MIN))
    with translation.override("es"):
        spanish = (formatting.hidden_short(PROTECTS), formatting.hidden_reason(PROTECTS),
                   formatting.hidden_reason(BELOW_MIN))
        table = str(charts.table_html({"columns": [{"field": "v", "title": "V", "format": "count"}],
                                       "rows": [{"v": None, "suppressed": True, "reason": PROTECTS}]}, "T"))
        filtered = str(cell({"suppressed": True, "reason": BELOW_MIN}))
    assert english == ("hidden", "hidden to protect a small group", "fewer than 10 students")
    assert all(s != e for s, e in zip(spanish, english, strict=True)), spanish
    assert formatting.hidden_short(BELOW_MIN) == "n<10"
    assert spanish[0] in table and spanish[1].capitalize() in table and ">hidden<" not in table
    assert spanish[2].capitalize() in filtered and "n&lt;10" in filtered
