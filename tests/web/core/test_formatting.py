"""The one formatting layer (web/core/formatting.py): every figure a person reads, in English, Spanish and Greek
(and Italian where the thousands separator differs), with the values that used to leak: NaN, None, -0, huge
numbers, raw codes and model terms."""

from __future__ import annotations

import math
from decimal import Decimal

import numpy as np
import pytest
from django.template import Context, Template
from django.utils import translation
from django.utils.formats import get_format

from safeschool.web.core import formatting as f

NBSP = "\u00a0"


@pytest.fixture(params=["en", "es", "el"])
def lang(request):
    with translation.override(request.param):
        yield request.param


def decimal_mark(lang: str) -> str:
    return "." if lang == "en" else ","


@pytest.mark.parametrize("missing", [None, float("nan"), np.nan, float("inf"), -math.inf, "", "nan", np.float64("nan")])
def test_missing_reads_a_dash_in_every_function(missing, lang):
    assert f.number(missing) == f.count(missing) == f.percent(missing) == f.p_value(missing) == "—"
    assert f.interval(missing, 0.1, 0.2) == "—"
    assert f.fraction(missing, 33) == f.fraction(25, missing) == "—"
    assert f.label("stage", missing) == f.term_label(missing) == "—"


def test_number_uses_the_locale_decimal_mark_and_rounds_half_up(lang):
    d = decimal_mark(lang)
    assert f.number(3.2349) == f"3{d}23"
    assert f.number(2.675) == f"2{d}68"  # as written, not the float's 2.67499…
    assert f.number(0.9999, 2) == f"1{d}00"  # rounded, not truncated (Django's number_format truncates)
    assert f.number(3.14159, 3) == f"3{d}142"
    assert f.number(7, 0) == "7"
    assert f.number(np.float32(1.5), 1) == f"1{d}5"
    assert f.number(Decimal("1.005"), 2) == f"1{d}01"


@pytest.mark.parametrize("negative_zero", [-0.0, -0.001, -0.004999, np.float64(-1e-12), -1e-300])
def test_negative_zero_is_never_shown(negative_zero, lang):
    d = decimal_mark(lang)
    assert f.number(negative_zero) == f"0{d}00"
    assert f.number(negative_zero, 0) == "0"
    assert f.percent(negative_zero / 1000) == f"0{d}0{NBSP}%"
    assert "-" not in f.interval(negative_zero, negative_zero, 0.0)
    assert f.number(-0.006) == f"-0{d}01"  # a real negative keeps its sign


def test_count_is_an_integer_with_the_locale_thousands_separator(lang):
    sep = get_format("THOUSAND_SEPARATOR")
    assert f.count(1131) == f"1{sep}131"
    assert f.count(25.0) == "25" and f.count(np.int64(33)) == "33"
    assert f.count(1_234_567) == f"1{sep}234{sep}567"


def test_count_in_english_and_italian_literally():
    with translation.override("en"):
        assert f.count(1131) == "1,131"
    with translation.override("it"):
        assert f.count(1131) == "1.131"


def test_huge_numbers_are_written_out_grouped_never_in_exponent_form(lang):
    text = f.number(1e20)
    assert "e" not in text.lower() and text.replace(get_format("THOUSAND_SEPARATOR"), "").startswith("1" + "0" * 20)
    assert "e" not in f.count(12345678901234567890).lower()


def test_percent_is_one_rule_in_every_language(lang):
    d = decimal_mark(lang)
    assert f.percent(0.939) == f"93{d}9{NBSP}%"
    assert f.percent(0.956) == f"95{d}6{NBSP}%"
    assert f.percent(0.08333, 1) == f"8{d}3{NBSP}%"
    assert f.percent(1) == f"100{d}0{NBSP}%"
    assert f.percent(0.5, 0) == f"50{NBSP}%"


def test_p_value(lang):
    d = decimal_mark(lang)
    assert f.p_value(1e-20) == f.p_value(0.0) == f"<{NBSP}0{d}001"
    assert f.p_value(0.00099) == f"<{NBSP}0{d}001"
    assert f.p_value(0.001) == f"0{d}001"
    assert f.p_value(0.0234) == f"0{d}023"
    assert f.p_value(0.5) == f"0{d}500"
    assert "e" not in f.p_value(2.2e-16)


def test_interval_translates_its_word():
    with translation.override("en"):
        assert f.interval(0.1234, 0.05, 0.19) == "0.12 (0.05 to 0.19)"
        assert f.interval(0.1234, None, 0.19) == "0.12"
        assert f.interval(1.5, 1.0, 2.0, 1) == "1.5 (1.0 to 2.0)"
    with translation.override("es"):
        text = f.interval(0.1234, 0.05, 0.19)
        assert text.startswith("0,12 (0,05 ") and text.endswith(" 0,19)")


def test_fraction_reads_counts_as_integers():
    with translation.override("en"):
        assert f.fraction(25.0, 33.0) == "25 of 33"
        assert f.fraction(1131, 2000) == "1,131 of 2,000"


def test_label_reads_vocabulary_codes_in_the_active_language():
    with translation.override("en"):
        assert f.label("stage", "lower_secondary") == "Lower secondary"
        assert f.label("country", "EL") == "Greece"
        assert f.label("group:gender", "M") == "Boys"
        assert f.label("group", "migrant_background") == "Migrant background"
        assert f.label("level", "community") == "Community"
        assert f.label("stage", "unknown_code") == "Unknown code"  # humanised, never raw
    with translation.override("es"):
        assert f.label("country", "EL") == "Grecia"
        assert f.label("group:gender", "F") != "Girls"


def test_registered_app_labels_are_translated_lazily():
    """Feature apps register their choices (network registers stakeholder types in its AppConfig.ready)."""
    with translation.override("en"):
        assert f.label("stakeholder_type", "school_board") == "School board or leadership"
        assert f.label("stakeholder_type", "ngo") == "NGO or civil society"
        assert f.label("participation_level", "c").startswith("(c)")
    f.register("test_kind", [("x_y", "Something")])
    with translation.override("en"):
        assert f.label("test_kind", "x_y") == "Something"


@pytest.mark.parametrize(("term", "expected"), [
    ("genderM", "Gender: boys (vs girls)"),
    ("gender[T.M]", "Gender: boys (vs girls)"),
    ("migrant_backgroundTRUE", "Migrant background"),
    ("migrant_background[T.True]", "Migrant background"),
    ("ses_band[T.low]", "Socio-economic status: low SES (vs high SES)"),
    ("senTRUE", "SEN / disability"),
    ("rec_partnerTRUE", "Partnership with a Regional Educational Centre"),
    ("early_trackingFALSE", "Early tracking: no"),
    ("(Intercept)", "Intercept"), ("Intercept", "Intercept"),
    ("ses_index", "Socio-economic status (index)"),
    ("genderM:migrant_backgroundTRUE", "Gender: boys (vs girls) × Migrant background"),
    ("self_efficacy", "Teacher self-efficacy"),  # a scale code: the instruments registry's name
])
def test_term_label_in_english(term, expected):
    with translation.override("en"):
        assert f.term_label(term) == expected


def test_term_label_in_spanish_uses_the_catalogue():
    with translation.override("es"):
        text = f.term_label("genderM")
        assert "gender" not in text and "Gender" not in text and "M" not in text.split(":")[0]


def test_filters_of_the_same_names():
    template = Template('{% load safeschool %}{{ x|number }}|{{ n|count }}|{{ p|percent }}|{{ q|p_value }}|'
                        '{{ code|label:"stakeholder_type" }}|{{ term|term_label }}|{{ row|interval:"est" }}|'
                        '{% interval 0.12 0.05 0.19 %}|{{ z|number }}|{{ m|count }}')
    context = Context({"x": 3.2349, "n": 1131, "p": 0.939, "q": 1e-17, "code": "ngo", "term": "genderM",
                       "row": {"est": 0.12, "est_low": 0.05, "est_high": 0.19}, "z": -0.0, "m": None})
    with translation.override("en"):
        out = template.render(context)
    parts = out.split("|")
    assert parts[:9] == ["3.23", "1,131", f"93.9{NBSP}%", f"&lt;{NBSP}0.001", "NGO or civil society",
                         "Gender: boys (vs girls)", "0.12 (0.05 to 0.19)", "0.12 (0.05 to 0.19)", "0.00"]
    assert 'class="suppressed"' in parts[9]  # a missing count of students says why it is hidden
    with translation.override("es"):
        assert Template("{% load safeschool %}{{ x|number }}").render(Context({"x": 3.2349})) == "3,23"
