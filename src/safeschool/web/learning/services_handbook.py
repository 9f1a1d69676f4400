"""Writes of the handbook: a version in one language, its chapters (with the case studies and packs they draw on)
and its publication. Only researchers and administrators; a published version is not changed (make a new one)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from safeschool.web.learning.models import Chapter, Handbook
from safeschool.web.learning.selectors_handbook import may_edit


def _check(user) -> None:
    if not may_edit(user):
        raise PermissionDenied(_("Only researchers and administrators edit the handbook."))


def handbook_create(*, user, version: int, language: str, title: str, subtitle: str = "", authors: str,
                    references: str = "") -> Handbook:
    _check(user)
    if Handbook.objects.filter(version=version, language=language).exists():
        raise ValidationError({"version": _("This version already exists in this language.")})
    return Handbook.objects.create(version=version, language=language, title=title, subtitle=subtitle,
                                   authors=authors, references=references)


def _unpublished(handbook: Handbook) -> None:
    if handbook.published_at is not None:
        raise ValidationError(_("A published version is not changed: make a new version."))


def handbook_update(*, user, handbook: Handbook, title: str, subtitle: str, authors: str, references: str) -> None:
    _check(user)
    _unpublished(handbook)
    Handbook.objects.filter(pk=handbook.pk).update(title=title, subtitle=subtitle, authors=authors,
                                                   references=references)


@transaction.atomic
def chapter_add(*, user, handbook: Handbook, order: int, title: str, body: str, case_studies=(), packs=()) -> Chapter:
    _check(user)
    _unpublished(handbook)
    if Chapter.objects.filter(handbook=handbook, order=order).exists():
        raise ValidationError({"order": _("Another chapter has this number.")})
    chapter = Chapter.objects.create(handbook=handbook, order=order, title=title, body=body)
    chapter.case_studies.set(case_studies)
    chapter.packs.set(packs)
    return chapter


def handbook_publish(*, user, handbook: Handbook) -> None:
    _check(user)
    _unpublished(handbook)
    if not handbook.chapters.exists():
        raise ValidationError(_("A handbook without chapters is not published."))
    Handbook.objects.filter(pk=handbook.pk).update(published_at=timezone.now())
