"""Writes for resource packs (researchers and administrators): a new pack of the series, a new version of a pack
(its items copied; the old version stays readable), items added to a version not yet published, publishing.
Uploads are checked by content, not by name: allowed extensions per kind, a size limit, magic bytes; a video
needs captions (WebVTT) and a transcript."""

from __future__ import annotations

import zipfile

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from safeschool.web.learning.models import ItemKind, PackItem, ResourcePack
from safeschool.web.learning.selectors_cases import has
from safeschool.web.learning.selectors_packs import next_number

DOCUMENTS = ("pdf", "docx", "odt", "txt", "md")
EXTENSIONS = {ItemKind.DOCUMENT: DOCUMENTS, ItemKind.ACTIVITY_SHEET: (*DOCUMENTS, "png", "jpg", "jpeg"),
              ItemKind.DISCUSSION_GUIDE: (*DOCUMENTS, "png", "jpg", "jpeg"), ItemKind.VIDEO: ("mp4", "webm"),
              ItemKind.CASE_STUDY: ()}
MAX_DOCUMENT = 20 * 1024 * 1024
MAX_CAPTIONS = 1024 * 1024
MAGIC = {"pdf": (b"%PDF-",), "png": (b"\x89PNG\r\n\x1a\n",), "jpg": (b"\xff\xd8\xff",), "jpeg": (b"\xff\xd8\xff",),
         "webm": (b"\x1a\x45\xdf\xa3",)}
RESERVED_SLUGS = ("new",)


def _require(user) -> None:
    if not has(user, "learning.manage_packs"):
        raise PermissionDenied(_("Only researchers and administrators edit resource packs."))


def _max_video() -> int:
    return settings.MAX_UPLOAD_MB * 1024 * 1024


def _head(file, size: int) -> bytes:
    file.seek(0)
    head = file.read(size)
    file.seek(0)
    return head


def _office_ok(file, extension: str) -> bool:
    """A DOCX or ODT by its archive's directory (members are not expanded)."""
    try:
        file.seek(0)
        with zipfile.ZipFile(file) as archive:
            names = set(archive.namelist()[:10_000])
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return False
    finally:
        file.seek(0)
    return ("word/document.xml" in names) if extension == "docx" else {"mimetype", "content.xml"} <= names


def _text_ok(file) -> bool:
    head = _head(file, 64 * 1024)
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:  # a multi-byte character cut at the end of the sample is fine
        return exc.start >= len(head) - 3
    return True


def check_item_file(file, kind: str) -> str:
    """The file's extension when its content is of that kind and size; ValidationError({"file": …}) otherwise."""
    name = str(getattr(file, "name", "") or "").replace("\\", "/").rsplit("/", 1)[-1]
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    allowed = EXTENSIONS.get(kind, ())
    if extension not in allowed:
        raise ValidationError({"file": _("For this kind of item, upload one of: %(types)s.") % {
            "types": ", ".join(allowed) or "—"}})
    limit = _max_video() if kind == ItemKind.VIDEO else MAX_DOCUMENT
    if file.size == 0 or file.size > limit:
        raise ValidationError({"file": _("The file is empty or over the limit of %(mb)s MB.") % {
            "mb": limit // (1024 * 1024)}})
    if extension in MAGIC:
        ok = any(_head(file, 16).startswith(m) for m in MAGIC[extension])
    elif extension == "mp4":
        ok = _head(file, 12)[4:8] == b"ftyp"
    elif extension in ("docx", "odt"):
        ok = _office_ok(file, extension)
    else:
        ok = _text_ok(file)
    if not ok:
        raise ValidationError({"file": _("The file's content is not what its name says (%(type)s).") % {
            "type": extension.upper()}})
    return extension


def check_captions(file) -> None:
    name = str(getattr(file, "name", "") or "")
    if not name.lower().endswith(".vtt") or file.size == 0 or file.size > MAX_CAPTIONS:
        raise ValidationError({"captions": _("Captions are a WebVTT file (.vtt) of at most 1 MB.")})
    head = _head(file, MAX_CAPTIONS)
    try:
        text = head.decode("utf-8").lstrip("\ufeff")
    except UnicodeDecodeError:
        text = ""
    if not text.startswith("WEBVTT") or "\x00" in text:
        raise ValidationError({"captions": _("The captions file is not WebVTT: it starts with WEBVTT.")})


def pack_save(*, user, data: dict, pack: ResourcePack | None = None) -> ResourcePack:
    """A new pack of the series (number = the next one), or a draft version's details changed."""
    _require(user)
    if pack is not None and pack.published_at is not None:
        raise ValidationError(_("A published version does not change: make a new version."))
    if data["slug"] in RESERVED_SLUGS or (pack is None and ResourcePack.objects.filter(slug=data["slug"]).exists()):
        raise ValidationError({"slug": _("This address is taken or reserved: choose another.")})
    pack = pack or ResourcePack(number=next_number(), version=1)
    for field in ("slug", "title", "summary", "learning_outcomes", "audiences", "language", "licence"):
        setattr(pack, field, data[field])
    pack.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            pack.save()
    except IntegrityError as exc:
        raise ValidationError(_("Another pack took this number or address at the same time: try again.")) from exc
    return pack


def pack_new_version(*, user, pack: ResourcePack) -> ResourcePack:
    """A draft copy of `pack` (same number and address, the next version) with its items; the version it copies
    stays as it is."""
    _require(user)
    latest = ResourcePack.objects.filter(slug=pack.slug).order_by("-version").first()
    if latest.published_at is None:
        raise ValidationError(_("Version %(version)s is still a draft: change that one.") % {
            "version": latest.version})
    try:
        with transaction.atomic():
            copy = ResourcePack.objects.create(
                number=latest.number, version=latest.version + 1, slug=latest.slug, title=latest.title,
                summary=latest.summary, learning_outcomes=latest.learning_outcomes, audiences=latest.audiences,
                language=latest.language, licence=latest.licence)
            PackItem.objects.bulk_create(PackItem(
                pack=copy, order=i.order, kind=i.kind, title=i.title, description=i.description, file=i.file.name,
                url=i.url, captions=i.captions.name, transcript=i.transcript, case_study_id=i.case_study_id)
                for i in latest.items.all())
    except IntegrityError as exc:
        raise ValidationError(_("Another new version was made at the same time.")) from exc
    return copy


def pack_publish(*, user, pack: ResourcePack, now=None) -> ResourcePack:
    _require(user)
    if not pack.items.exists():
        raise ValidationError(_("A pack is published with at least one item."))
    ResourcePack.objects.filter(pk=pack.pk, published_at__isnull=True).update(published_at=now or timezone.now())
    pack.refresh_from_db()
    return pack


def item_add(*, user, pack: ResourcePack, data: dict) -> PackItem:
    """An item added to a draft version: a document, activity sheet or discussion guide (a file or a link), a
    video (a file or a link, with captions and a transcript), or a link to a published case study."""
    _require(user)
    if pack.published_at is not None:
        raise ValidationError(_("A published version does not change: make a new version."))
    kind, file, captions = data["kind"], data.get("file"), data.get("captions")
    transcript = (data.get("transcript") or "").strip()
    errors = {}
    if kind == ItemKind.CASE_STUDY:
        case = data.get("case_study")
        if case is None or case.published_at is None:
            errors["case_study"] = _("Choose a published case study.")
        file = captions = None
    elif not file and not data.get("url"):
        errors["file"] = _("Upload a file or give a link.")
    if kind == ItemKind.VIDEO:
        if not captions:
            errors["captions"] = _("A video needs captions (a WebVTT file).")
        if not transcript:
            errors["transcript"] = _("A video needs a transcript.")
    else:
        captions = None
    if errors:
        raise ValidationError(errors)
    if file:
        check_item_file(file, kind)
    if captions:
        check_captions(captions)
    item = PackItem(pack=pack, order=data.get("order") or pack.items.count() + 1, kind=kind,
                    title=data["title"].strip(), description=(data.get("description") or "").strip(),
                    url=data.get("url") or "", transcript=transcript,
                    case_study=data.get("case_study") if kind == ItemKind.CASE_STUDY else None)
    if file:
        item.file = file
    if captions:
        item.captions = captions
    item.full_clean(validate_constraints=False)
    with transaction.atomic():
        item.save()
    return item
