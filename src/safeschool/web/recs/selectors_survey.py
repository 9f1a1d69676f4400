"""Reads for the partnership survey and the needs analysis: the waves, one wave with what the user may answer in it
(the school side of their schools' partnerships, the REC side of their RECs' partnerships, the needs form of their
schools) and, for researchers and administrators, how many partnerships each side answered; the instrument and the
needs questionnaire of a wave. Never who answered the needs form (it is not recorded)."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from safeschool.partnership import instrument as instruments
from safeschool.partnership import needs as needs_questionnaire
from safeschool.web.network.rules import has_consent, member_of
from safeschool.web.recs.models import Partnership, Side, SurveyResponse, SurveyWave
from safeschool.web.recs.selectors_recs import check, may
from safeschool.web.research.models import School

SIDE_PERMS = {Side.SCHOOL: "recs.answer_school_side", Side.REC: "recs.answer_rec_side"}


def instrument_of(wave: SurveyWave) -> instruments.Instrument:
    return instruments.load(wave.instrument_version)


def needs_of(wave: SurveyWave) -> needs_questionnaire.Needs:
    return needs_questionnaire.load()


def instrument_versions() -> list[int]:
    return sorted(instruments.versions())


def wave_list(*, user) -> QuerySet:
    check(user, "recs.view")
    return SurveyWave.objects.all()


def wave_get(*, user, pk: int) -> SurveyWave:
    check(user, "recs.view")
    return get_object_or_404(SurveyWave, pk=pk)


def _my_partnerships(user) -> list[tuple[Partnership, str]]:
    """(partnership, side) the user may answer: every check goes through the rules again."""
    if not user.is_authenticated:
        return []
    member = member_of(user)
    where = Q(school__staff_appointments__user=user)
    if member is not None and has_consent(user):
        where |= Q(rec__staff__member=member)
    rows = Partnership.objects.filter(where).select_related("school", "rec").distinct().order_by("rec__name",
                                                                                                 "school__name")
    return [(p, side) for p in rows for side in Side.values if may(user, SIDE_PERMS[side], p)]


def wave_detail(*, user, wave: SurveyWave) -> dict:
    answered = set(SurveyResponse.objects.filter(wave=wave).values_list("partnership_id", "side"))
    mine = [{"partnership": p, "side": side, "answered": (p.pk, side) in answered}
            for p, side in _my_partnerships(user)]
    schools = [s for s in School.objects.filter(staff_appointments__user=user).distinct().order_by("name")
               if may(user, "recs.answer_needs", s)] if user.is_authenticated else []
    detail = {"mine": mine, "schools": schools, "progress": None}
    if may(user, "recs.manage"):
        total = Partnership.objects.filter(ended_on__isnull=True).count()
        detail["progress"] = {"partnerships": total, "by_side": [
            (side, label, sum(1 for _, s in answered if s == side)) for side, label in Side.choices],
            "needs": wave.needs_responses.count()}
    return detail


def answer_target(*, user, wave_pk: int, partnership_pk: int, side: str) -> tuple[SurveyWave, Partnership]:
    """The wave and the partnership a side's answer is for (404 for an unknown one or side; 403 for a user who
    does not answer that side)."""
    wave = wave_get(user=user, pk=wave_pk)
    if side not in SIDE_PERMS:
        raise Http404
    partnership = get_object_or_404(Partnership.objects.select_related("school", "rec"), pk=partnership_pk)
    check(user, SIDE_PERMS[side], partnership)
    return wave, partnership


def answered(*, wave: SurveyWave, partnership: Partnership, side: str) -> bool:
    return SurveyResponse.objects.filter(wave=wave, partnership=partnership, side=side).exists()


def needs_target(*, user, wave_pk: int, school_pk: int) -> tuple[SurveyWave, School]:
    wave = wave_get(user=user, pk=wave_pk)
    school = get_object_or_404(School, pk=school_pk)
    check(user, "recs.answer_needs", school)
    return wave, school
