"""Writes for the Hub databases: practice submission and review, programme sign-offs, wiki revisions, uploads.
Every entry records the language it is written in: by default the one its author is using the site in."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.formats import number_format
from django.utils.text import slugify
from django.utils.translation import gettext

from safeschool.web.core.languages import content_language
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
from safeschool.web.network.access import member_or_refuse

ACCEPTS_NEEDED = 2


def _member(user):
    return member_or_refuse(user, "Only network members can do this: create your network profile first.")


def _in_language(fields: dict) -> dict:
    """The entry's fields with its language: the one given, else the author's active language."""
    return {**fields, "language": content_language(fields.get("language", ""))}


def clean_fit(fit: dict) -> dict:
    """Criterion A: every principle rated 0 (no fit), 1 (partial) or 2 (full)."""
    clean = {}
    for number in PRINCIPLES:
        value = fit.get(number, fit.get(str(number)))
        if value not in (0, 1, 2, "0", "1", "2"):
            raise ValidationError({"fit": gettext("rate principle %(number)s as 0, 1 or 2") % {"number": number}})
        clean[str(number)] = int(value)
    return clean


def practice_submit(*, user, **fields) -> Practice:
    if not user.has_perm("network.submit_practice"):
        raise PermissionDenied(gettext("Submitting practices needs participation level (c) or (d) and your consent."))
    practice = Practice(submitted_by=_member(user), **_in_language(fields))
    practice.full_clean()
    practice.save()
    return practice


def practice_resubmit(*, user, practice: Practice, **fields) -> Practice:
    if practice.submitted_by != _member(user):
        raise PermissionDenied(gettext("Only the author resubmits a practice."))
    if practice.status != Practice.Status.RETURNED:
        raise ValidationError(gettext("Only a returned practice can be resubmitted."))
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
        raise PermissionDenied(gettext("Only reviewers review practices."))
    reviewer = _member(user)
    if reviewer == practice.submitted_by:
        raise ValidationError(gettext("Authors do not review their own practice."))
    practice = Practice.objects.select_for_update().get(pk=practice.pk)
    if practice.status != Practice.Status.SUBMITTED:
        raise ValidationError(gettext("This practice is %(status)s: nothing to review.") % {"status": practice.get_status_display().lower()})
    if decision == PracticeReview.Decision.RETURN and not comment.strip():
        raise ValidationError({"comment": gettext("Say what the author should change.")})
    if practice.reviews.filter(reviewer=reviewer, round=practice.round).exists():
        raise ValidationError(gettext("You have already reviewed this round of the practice."))
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
        raise PermissionDenied(gettext("Only reviewers sign off programmes."))
    reviewer = _member(user)
    if programme.signoffs.filter(reviewer=reviewer).exists():
        raise ValidationError(gettext("You have already signed off this programme."))
    return ProgrammeSignoff.objects.create(programme=programme, reviewer=reviewer, note=note.strip())


@transaction.atomic
def wiki_save(*, user, body: str, note: str = "", page: WikiPage | None = None, title: str = "",
              kind: str = "concept", language: str = "en") -> WikiRevision:
    """A new revision of a page (a new page when `page` is None)."""
    if not user.has_perm("network.post_in_community"):
        raise PermissionDenied(gettext("Editing the wiki needs your consent (see My profile)."))
    author = _member(user)
    if page is None:
        slug = slugify(title)[:120]
        if not slug:
            raise ValidationError({"title": gettext("Give the page a title.")})
        if WikiPage.objects.filter(slug=slug, language=language).exists():
            raise ValidationError({"title": gettext("A page '%(title)s' already exists in this language.") % {"title": title}})
        page = WikiPage(slug=slug, title=title.strip(), kind=kind, language=language)
        page.full_clean()
        page.save()
    last = page.revisions.aggregate(n=Max("number"))["n"] or 0
    if last and page.current.body == body:
        raise ValidationError({"body": gettext("Nothing changed.")})
    revision = WikiRevision(page=page, number=last + 1, body=body, note=note.strip(), author=author)
    revision.full_clean()
    revision.save()
    return revision


def document_upload(*, user, file, **fields) -> Document:
    if not user.has_perm("network.share_item"):
        raise PermissionDenied(gettext("Uploading to the library needs participation level (b) or above and your consent."))
    if file.size > MAX_UPLOAD:
        raise ValidationError({"file": gettext("%(name)s is %(size)s MB: the limit is %(limit)s MB.") % {
            "name": file.name, "size": number_format(file.size / 1e6, 1), "limit": number_format(MAX_UPLOAD / 1e6, 0)}})
    document = Document(file=file, uploaded_by=_member(user), **_in_language(fields))
    document.full_clean()
    document.save()
    return document


def programme_create(*, user, **fields) -> Programme:
    """A programme in the database (the curators: researchers and administrators)."""
    return _curated_create(user, Programme(**_in_language(fields)))


def policy_create(*, user, **fields) -> Policy:
    """A policy in the database (the curators: researchers and administrators)."""
    return _curated_create(user, Policy(**_in_language(fields)))


def _curated_create(user, entry):
    if not user.has_perm("hub.curate"):
        raise PermissionDenied(gettext("Only researchers and administrators add %(entries)s.") % {"entries": entry._meta.verbose_name_plural})
    entry.full_clean()
    entry.save()
    return entry
