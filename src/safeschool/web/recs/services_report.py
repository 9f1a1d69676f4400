"""Writes of the state-of-the-art report. Making a version snapshots every generated figure into it (the survey
and needs figures of its wave, the partnership figures and the outcomes by group, each with its disclosure control
already applied), so a version never changes when the data do; its narrative is written beside those figures until
it is published, after which it never changes either (a new version is made instead)."""

from __future__ import annotations

import math
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from safeschool.partnership import figures as sota
from safeschool.partnership import scoring
from safeschool.web.core.languages import NAMES
from safeschool.web.core.permissions import authorize
from safeschool.web.recs import selectors_report as selectors
from safeschool.web.recs.models import StateReport, SurveyWave

SCHEMA = 1  # the layout of StateReport.figures this module writes (charts_report reads it)


def _plain(value):
    """JSON-ready: numpy numbers, dates and tuples as their plain forms; NaN as None."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_plain(v) for v in (sorted(value) if isinstance(value, set) else value)]
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    return value


def report_figures(*, wave: SurveyWave | None) -> dict:
    """Every figure of the report, generated now from the current data (the snapshot a new version keeps)."""
    survey = needs = None
    if wave is not None:
        responses = selectors.survey_frame(wave=wave)
        survey = scoring.survey_figures(responses) if len(responses) else None
        people = selectors.needs_frame(wave=wave)
        needs = scoring.needs_figures(people) if len(people) else None
    tables = selectors.partnership_frames()
    year = selectors.partnership_year()
    students, outcome_wave = selectors.outcome_frame()
    return _plain({
        "schema": SCHEMA, "generated_at": timezone.now(),
        "wave": {"title": wave.title, "instrument_version": wave.instrument_version} if wave else None,
        "survey": survey, "needs": needs,
        "partnerships": sota.partnership_tables(**tables, year=year) if len(tables["schools"]) else None,
        "outcomes": sota.outcome_tables(students) if len(students) else None, "outcome_wave": outcome_wave,
    })


def _check(title: str, language: str) -> None:
    errors = {}
    if not (title or "").strip():
        errors["title"] = gettext("Give the version a title.")
    elif len(title) > selectors.TITLE_MAX:
        errors["title"] = gettext("The title is too long.")
    if language not in NAMES:
        errors["language"] = gettext("Choose one of the site's languages.")
    if errors:
        raise ValidationError(errors)


def report_create(*, user, title: str, language: str, wave: SurveyWave | None) -> StateReport:
    """A new version (the next number) with the figures generated now; unpublished until `report_publish`."""
    authorize(user, selectors.MANAGE)
    _check(title, language)
    figures = report_figures(wave=wave)
    for _attempt in range(3):  # two researchers making a version at once: the second takes the next number
        try:
            with transaction.atomic():
                return StateReport.objects.create(version=selectors.next_version(), title=title.strip(),
                                                  language=language, wave=wave, figures=figures, narrative={},
                                                  created_by=user)
        except IntegrityError:
            continue
    raise ValidationError(gettext("Another version was being made at the same time: try again."))


def _unpublished(report: StateReport) -> None:
    if report.published_at is not None:
        raise ValidationError(gettext("A published version never changes: make a new version instead."))


def report_narrative_set(*, user, report: StateReport, title: str, narrative: dict[str, str]) -> StateReport:
    """The version's title and narrative sections (section code -> text; unknown codes are refused)."""
    authorize(user, selectors.MANAGE)
    _unpublished(report)
    _check(title, report.language)
    unknown = sorted(set(narrative) - set(selectors.SECTIONS))
    if unknown:
        raise ValidationError(gettext("Unknown section: %(code)s.") % {"code": unknown[0]})
    texts = {}
    for code in selectors.SECTIONS:
        text = str(narrative.get(code) or "").replace("\r\n", "\n").strip()
        if len(text) > selectors.NARRATIVE_MAX:
            raise ValidationError({code: gettext("This section is too long.")})
        if "\x00" in text:
            raise ValidationError({code: gettext("This text contains a character that cannot be stored.")})
        if text:
            texts[code] = text
    with transaction.atomic():
        locked = StateReport.objects.select_for_update().get(pk=report.pk)
        _unpublished(locked)
        locked.title, locked.narrative = title.strip(), texts
        locked.save(update_fields=["title", "narrative"])
    report.title, report.narrative = locked.title, locked.narrative
    return report


def report_publish(*, user, report: StateReport) -> StateReport:
    """Make the version public (on /learning/reports/<version>/ too). Publishing twice changes nothing."""
    authorize(user, selectors.MANAGE)
    with transaction.atomic():
        locked = StateReport.objects.select_for_update().get(pk=report.pk)
        if locked.published_at is None:
            locked.published_at = timezone.now()
            locked.save(update_fields=["published_at"])
    report.published_at = locked.published_at
    return report
