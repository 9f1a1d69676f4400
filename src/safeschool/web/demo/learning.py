"""The demo's learning (issue 18 §3-6, §8), after the RECs and the interventions: two published case studies (each
about a partner school, with the school's consent recorded, linked to its REC, a Hub practice and one of the demo
interventions), three published resource packs (small generated PDFs and text files, a video given as a link with
WebVTT captions and a transcript, case-study links), the six-day course (days -> sessions -> activities using pack
items) and its induction adaptation (version 2), two editions — a past one with enrolments, attendance, knowledge
checks before and after, evaluations and certificates, and an open one with places left — and the handbook v1 in
English and Spanish (three chapters drawing on the case studies and packs), published.

Everything goes through the learning services except two steps no service offers: the course template's first
version is written as a data entry would (the pages only adapt a version), and the past edition's enrolment is
closed after the course. Participants are network members (their own logins take the checks and the evaluation);
their answers are simulated with a seeded random generator. Texts are in safeschool.web.demo.learning_texts."""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from fpdf import FPDF

from safeschool.web.demo import learning_texts as texts
from safeschool.web.hub.models import Practice
from safeschool.web.interventions.models import Intervention
from safeschool.web.learning import (
    selectors_editions,
    services_cases,
    services_course,
    services_editions,
    services_handbook,
    services_packs,
)
from safeschool.web.learning.models import (
    Activity,
    CaseStudy,
    Course,
    CourseDay,
    CourseSession,
    Edition,
    PackItem,
    ResourcePack,
)
from safeschool.web.learning.selectors_course import course_sessions
from safeschool.web.network.models import Member
from safeschool.web.recs.models import Partnership

SEED = 180802
PAST_PARTICIPANTS = 14  # the past edition's, one of whom attends too little to complete
PAST_CAPACITY = 16
OPEN_ENROLLED, OPEN_CAPACITY = 8, 20
INDUCTION_DAYS = {1: 1, 2: 1, 3: 2, 5: 2}  # original day -> the induction course's day (days 4 and 6 left out)


def demo_learning_ensure(seed: int = SEED) -> str | None:
    """Seed the learning unless the demo's course exists; a note for the person running the demo, or None."""
    if Course.objects.filter(slug=texts.COURSE_SLUG).exists():
        return None
    researcher = get_user_model().objects.filter(username="researcher").first()
    partners = list(Partnership.objects.select_related("school", "rec").order_by("school__code"))
    if researcher is None or len(partners) < 2:
        return None
    rng = random.Random(seed)
    with transaction.atomic():
        cases = _cases(researcher, partners)
        packs = _packs(researcher, cases)
        course = _course(researcher, packs)
        induction = _induction(researcher, course)
        past, certificates = _past_edition(researcher, course, rng)
        _open_edition(researcher, course)
        handbooks = _handbooks(researcher, cases, packs)
    return (f"Learning: {len(cases)} case studies, {len(packs)} resource packs, the six-day course and its "
            f"induction version {induction.version}, two editions ({len(certificates)} certificates from "
            f"'{past.title}'), the handbook in {', '.join(handbooks)}.")


def _cases(researcher, partners: list[Partnership]) -> list[CaseStudy]:
    """Two case studies about partner schools (different ones, of two countries when there are two)."""
    first = partners[0]
    second = next((p for p in partners if p.school.country_id != first.school.country_id), partners[-1])
    cases = []
    for partnership, (slug, title, practice, intervention, fields) in zip((first, second), texts.CASES, strict=True):
        school = partnership.school
        data = {"slug": slug, "title": title, "country": school.country.code, "stages": [school.stage],
                "authors": texts.AUTHORS, "school": school, "rec": partnership.rec,
                "consent_given_by": texts.CONSENT_BY, "consent_on": timezone.localdate() - dt.timedelta(days=40),
                "practices": list(Practice.objects.filter(title=practice, status="accepted")[:1]),
                "interventions": list(Intervention.objects.filter(name__startswith=intervention)[:1]), **fields}
        case = services_cases.case_create(user=researcher, data=data)
        cases.append(services_cases.case_publish(user=researcher, case=case))
    return cases


def _pdf(lines: list[str]) -> bytes:
    pdf = FPDF(format="A4")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.multi_cell(0, 10, lines[0], new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 12)
    for line in lines[1:]:
        pdf.multi_cell(0, 8, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _item_data(kind: str, title: str, source: str, cases: list[CaseStudy]) -> dict:
    data = {"kind": kind, "title": title}
    what, _, key = source.partition(":")
    if what == "pdf":
        data["file"] = SimpleUploadedFile(f"{key}.pdf", _pdf(texts.PDF_LINES[key]), "application/pdf")
    elif what in ("md", "txt"):
        data["file"] = SimpleUploadedFile(f"{title.lower().replace(' ', '-')[:40]}.{what}",
                                          getattr(texts, key).encode(), "text/plain")
    elif what == "video":
        data.update(url=texts.VIDEO_URL, transcript=texts.TRANSCRIPT,
                    captions=SimpleUploadedFile("captions.vtt", texts.CAPTIONS.encode(), "text/vtt"))
    elif what == "case":
        data["case_study"] = cases[int(key)]
    return data


def _packs(researcher, cases: list[CaseStudy]) -> dict[str, ResourcePack]:
    packs = {}
    for slug, title, summary, outcomes, audiences, items in texts.PACKS:
        pack = services_packs.pack_save(user=researcher, data={
            "slug": slug, "title": title, "summary": summary, "learning_outcomes": outcomes,
            "audiences": audiences, "language": "en", "licence": "cc-by"})
        for order, (kind, item_title, source) in enumerate(items, start=1):
            services_packs.item_add(user=researcher, pack=pack,
                                    data={**_item_data(kind, item_title, source, cases), "order": order})
        packs[slug] = services_packs.pack_publish(user=researcher, pack=pack)
    return packs


def _course(researcher, packs: dict[str, ResourcePack]) -> Course:
    """The template's first version, written as a data entry would (no page makes a first version)."""
    course = Course.objects.create(slug=texts.COURSE_SLUG, version=1, kind=Course.Kind.FULL,
                                   title=texts.COURSE_TITLE, summary=texts.COURSE_SUMMARY,
                                   learning_outcomes=texts.COURSE_OUTCOMES, mobility_info=texts.MOBILITY,
                                   created_by=researcher, published_at=timezone.now())
    for number, (day_title, sessions) in enumerate(texts.DAYS, start=1):
        day = CourseDay.objects.create(course=course, number=number, title=day_title)
        for order, (session_title, activities) in enumerate(sessions):
            session = CourseSession.objects.create(day=day, order=order, title=session_title,
                                                   learning_outcomes=[a[0] for a in activities])
            for k, (title, minutes, method, material) in enumerate(activities):
                activity = Activity.objects.create(session=session, order=k, title=title, minutes=minutes,
                                                   method=method)
                if material is not None:
                    slug, item_order = material
                    activity.materials.set(PackItem.objects.filter(pack=packs[slug], order=item_order))
    return course


def _induction(researcher, course: Course) -> Course:
    """Version 2: the sessions of days 1, 2, 3 and 5 in two days, the REC's visit first."""
    sessions = course_sessions(course)
    plan = [(s.pk, INDUCTION_DAYS[s.day.number], s.order) for s in sessions if s.day.number in INDUCTION_DAYS]
    plan.sort(key=lambda row: (row[1], -row[2]))  # reordered: the second session of each day first
    plan = [(pk, day, position) for position, (pk, day, _order) in enumerate(plan)]
    return services_course.course_adapt(user=researcher, course=course, title=texts.INDUCTION_TITLE,
                                        kind=Course.Kind.INDUCTION, plan=plan)


def _participants(n: int, skip: int = 0) -> list:
    """Network members (teachers first) as course participants; their own logins act."""
    members = list(Member.objects.filter(user__username__startswith="member-", stakeholder_type="teacher")
                   .select_related("user").order_by("pk"))
    members += list(Member.objects.filter(user__username__startswith="member-").exclude(stakeholder_type="teacher")
                    .exclude(stakeholder_type="student").select_related("user").order_by("pk"))
    return [m.user for m in members[skip:skip + n]]


def _answers(questions: list[dict], p_right: float, rng: random.Random) -> dict[str, int]:
    return {q["code"]: q["answer"] if rng.random() < p_right else (q["answer"] + 1) % len(q["options"])
            for q in questions}


def _past_edition(researcher, course: Course, rng: random.Random):
    today = timezone.localdate()
    title, venue, trainers = texts.PAST_EDITION
    edition = services_editions.edition_create(
        user=researcher, course=course, title=title, starts_on=today - dt.timedelta(days=75),
        ends_on=today - dt.timedelta(days=68), venue=venue, trainers=trainers, capacity=PAST_CAPACITY,
        language="en")
    questions = selectors_editions.check_questions(course)
    enrolments = []
    for user in _participants(PAST_PARTICIPANTS):
        enrolment = services_editions.enrol(user=user, edition=edition)
        services_editions.check_take(user=user, enrolment=enrolment, moment="pre",
                                     answers=_answers(questions, 0.45, rng))
        enrolments.append(enrolment)
    sessions = course_sessions(course)
    marks = {}
    for i, enrolment in enumerate(enrolments):
        present = 0.4 if i == len(enrolments) - 1 else 0.95  # the last attends too little to complete
        for session in sessions:
            marks[(enrolment.pk, session.pk)] = rng.random() < present
    services_editions.attendance_record(user=researcher, edition=edition, marks=marks)
    for enrolment in enrolments:
        user = enrolment.user
        services_editions.check_take(user=user, enrolment=enrolment, moment="post",
                                     answers=_answers(questions, 0.8, rng))
        services_editions.evaluation_submit(
            user=user, enrolment=enrolment, comments=rng.choice(texts.COMMENTS),
            ratings={k: min(5, max(1, round(rng.gauss(4.2, 0.7)))) for k in selectors_editions.REACTION_ITEMS})
    certificates = services_editions.completions_issue(user=researcher, edition=edition)
    Edition.objects.filter(pk=edition.pk).update(enrolment_open=False)  # the course is over (no service closes it)
    edition.refresh_from_db()
    return edition, certificates


def _open_edition(researcher, course: Course) -> Edition:
    today = timezone.localdate()
    title, venue, trainers = texts.OPEN_EDITION
    edition = services_editions.edition_create(
        user=researcher, course=course, title=title, starts_on=today + dt.timedelta(days=75),
        ends_on=today + dt.timedelta(days=82), venue=venue, trainers=trainers, capacity=OPEN_CAPACITY,
        language="en")
    for user in _participants(OPEN_ENROLLED, skip=PAST_PARTICIPANTS):
        services_editions.enrol(user=user, edition=edition)
    return edition


def _handbooks(researcher, cases: list[CaseStudy], packs: dict[str, ResourcePack]) -> list[str]:
    draws = [([cases[0]], [packs["working-together"]]), ([], [packs["working-together"], packs["early-signs"]]),
             ([cases[1]], [packs["reaching-families"]])]
    made = []
    for language, (title, subtitle, chapters) in texts.HANDBOOK.items():
        handbook = services_handbook.handbook_create(user=researcher, version=1, language=language, title=title,
                                                     subtitle=subtitle, authors=texts.AUTHORS,
                                                     references=texts.REFERENCES)
        for order, ((chapter_title, body), (chapter_cases, chapter_packs)) in enumerate(zip(chapters, draws,
                                                                                           strict=True), start=1):
            services_handbook.chapter_add(user=researcher, handbook=handbook, order=order, title=chapter_title,
                                          body=body, case_studies=chapter_cases, packs=chapter_packs)
        services_handbook.handbook_publish(user=researcher, handbook=handbook)
        made.append(language)
    return made

