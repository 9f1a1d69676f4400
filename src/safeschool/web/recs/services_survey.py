"""Writes for the partnership survey and the needs analysis: a wave opened and closed (researchers and
administrators), one side's answer for one partnership in one wave (once: the database refuses a second one, and
the service says so first), and a needs response (not linked to the person who answered). Every write checks its
permission again and validates the answers against the wave's instrument."""

from __future__ import annotations

import rules
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from safeschool.partnership import instrument as instruments
from safeschool.partnership import needs as needs_questionnaire
from safeschool.web.recs.models import NeedsResponse, Partnership, SurveyResponse, SurveyWave
from safeschool.web.research.models import School

SIDE_PERMS = {"school": "recs.answer_school_side", "rec": "recs.answer_rec_side"}


def _already() -> str:
    return gettext("This side of the partnership has already answered in this wave: an answer is given once.")


def _check(user, perm: str, obj=None) -> None:
    if not rules.has_perm(perm, user, obj):
        raise PermissionDenied(gettext("You do not have permission to do this (%(perm)s).") % {"perm": perm})


def _open(wave: SurveyWave) -> None:
    if not wave.is_open:
        raise ValidationError(gettext("This survey wave is closed."))


def wave_open(*, user, title: str, instrument_version: int | None = None) -> SurveyWave:
    _check(user, "recs.manage")
    version = instrument_version or instruments.load().version
    if version not in instruments.versions():
        raise ValidationError({"instrument_version": gettext("This version of the survey does not exist.")})
    wave = SurveyWave(title=title.strip(), instrument_version=version)
    wave.full_clean()
    wave.save()
    return wave


@transaction.atomic
def wave_close(*, user, wave: SurveyWave) -> SurveyWave:
    _check(user, "recs.manage")
    wave = SurveyWave.objects.select_for_update().get(pk=wave.pk)
    _open(wave)
    wave.closed_at = timezone.now()
    wave.save(update_fields=["closed_at"])
    return wave


def survey_answer(*, user, wave: SurveyWave, partnership: Partnership, side: str, answers: dict, problems=(),
                  comments: str = "") -> SurveyResponse:
    """One side's answer: every item of the wave's instrument rated on its scale; problems from the taxonomy."""
    if side not in SIDE_PERMS:
        raise ValidationError(gettext("Unknown side."))
    _check(user, SIDE_PERMS[side], partnership)
    _open(wave)
    instrument = instruments.load(wave.instrument_version)
    low, high = instrument.scale
    clean = {}
    for code in instrument.items:
        value = answers.get(code)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ValidationError({code: gettext("Choose a rating from %(low)s to %(high)s.") % {
                "low": low, "high": high}})
        clean[code] = value
    problems = list(problems or [])
    unknown = sorted(set(problems) - set(instrument.problems))
    if unknown:
        raise ValidationError({"problems": gettext("Unknown problem: %(codes)s.") % {"codes": ", ".join(unknown)}})
    if SurveyResponse.objects.filter(wave=wave, partnership=partnership, side=side).exists():
        raise ValidationError(_already())
    response = SurveyResponse(wave=wave, partnership=partnership, side=side, answers=clean,
                              problems=[c for c in instrument.problems if c in problems],
                              comments=comments.strip(), submitted_by=user)
    response.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            response.save()
    except IntegrityError as exc:  # a second answer that arrived at the same moment
        raise ValidationError(_already()) from exc
    return response


def needs_answer(*, user, wave: SurveyWave, school: School, role: str, needs: dict, formats=()) -> NeedsResponse:
    """A leader's or teacher's needs for the school: a priority for every topic of the role; not linked to them."""
    _check(user, "recs.answer_needs", school)
    _open(wave)
    questionnaire = needs_questionnaire.load()
    if role not in questionnaire.roles:
        raise ValidationError({"role": gettext("Choose school leader or teacher.")})
    low, high = questionnaire.scale
    clean = {}
    for topic in questionnaire.topics_for(role):
        value = needs.get(topic.code)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ValidationError({topic.code: gettext("Choose a priority from %(low)s to %(high)s.") % {
                "low": low, "high": high}})
        clean[topic.code] = value
    formats = list(formats or [])
    if set(formats) - set(questionnaire.formats):
        raise ValidationError({"formats": gettext("Unknown format.")})
    response = NeedsResponse(wave=wave, school=school, role=role, needs=clean,
                             formats=[f for f in questionnaire.formats if f in formats])
    response.full_clean()
    response.save()
    return response
