"""The demo's RECs and partnerships (issue 18 §1-2, §8): a profile for every REC of every country (area, services and
two staff, one of them a network member who answers the REC's side of the survey), a partnership for every school
whose cohort row names a REC (since when, agreed services, contacts, two or three meetings, a year of monthly
referral counts), a closed survey wave answered by both sides of most partnerships with realistic problems (time
and staff turnover everywhere; data sharing and reaching families in some countries), the needs analysis answered
by school leaders and teachers (at least 10 per country and role), and the published state-of-the-art report v1
with its narrative. Everything goes through the recs services (answers by the people whose side they are: the
school's leader login, made by the self-evaluation demo, and the REC's linked member); answers are simulated with
a seeded random generator."""

from __future__ import annotations

import datetime as dt
import random

import numpy as np
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from safeschool.partnership import instrument as instruments
from safeschool.partnership import needs as needs_questionnaire
from safeschool.partnership import simulate
from safeschool.web.demo import recs_texts as texts
from safeschool.web.demo.selfeval import school_leader
from safeschool.web.network.models import Member
from safeschool.web.recs import services_recs, services_report, services_survey
from safeschool.web.recs.models import Partnership, StateReport, SurveyWave
from safeschool.web.research.models import RegionalEducationalCentre, School

SEED = 180801
ANSWERED = 0.85  # share of partnerships whose two sides answered the survey
NEEDS_PER_ROLE = (10, 14)  # needs responses per country and role, min-max
# problems common only in some countries (every other country, by position): code -> (position % 2, rate)
CONTEXT_PROBLEMS = {"data_sharing": (0, 0.55), "families_reach": (1, 0.6)}
NEEDS_EMPHASIS = ({"migrant_learners": 0.6}, {"roma_inclusion": 0.8})  # by country position % 2


def demo_recs_ensure(seed: int = SEED) -> str | None:
    """Seed the RECs, partnerships, survey, needs and report unless the demo's wave exists; a note, or None."""
    if SurveyWave.objects.filter(title=texts.WAVE_TITLE).exists():
        return None
    researcher = get_user_model().objects.filter(username="researcher").first()
    if researcher is None or not RegionalEducationalCentre.objects.exists():
        return None
    rng = random.Random(seed)
    with transaction.atomic():
        rec_staff = _recs(researcher, rng)
        partnerships = _partnerships(researcher, rng)
        wave = services_survey.wave_open(user=researcher, title=texts.WAVE_TITLE)
        answered = _survey(wave, partnerships, rec_staff, rng)
        needs = _needs(wave, rng)
        wave = services_survey.wave_close(user=researcher, wave=wave)
        report = _report(researcher, wave)
    return (f"RECs: {len(rec_staff)} centres with {len(partnerships)} partnerships; {answered} answered the survey "
            f"on both sides, {needs} needs responses; state-of-the-art report v{report.version} published.")


def _members(country: str) -> list[Member]:
    """Network members who can act for a REC: practitioners of the REC's country first, then any adult member."""
    adults = Member.objects.filter(user__username__startswith="member-", stakeholder_type="practitioner")
    return list(adults.filter(country=country).order_by("pk")) + list(adults.exclude(country=country).order_by("pk"))


def _recs(researcher, rng: random.Random) -> dict[int, object]:
    """Profiles and two staff per REC; returns REC id -> the user of the linked member (who answers its side)."""
    linked: dict[int, object] = {}
    taken: set[int] = set()
    for i, rec in enumerate(RegionalEducationalCentre.objects.select_related("country").order_by("code")):
        area = texts.AREAS[i % len(texts.AREAS)]
        services_recs.rec_profile_save(user=researcher, rec=rec, area=area.capitalize(),
                                       services=["training", "coaching", *texts.EXTRA_SERVICES[i % 4]],
                                       description=texts.DESCRIPTION.format(area=area))
        member = next((m for m in _members(rec.country.code) if m.pk not in taken), None)
        names = [f"{rng.choice(texts.STAFF_FIRST)} {rng.choice(texts.STAFF_LAST)}" for _ in range(2)]
        if member is not None:
            taken.add(member.pk)
            names[0] = member.display_name
            linked[rec.pk] = member.user
        services_recs.rec_staff_add(user=researcher, rec=rec, name=names[0], role=texts.ROLES[i % 2], member=member)
        services_recs.rec_staff_add(user=researcher, rec=rec, name=names[1], role=texts.ROLES[2 + i % 2])
    return linked


def _months(n: int = 12) -> list[dt.date]:
    first = timezone.localdate().replace(day=1)
    months = []
    for _ in range(n):
        first = (first - dt.timedelta(days=1)).replace(day=1)
        months.append(first)
    return months[::-1]


def _partnerships(researcher, rng: random.Random) -> list[Partnership]:
    today = timezone.localdate()
    made = []
    for school in School.objects.filter(rec__isnull=False).select_related("rec").order_by("code"):
        offered = school.rec.profile.services
        agreed = ["training", *rng.sample([s for s in offered if s != "training"], k=min(2, len(offered) - 1))]
        staff = school.rec.staff.order_by("pk").first()
        p = services_recs.partnership_create(
            user=researcher, rec=school.rec, school=school, since=today - dt.timedelta(days=rng.randint(200, 2000)),
            services=agreed, school_contact="The school's deputy head", rec_contact=staff.name if staff else "",
            agreement=texts.AGREEMENT)
        for k, (topic, notes) in enumerate(texts.MEETINGS[:rng.randint(2, 3)]):
            services_recs.meeting_add(user=researcher, partnership=p, held_on=today - dt.timedelta(days=300 - 110 * k),
                                      topic=topic, attendees=rng.randint(2, 6), notes=notes)
        level = rng.uniform(1.0, 5.0)
        for month in _months():
            summer = month.month in (7, 8)
            count = max(0, round(rng.gauss(level * (0.2 if summer else 1.0), 1.2)))
            services_recs.referral_count_set(user=researcher, partnership=p, month=month, count=count)
        made.append(p)
    return made


def _context_rates(country_position: int) -> dict[str, float]:
    return {code: rate for code, (position, rate) in CONTEXT_PROBLEMS.items() if country_position % 2 == position}


def _survey(wave: SurveyWave, partnerships: list[Partnership], rec_staff: dict[int, object],
            rng: random.Random) -> int:
    instrument = instruments.load(wave.instrument_version)
    draws = np.random.default_rng(rng.randrange(2**32))
    countries = sorted({p.school.country_id for p in partnerships})
    answered = 0
    for p in partnerships:
        if rng.random() > ANSWERED or p.rec_id not in rec_staff:
            continue
        quality = draws.normal(0, 0.6)  # the partnership's latent quality, shared by both sides
        rates = _context_rates(countries.index(p.school.country_id))
        for side, user, comments in (("school", school_leader(p.school), texts.SCHOOL_COMMENTS),
                                     ("rec", rec_staff[p.rec_id], texts.REC_COMMENTS)):
            answer = simulate.survey_response(draws, side, quality=quality, instrument=instrument,
                                              problem_rates=rates)
            said = next((comments[c] for c in answer["problems"] if c in comments), "")
            services_survey.survey_answer(user=user, wave=wave, partnership=p, side=side, answers=answer["answers"],
                                          problems=answer["problems"], comments=said)
        answered += 1
    return answered


def _needs(wave: SurveyWave, rng: random.Random) -> int:
    """Leaders' and teachers' needs, at least NEEDS_PER_ROLE[0] per country and role, each given through a school
    leader login of a school of the country (the responses are not linked to who answered)."""
    questionnaire = needs_questionnaire.load()
    draws = np.random.default_rng(rng.randrange(2**32))
    made = 0
    countries = School.objects.values_list("country", flat=True).distinct().order_by("country")
    for position, country in enumerate(countries):
        schools = list(School.objects.filter(country=country).order_by("code"))
        leaders = [school_leader(s) for s in schools]
        for role in questionnaire.roles:
            for k in range(rng.randint(*NEEDS_PER_ROLE)):
                answer = simulate.needs_response(draws, role, needs=questionnaire,
                                                 emphasis=NEEDS_EMPHASIS[position % 2])
                services_survey.needs_answer(user=leaders[k % len(schools)], wave=wave, school=schools[k % len(schools)],
                                             role=role, needs=answer["needs"], formats=answer["formats"])
                made += 1
    return made


def _report(researcher, wave: SurveyWave) -> StateReport:
    report = services_report.report_create(user=researcher, title=texts.REPORT_TITLE, language="en", wave=wave)
    report = services_report.report_narrative_set(user=researcher, report=report, title=texts.REPORT_TITLE,
                                                  narrative=texts.NARRATIVE)
    return services_report.report_publish(user=researcher, report=report)
