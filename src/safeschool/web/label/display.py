"""The label's published texts and stored checks as a reader sees them, in the interface language: criteria with
their rules and reasons (label.yaml, translated through the catalogues), practice names, and a stored check's
detail with its values formatted (groups, dimensions and practices by name, dates and numbers in the locale)."""

from __future__ import annotations

import datetime as dt

from django.utils.formats import date_format
from django.utils.translation import get_language, gettext, pgettext_lazy

from safeschool.selfeval import label as criteria_module
from safeschool.selfeval import questionnaire as questionnaires
from safeschool.web.core import formatting
from safeschool.web.label.selectors import criteria, questionnaire

ASSESSMENTS = {"met": pgettext_lazy("a label criterion", "Met"),
               "partly": pgettext_lazy("a label criterion", "Partly met"),
               "not_met": pgettext_lazy("a label criterion", "Not met")}
GROUP_KEYS = {"groups", "missing", "group"}
PRACTICE_KEYS = {"practices", "not_in_place", "undocumented"}


def _language() -> str:
    return (get_language() or questionnaires.SOURCE_LANGUAGE).split("-")[0]


def practice_name(code: str) -> str:
    english = criteria().practices.get(code)
    return gettext(english) if english else formatting.humanise(code)


def practice_choices() -> list[tuple[str, str]]:
    key = criteria().key_practices
    ordered = [*key, *(p for p in criteria().practices if p not in key)]
    return [(code, practice_name(code)) for code in ordered]


def _criterion(c: criteria_module.Criterion) -> dict:
    return {"code": c.code, "name": gettext(c.name), "rule": criteria_module.fill(gettext(c.rule), c.params),
            "why": gettext(c.why)}


def level_criteria(level: str) -> list[dict]:
    return [_criterion(c) for c in criteria().level(level).criteria]


def levels() -> list[dict]:
    """Every level with its reason and criteria, lowest first (the criteria page)."""
    return [{"code": lv.code, "name": gettext(lv.name), "why": gettext(lv.why), "criteria": level_criteria(lv.code)}
            for lv in criteria().levels]


def _dimension_name(code: str) -> str:
    try:
        return questionnaire().name_of(code, _language())
    except (KeyError, AttributeError):
        return formatting.humanise(code)


def _value(key: str, value):
    if value is None:
        return formatting.MISSING
    if key in GROUP_KEYS:
        codes = value if isinstance(value, list) else [value]
        return ", ".join(formatting.label("informant", c) for c in codes) or formatting.MISSING
    if key in PRACTICE_KEYS:
        return ", ".join(practice_name(c) for c in value) or formatting.MISSING
    if key == "dimension":
        return _dimension_name(value)
    if key == "date":
        return date_format(dt.date.fromisoformat(value), "SHORT_DATE_FORMAT")
    if isinstance(value, float):
        return formatting.number(value, 0 if value.is_integer() else 1)
    return str(value)


def detail(result: dict) -> str:
    """A stored check's sentence in the reader's language."""
    values = {k: _value(k, v) for k, v in (result.get("values") or {}).items()}
    try:
        return gettext(result.get("detail", "")) % values
    except (KeyError, ValueError, TypeError):
        return gettext(result.get("detail", ""))


def check_rows(checks: dict | None) -> list[dict]:
    """The stored checks of an application as rows: the criterion's name and rule, met or not, the detail."""
    if not checks or not checks.get("results"):
        return []
    try:
        by_code = {c["code"]: c for c in level_criteria(checks["level"])}
    except criteria_module.LabelCriteriaError:
        by_code = {}
    rows = []
    for result in checks["results"]:
        criterion = by_code.get(result["code"], {"name": formatting.humanise(result["code"]), "rule": ""})
        rows.append({"code": result["code"], "name": criterion["name"], "rule": criterion["rule"],
                     "met": result["met"], "detail": detail(result)})
    return rows


def assessment_rows(review) -> list[tuple[str, str]]:
    """A review's assessments as (criterion name, met / partly met / not met), in the published order."""
    names = {c["code"]: c["name"] for c in level_criteria(review.application.level)}
    return [(names.get(code, formatting.humanise(code)), str(ASSESSMENTS.get(value, formatting.humanise(value))))
            for code, value in review.assessments.items()]


def dimension_table(results: list | None) -> dict:
    """The campaign's dimension scores (0-100) per group from its stored results, for reviewers: groups below
    their disclosure threshold have no score there and are left out (their column would be empty)."""
    rows = [r for r in results or [] if (r.get("level") == "dimension" or (r.get("level") is None
                                                                          and r.get("subdimension") is None))
            and r.get("score_100") is not None]
    groups = [g for g in questionnaires.INFORMANTS if any(r.get("informant") == g for r in rows)]
    codes = list(dict.fromkeys(r.get("code") or r.get("dimension") for r in rows))
    value = {(r.get("code") or r.get("dimension"), r["informant"]): r["score_100"] for r in rows}
    return {"groups": [formatting.label("informant", g) for g in groups],
            "rows": [{"name": _dimension_name(code),
                      "cells": [formatting.number(value.get((code, g)), 0) for g in groups]} for code in codes]}
