"""The one formatting layer: every figure and every code a person reads — on a page, in a chart's table, a CSV or
a PDF — goes through these functions, so that a number reads the same everywhere and in the reader's language.

Numbers follow the active language's Django format (decimal mark, thousands separator): "3.23" in English,
"3,23" in Spanish. Missing values (None, NaN, infinite) read "—"; a value that rounds to zero never reads "-0".
Percentages are written with a no-break space before the sign ("93.9 %", "93,9 %") in every language, the way
European style guides and ISO 80000 write them, and the no-break space keeps the sign with its number.
Codes (stages, groups, stakeholder types, statuses, …) read as their translated labels through `label`; model
terms (`genderM`, `migrant_background[T.True]`) through `term_label`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils import formats
from django.utils.translation import gettext, pgettext

from safeschool import vocabulary
from safeschool.stats import printing
from safeschool.stats.disclosure import EMPTY, PROTECTS

MISSING = "—"
NBSP = "\u00a0"
PERCENT_SIGN = NBSP + "%"  # the one rule: "93.9 %" (no-break space), in every language
LESS_THAN = "<" + NBSP


def is_missing(x) -> bool:
    """None, NaN, ±infinity, pandas' NA/NaT, or an empty string: nothing a reader can use."""
    if x is None or (isinstance(x, str) and not x.strip()):
        return True
    try:
        return not math.isfinite(float(x))
    except (TypeError, ValueError):
        return str(x) in {"NaT", "<NA>", "nan", "None"}


def _decimal(x, digits: int) -> Decimal | None:
    """`x` rounded half-up to `digits` decimals, as written (2.675 -> 2.68), never negative zero."""
    if is_missing(x):
        return None
    try:
        value = Decimal(repr(float(x))) if not isinstance(x, Decimal) else x
        value = value.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    except (InvalidOperation, TypeError, ValueError):
        return None
    return value.copy_abs() if value.is_zero() else value


def _localise(value: Decimal, digits: int) -> str:
    return formats.number_format(value, decimal_pos=digits, use_l10n=True, force_grouping=True)


def number(x, digits: int = 2) -> str:
    """A measured value with `digits` decimals in the reader's locale: number(3.2349) -> "3.23" / "3,23"."""
    digits = int(digits)
    value = _decimal(x, digits)
    return MISSING if value is None else _localise(value, digits)


def count(n) -> str:
    """A count: an integer with grouped thousands ("1,131" in English, "1.131" in Italian); 25.0 -> "25"."""
    return number(n, 0)


def percent(p, digits: int = 1) -> str:
    """A proportion 0–1 as a percentage: percent(0.939) -> "93.9 %" (no-break space), in every language."""
    if is_missing(p):
        return MISSING
    return number(float(p) * 100, digits) + PERCENT_SIGN


def points(p, digits: int = 1, signed: bool = False) -> str:
    """A difference of two proportions (0–1 scale) in percentage points, without a sign word: points(0.0062) ->
    "0.6"; signed=True writes "+0.6" for a rise (never "+0.0" or "-0.0")."""
    if is_missing(p):
        return MISSING
    text = number(float(p) * 100, digits)
    value = _decimal(float(p) * 100, int(digits))
    return "+" + text if signed and value is not None and value > 0 else text


def significant_decimals(*values, sig: int = 2, most: int = 6) -> int:
    """How many decimals show the largest of `values` (ignoring missing ones) with `sig` significant digits:
    (0.0123,) -> 3, (12.3,) -> 0, (0.00004,) -> 6 (capped at `most`); 2 when nothing is usable."""
    usable = [abs(float(v)) for v in values if not is_missing(v) and float(v) != 0]
    if not usable:
        return 2
    return max(0, min(int(most), int(sig) - 1 - math.floor(math.log10(max(usable)))))


def interval_decimals(*values, sig: int = 2) -> int:
    """Decimals for an estimate and its bounds: `sig` significant digits of the largest, and one more decimal when
    that would make a non-zero figure read "0.0" (a bound that does not touch zero must not look as if it did)."""
    base = significant_decimals(*values, sig=sig)
    usable = [abs(float(v)) for v in values if not is_missing(v) and float(v) != 0]
    if usable and _decimal(min(usable), base) is not None and _decimal(min(usable), base).is_zero():
        return base + 1
    return base


def significant(x, sig: int = 2) -> str:
    """A value with `sig` significant digits (at least the units): significant(0.000456) -> "0.00046",
    significant(123.4) -> "123"; used for variance components and effects whose size is not known in advance."""
    return number(x, significant_decimals(x, sig=sig))


def p_value(p) -> str:
    """A p-value: "< 0.001" below one in a thousand, else three decimals, in the reader's locale."""
    if is_missing(p):
        return MISSING
    if float(p) < 0.001:
        return LESS_THAN + number(0.001, 3)
    return number(p, 3)


def interval(estimate, low, high, digits: int = 2) -> str:
    """An estimate with its interval: "0.12 (0.05 to 0.19)", the "to" in the reader's language."""
    if is_missing(estimate):
        return MISSING
    if is_missing(low) or is_missing(high):
        return number(estimate, digits)
    # Translators: an estimate followed by its confidence interval, e.g. "0.12 (0.05 to 0.19)".
    return gettext("%(estimate)s (%(low)s to %(high)s)") % {
        "estimate": number(estimate, digits), "low": number(low, digits), "high": number(high, digits)}


def interval_significant(estimate, low, high, sig: int = 2) -> str:
    """An estimate and its interval with one number of decimals that shows the largest of the three with `sig`
    significant digits, so that the three line up (one decimal more when a non-zero figure would read as zero):
    (0.0123, 0.0041, 0.0205) -> "0.012 (0.004 to 0.021)"; (12.3, 4.1, 20.5) -> "12 (4 to 21)"."""
    return interval(estimate, low, high, interval_decimals(estimate, low, high, sig=sig))


def interval_points(estimate, low, high, sig: int = 2) -> str:
    """A difference of proportions (0–1) and its interval in percentage points, the estimate signed, decimals
    as in `interval_significant` (at least one): (0.0062, 0.0021, 0.0112) -> "+0.6 points (0.2 to 1.1)";
    (0.0052, 0.0004, 0.0100) -> "+0.52 points (0.04 to 1.00)", not "(0.0 to 1.0)"."""
    if is_missing(estimate):
        return MISSING
    scaled = [None if is_missing(v) else float(v) * 100 for v in (estimate, low, high)]
    digits = max(1, interval_decimals(*scaled, sig=sig))
    value = points(estimate, digits, signed=True)
    if scaled[1] is None or scaled[2] is None:
        # Translators: a difference in percentage points, e.g. "+0.6 points".
        return gettext("%(estimate)s points") % {"estimate": value}
    # Translators: a difference in percentage points with its confidence interval, e.g. "+0.6 points (0.0 to 1.1)".
    return gettext("%(estimate)s points (%(low)s to %(high)s)") % {
        "estimate": value, "low": number(scaled[1], digits), "high": number(scaled[2], digits)}


def fraction(part, whole) -> str:
    """A part of a whole in words, counts as integers: "25 of 33"."""
    if is_missing(part) or is_missing(whole):
        return MISSING
    # Translators: a count out of a total, e.g. "25 of 33" panellists.
    return gettext("%(part)s of %(whole)s") % {"part": count(part), "whole": count(whole)}


# ------------------------------------------------------------------------------------------------------ labels
# kind -> {code: label}; labels are marked for translation where they are defined (vocabulary: gettext_noop,
# models: gettext_lazy) and translated here when shown.
_LABELS: dict[str, dict[str, str]] = {
    "stage": dict(vocabulary.STAGE_LABELS),
    "gender": dict(vocabulary.GENDERS),
    "level": dict(vocabulary.LEVEL_LABELS),
    "pillar": dict(vocabulary.PILLARS),
    "country": dict(vocabulary.COUNTRIES),
    "group": {column: title for column, (title, _values) in vocabulary.GROUPS.items()},
    "variable": dict(vocabulary.VARIABLE_LABELS),
    **{f"group:{column}": dict(values) for column, (_title, values) in vocabulary.GROUPS.items()},
}


def register(kind: str, choices: Iterable[tuple[str, str]] | dict) -> None:
    """Make the labels of a feature app's codes known (called from its AppConfig.ready(): core imports no app):
    `register("stakeholder_type", StakeholderType.choices)`. Later registrations add to earlier ones."""
    pairs = choices.items() if isinstance(choices, dict) else choices
    _LABELS.setdefault(kind, {}).update({str(code): text for code, text in pairs})


def kinds() -> list[str]:
    return sorted(_LABELS)


def _translate(text) -> str:
    text = str(text)  # a lazy label translates itself here
    return gettext(text) if text else text


def humanise(code: str) -> str:
    """An unknown code made readable rather than shown raw: "school_board" -> "School board"."""
    text = str(code).replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def label(kind: str, code) -> str:
    """The translated label of a code of `kind` ("stakeholder_type", "stage", "group:gender", …): never the raw
    code — an unknown one is humanised, a missing one reads "—"."""
    if is_missing(code):
        return MISSING
    labels = _LABELS.get(kind, {})
    key = str(code)
    if key in labels:
        return _translate(labels[key])
    if key.lower() in labels:
        return _translate(labels[key.lower()])
    return humanise(key)


def _lower_first(text: str) -> str:
    """Lower-case the first letter unless the first word is an abbreviation ("SEN / disability" stays)."""
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


def term_label(term) -> str:
    """A model term as a reader says it: "genderM" -> "Gender: boys (vs girls)", "migrant_backgroundTRUE" and
    "migrant_background[T.True]" -> "Migrant background", "ses_band[T.low]" -> "Socio-economic status: low SES
    (vs high SES)", "a:b" -> "A × B", "(Intercept)" -> "Intercept", a scale code -> the scale's name."""
    if is_missing(term):
        return MISSING
    parts = [printing.term_parts(p) for p in printing.split_interaction(str(term))]
    return " × ".join(_part_label(*part) for part in parts)


def _part_label(column: str, level: str | None, reference: str | None) -> str:
    if column == printing.INTERCEPT:
        return gettext("Intercept")
    title = _variable_title(column)
    if level is None:
        return title
    if level in ("True", "TRUE"):
        return _translate(vocabulary.GROUPS[column][1]["True"]) if column in vocabulary.GROUPS else title
    if level in ("False", "FALSE"):
        if column in vocabulary.GROUPS:
            return _translate(vocabulary.GROUPS[column][1]["False"])
        # Translators: a yes/no characteristic that is absent, e.g. "Early tracking: no".
        return gettext("%(variable)s: no") % {"variable": title}
    value = _lower_first(label(f"group:{column}", level)) if column in vocabulary.GROUPS else level
    if reference is None:
        return f"{title}: {value}"
    ref = _lower_first(label(f"group:{column}", reference)) if column in vocabulary.GROUPS else reference
    # Translators: a level of a categorical variable against its reference, e.g. "Gender: boys (vs girls)".
    return gettext("%(variable)s: %(level)s (vs %(reference)s)") % {"variable": title, "level": value,
                                                                      "reference": ref}


def _variable_title(column: str) -> str:
    if column in vocabulary.GROUPS:
        return _translate(vocabulary.GROUPS[column][0])
    if column in vocabulary.VARIABLE_LABELS:
        return _translate(vocabulary.VARIABLE_LABELS[column])
    scale = printing.scale_name(column)
    return _translate(scale) if scale else humanise(column)


def yes_no(value) -> str:
    if is_missing(value):
        return MISSING
    # Translators: the answer to a yes/no question shown in a table cell.
    return pgettext("answer", "Yes") if value in (True, "True", "TRUE", 1, "1") else pgettext("answer", "No")


def hidden_short(reason: str | None) -> str:
    """What a hidden figure shows in its place, in the reader's language: "n<10" for a small group, "hidden" for a
    figure hidden to protect a small one (stats.disclosure decides which; its own labels are English)."""
    if reason == PROTECTS:
        # Translators: in a table cell whose figure is hidden so that a small group cannot be worked out.
        return pgettext("hidden figure", "hidden")
    if reason == EMPTY:
        return "–"
    return f"n<{vocabulary.MIN_CELL}"


def hidden_reason(reason: str | None) -> str:
    """Why a figure is hidden, in words and in the reader's language."""
    if reason == PROTECTS:
        return gettext("hidden to protect a small group")
    if reason == EMPTY:
        return gettext("no students")
    # Translators: why a figure about students is not shown, e.g. "fewer than 10 students".
    return gettext("fewer than %(n)s students") % {"n": count(vocabulary.MIN_CELL)}
