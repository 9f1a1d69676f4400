"""Writes for the Hub databases: practice submission and review, programme sign-offs, wiki revisions, uploads."""

from __future__ import annotations

import random

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils.text import slugify

from safeschool.web.hub.models import (
    MAX_UPLOAD,
    PRINCIPLES,
    Document,
    Policy,
    Practice,
    PracticeReview,
    Programme,
    ProgrammeSignoff,
    WikiPage,
    WikiRevision,
)
from safeschool.web.hub.services import demo_communities_ensure
from safeschool.web.network.models import Member

ACCEPTS_NEEDED = 2


def _member(user):
    member = getattr(user, "member", None)
    if member is None:
        raise PermissionDenied("Only network members can do this: create your network profile first.")
    return member


def clean_fit(fit: dict) -> dict:
    """Criterion A: every principle rated 0 (no fit), 1 (partial) or 2 (full)."""
    clean = {}
    for number in PRINCIPLES:
        value = fit.get(number, fit.get(str(number)))
        if value not in (0, 1, 2, "0", "1", "2"):
            raise ValidationError({"fit": f"rate principle {number} as 0, 1 or 2"})
        clean[str(number)] = int(value)
    return clean


def practice_submit(*, user, **fields) -> Practice:
    if not user.has_perm("network.submit_practice"):
        raise PermissionDenied("Submitting practices needs participation level (c) or (d) and your consent.")
    practice = Practice(submitted_by=_member(user), **fields)
    practice.full_clean()
    practice.save()
    return practice


def practice_resubmit(*, user, practice: Practice, **fields) -> Practice:
    if practice.submitted_by != _member(user):
        raise PermissionDenied("Only the author resubmits a practice.")
    if practice.status != Practice.Status.RETURNED:
        raise ValidationError("Only a returned practice can be resubmitted.")
    for key, value in fields.items():
        setattr(practice, key, value)
    practice.status = Practice.Status.SUBMITTED
    practice.round += 1
    practice.full_clean()
    practice.save()
    return practice


@transaction.atomic
def practice_review(*, user, practice: Practice, decision: str, fit: dict, tier: str, comment: str = "") -> Practice:
    if not user.has_perm("hub.review"):
        raise PermissionDenied("Only reviewers review practices.")
    reviewer = _member(user)
    if reviewer == practice.submitted_by:
        raise ValidationError("Authors do not review their own practice.")
    practice = Practice.objects.select_for_update().get(pk=practice.pk)
    if practice.status != Practice.Status.SUBMITTED:
        raise ValidationError(f"This practice is {practice.get_status_display().lower()}: nothing to review.")
    if decision == PracticeReview.Decision.RETURN and not comment.strip():
        raise ValidationError({"comment": "Say what the author should change."})
    if practice.reviews.filter(reviewer=reviewer, round=practice.round).exists():
        raise ValidationError("You have already reviewed this round of the practice.")
    review = PracticeReview(practice=practice, reviewer=reviewer, decision=decision, fit=clean_fit(fit), tier=tier,
                            comment=comment.strip(), round=practice.round)
    review.full_clean()
    review.save()
    if decision == PracticeReview.Decision.RETURN:
        practice.status = Practice.Status.RETURNED
    elif practice.reviews.filter(round=practice.round, decision="accept").count() >= ACCEPTS_NEEDED:
        practice.status = Practice.Status.ACCEPTED
    practice.save(update_fields=["status"])
    return practice


def programme_signoff(*, user, programme: Programme, note: str = "") -> ProgrammeSignoff:
    if not user.has_perm("hub.review"):
        raise PermissionDenied("Only reviewers sign off programmes.")
    reviewer = _member(user)
    if programme.signoffs.filter(reviewer=reviewer).exists():
        raise ValidationError("You have already signed off this programme.")
    return ProgrammeSignoff.objects.create(programme=programme, reviewer=reviewer, note=note.strip())


@transaction.atomic
def wiki_save(*, user, body: str, note: str = "", page: WikiPage | None = None, title: str = "",
              kind: str = "concept", language: str = "en") -> WikiRevision:
    """A new revision of a page (a new page when `page` is None)."""
    if not user.has_perm("network.post_in_community"):
        raise PermissionDenied("Editing the wiki needs your consent (see My profile).")
    author = _member(user)
    if page is None:
        slug = slugify(title)[:120]
        if not slug:
            raise ValidationError({"title": "Give the page a title."})
        if WikiPage.objects.filter(slug=slug, language=language).exists():
            raise ValidationError({"title": f"A page '{title}' already exists in this language."})
        page = WikiPage(slug=slug, title=title.strip(), kind=kind, language=language)
        page.full_clean()
        page.save()
    last = page.revisions.aggregate(n=Max("number"))["n"] or 0
    if last and page.current.body == body:
        raise ValidationError({"body": "Nothing changed."})
    revision = WikiRevision(page=page, number=last + 1, body=body, note=note.strip(), author=author)
    revision.full_clean()
    revision.save()
    return revision


def document_upload(*, user, file, **fields) -> Document:
    if not user.has_perm("network.share_item"):
        raise PermissionDenied("Uploading to the library needs participation level (b) or above and your consent.")
    if file.size > MAX_UPLOAD:
        raise ValidationError({"file": f"{file.name} is {file.size / 1e6:.1f} MB: the limit is "
                                       f"{MAX_UPLOAD / 1e6:.0f} MB."})
    document = Document(file=file, uploaded_by=_member(user), **fields)
    document.full_clean()
    document.save()
    return document


def demo_library_ensure() -> int:
    """Programmes, policies, documents, wiki pages and practices in several review states (the demo; once). The
    communities' posts, comments and report come first: seeding the members (network) no longer reaches the Hub."""
    demo_communities_ensure(random.Random(11))
    if Programme.objects.exists():
        return 0
    rng = random.Random(5)
    reviewers = list(Member.objects.filter(moderator=True).order_by("pk")[:3])
    authors = list(Member.objects.filter(level__in=["c", "d"], user__username__startswith="member-")[:12])
    if len(reviewers) < 3 or not authors:
        return 0
    programmes = [
        ("Check & Connect mentoring", "US model adapted in IT and ES: a monitor follows attendance and engagement "
         "and meets the student weekly.", "IT", "relational", "strong", "students"),
        ("Restorative practice in secondary schools", "Circles and restorative meetings replace most exclusions.",
         "UK", "community", "moderate", "whole_school"),
        ("Nurture groups", "Small classes for children with unmet attachment needs, with a return to the main class.",
         "UK", "relational", "promising", "students"),
        ("Second-chance school pathways", "Flexible schedules, individual plans and work placements.", "PT",
         "community", "promising", "students"),
        ("Family-school partnership teams", "Teams of teachers, parents and a social worker in each school.", "EL",
         "community", "rationale", "families"),
        ("Teacher mentoring for safe teaching", "Peer coaching on classroom climate and gender-responsive teaching.",
         "ES", "relational", "moderate", "teachers"),
        ("Early warning dashboards", "Attendance, behaviour and grades flag students at risk each month.", "RO",
         "community", "promising", "leaders"),
        ("Inclusive tracking reform", "Later tracking and support classes instead of grade repetition.", "PL",
         "political", "moderate", "whole_school"),
    ]
    for i, (title, summary, country, level, tier, group) in enumerate(programmes):
        p = Programme.objects.create(title=title, summary=summary, country=country, level=level, tier=tier,
                                     target_group=group, language="en", stages=["lower_secondary", "upper_secondary"],
                                     fit={str(n): rng.choice([1, 2, 2]) for n in PRINCIPLES})
        for r in reviewers[: 2 if i % 3 else 1]:
            ProgrammeSignoff.objects.create(programme=p, reviewer=r)
    policies = [("National strategy against early school leaving", "IT", "political", 2022),
                ("Inclusive education law", "PT", "political", 2018),
                ("Regional plan for school climate", "ES", "community", 2021),
                ("Alternatives-to-exclusion guidance", "UK", "community", 2019),
                ("Teacher wellbeing programme", "EL", "relational", 2023),
                ("Roma inclusion in schools action plan", "RO", "political", 2021),
                ("Individual learning plans for students at risk", "PL", "individual", 2020)]
    for title, country, level, year in policies:
        Policy.objects.create(title=title, country=country, level=level, year=year, language="en",
                              summary="Summary written for the demo; see the national sources for the text.")
    for title, kind in (("Safe Education model: overview", "deliverable"), ("Guide to the school profile", "guide"),
                        ("Early leaving in six countries: baseline report", "report")):
        doc = Document(title=title, kind=kind, country="IT", level="community", language="en",
                       summary="A demo document.", uploaded_by=reviewers[0])
        doc.file.save(f"{slugify(title)}.txt", ContentFile(f"{title}\n\nDemo document of the safeschool network.\n"),
                      save=False)
        doc.save()
    wiki = [("Secure base", "concept", "A teacher can act as a secure base: a predictable, caring adult a student "
             "returns to.", "Students explore and learn more when they can count on that adult."),
            ("Sense of belonging", "concept", "Feeling accepted, respected and supported at school.",
             "It is measured in the platform with the PSSM (18 items)."),
            ("Restorative meeting", "practice", "A structured meeting after harm, with the people involved.",
             "It replaces exclusion when the school has trained facilitators.")]
    for title, kind, first, second in wiki:
        page = WikiPage.objects.create(slug=slugify(title), title=title, kind=kind, language="en")
        WikiRevision.objects.create(page=page, number=1, body=first, author=authors[0], note="first version")
        WikiRevision.objects.create(page=page, number=2, body=first + "\n\n" + second, author=authors[1 % len(authors)],
                                    note="added measurement")
    states = ["accepted", "accepted", "accepted", "submitted", "submitted", "returned", "accepted", "submitted"]
    for i, state in enumerate(states):
        author = authors[i % len(authors)]
        practice = Practice.objects.create(
            title=f"{['Morning check-in', 'Peer mentoring', 'Parent café', 'Attendance buddies', 'Calm corner', 'Teacher tandem', 'Youth council', 'Transition week'][i]}",
            summary="A practice from the network's demo schools.", target_group=rng.choice(
                ["students", "teachers", "families", "whole_school"]), country=author.country, language="en",
            level=rng.choice(["individual", "relational", "community"]), stages=["primary"],
            years_in_place=rng.randint(1, 8), stakeholders_involved="teachers, students, parents",
            funding="school budget and a municipal grant", evaluation=rng.choice(["none", "internal", "external"]),
            cost_band=rng.choice(["low", "medium"]), licence="cc-by", submitted_by=author, status="submitted")
        fit = {str(n): rng.choice([1, 2]) for n in PRINCIPLES}
        if state == "accepted":
            for r in reviewers[:2]:
                PracticeReview.objects.create(practice=practice, reviewer=r, decision="accept", fit=fit,
                                              tier="promising")
        elif state == "returned":
            PracticeReview.objects.create(practice=practice, reviewer=reviewers[2], decision="return", fit=fit,
                                          tier="rationale", comment="Please describe how you know it works.")
        elif i == 3:
            PracticeReview.objects.create(practice=practice, reviewer=reviewers[0], decision="accept", fit=fit,
                                          tier="promising")
        Practice.objects.filter(pk=practice.pk).update(status=state)
    return len(programmes)
