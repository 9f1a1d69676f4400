"""Writes for case studies: create (researchers and administrators; a school's staff propose a draft about their
own school), edit, publish (only with the school's consent on record — the database refuses it too) and withdraw
from publication. Each service checks the permission itself, whoever calls it."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from safeschool.web.learning.models import CaseStudy
from safeschool.web.learning.selectors_cases import has

TEXT_FIELDS = ("slug", "title", "country", "context", "partnership", "practice", "evidence", "outcomes", "lessons",
               "transferability", "authors", "consent_given_by")
MAX_CONSENT_DOCUMENT = 10 * 1024 * 1024
CONSENT_MAGIC = {"pdf": (b"%PDF-",), "jpg": (b"\xff\xd8\xff",), "jpeg": (b"\xff\xd8\xff",),
                 "png": (b"\x89PNG\r\n\x1a\n",)}


def _check_consent_document(file) -> None:
    name = getattr(file, "name", "") or ""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in CONSENT_MAGIC:
        raise ValidationError({"consent_document": _("The consent document is a PDF, JPG or PNG file.")})
    if file.size > MAX_CONSENT_DOCUMENT or file.size == 0:
        raise ValidationError({"consent_document": _("The consent document is empty or over 10 MB.")})
    file.seek(0)
    head = file.read(16)
    file.seek(0)
    if not any(head.startswith(magic) for magic in CONSENT_MAGIC[extension]):
        raise ValidationError({"consent_document": _("The consent document's content is not what its name says.")})


def _apply(case: CaseStudy, data: dict) -> None:
    for field in TEXT_FIELDS:
        if field in data:
            setattr(case, field, (data[field] or "").strip())
    for field in ("stages", "school", "rec", "consent_on"):
        if field in data:
            setattr(case, field, data[field])
    if data.get("consent_document"):
        _check_consent_document(data["consent_document"])
        case.consent_document = data["consent_document"]


RESERVED_SLUGS = ("new",)  # /learning/cases/new/ is the form


def _save(case: CaseStudy, data: dict) -> CaseStudy:
    if case.slug in RESERVED_SLUGS:
        raise ValidationError({"slug": _("This address is reserved: choose another.")})
    case.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            case.save()
            if "practices" in data:
                case.practices.set(data["practices"])
            if "interventions" in data:
                case.interventions.set(data["interventions"])
    except IntegrityError as exc:
        raise ValidationError(_("The case study cannot be saved: its address is taken, or it is published "
                                "without the school's consent.")) from exc
    return case


def case_create(*, user, data: dict) -> CaseStudy:
    """A draft case study. A school's staff write only about their own school (the school is required)."""
    school = data.get("school")
    if not has(user, "learning.publish_case") and (school is None or not has(user, "learning.propose_case", school)):
        raise PermissionDenied(_("School staff propose case studies about their own school only."))
    case = CaseStudy(created_by=user if user.is_authenticated else None)
    _apply(case, data)
    return _save(case, data)


def case_update(*, user, case: CaseStudy, data: dict) -> CaseStudy:
    if not has(user, "learning.edit_case", case):
        raise PermissionDenied(_("Only researchers, administrators and, for a draft, the school's staff edit it."))
    if not has(user, "learning.publish_case") and not has(user, "learning.propose_case", data.get("school")):
        raise PermissionDenied(_("School staff propose case studies about their own school only."))
    case = CaseStudy.objects.get(pk=case.pk)
    _apply(case, data)
    if case.published_at is not None:
        _require_consent(case)
    return _save(case, data)


def _require_consent(case: CaseStudy) -> None:
    if case.school_id is not None and not ((case.consent_given_by or "").strip() and case.consent_on):
        raise ValidationError(_("A case study about a school is published only with the school's consent on "
                                "record: who consented and when."))


def case_publish(*, user, case: CaseStudy, now=None) -> CaseStudy:
    if not has(user, "learning.publish_case"):
        raise PermissionDenied(_("Only researchers and administrators publish case studies."))
    case = CaseStudy.objects.get(pk=case.pk)
    _require_consent(case)
    case.published_at = now or timezone.now()
    try:
        with transaction.atomic():
            case.save(update_fields=["published_at"])
    except IntegrityError as exc:  # the database's own check (learning_case_published_with_consent)
        raise ValidationError(_("A case study about a school is published only with the school's consent on "
                                "record: who consented and when.")) from exc
    return case


def case_unpublish(*, user, case: CaseStudy) -> CaseStudy:
    if not has(user, "learning.publish_case"):
        raise PermissionDenied(_("Only researchers and administrators withdraw case studies."))
    CaseStudy.objects.filter(pk=case.pk).update(published_at=None)
    case.refresh_from_db()
    return case
