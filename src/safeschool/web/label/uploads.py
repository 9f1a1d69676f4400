"""Evidence files: what a document is, read from its first bytes and, for office files, from the names inside the
archive, never from its name alone (a .pdf that is an HTML page is refused). Size first: nothing over MAX_EVIDENCE
is read. Office files are ZIP archives: only their directory is read, and a member is opened only to read a
36-byte `mimetype`, so a decompression bomb never expands."""

from __future__ import annotations

import zipfile
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from safeschool.web.label.models import EVIDENCE_TYPES

MAX_EVIDENCE = 10 * 1024 * 1024  # 10 MB
ODT_MIME = b"application/vnd.oasis.opendocument.text"
MAGIC = {"pdf": (b"%PDF-",), "jpg": (b"\xff\xd8\xff",), "jpeg": (b"\xff\xd8\xff",), "png": (b"\x89PNG\r\n\x1a\n",),
         "docx": (b"PK\x03\x04",), "odt": (b"PK\x03\x04",)}
MAX_MEMBERS = 10_000


def _head(file, size: int = 16) -> bytes:
    file.seek(0)
    head = file.read(size)
    file.seek(0)
    return head


def _office_kind(file) -> str | None:
    """'docx' or 'odt' when the archive's directory says so, else None (not an archive, or another one)."""
    try:
        file.seek(0)
        with zipfile.ZipFile(file) as archive:
            infos = archive.infolist()
            if len(infos) > MAX_MEMBERS:
                return None
            names = {i.filename for i in infos}
            if "[Content_Types].xml" in names and "word/document.xml" in names:
                return "docx"
            mime = next((i for i in infos if i.filename == "mimetype"), None)
            if mime is not None and mime.file_size <= 100 and "content.xml" in names:
                with archive.open(mime) as member:
                    if member.read(100).strip() == ODT_MIME:
                        return "odt"
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return None
    finally:
        file.seek(0)
    return None


def check_evidence_file(file) -> str:
    """The file's kind (its extension, lower case) when its content is that kind; ValidationError({"file": …})
    otherwise."""
    name = PurePath(getattr(file, "name", "") or "").name
    extension = PurePath(name).suffix.lower().lstrip(".")
    allowed = ", ".join(sorted({"jpg" if e == "jpeg" else e for e in EVIDENCE_TYPES}))
    if extension not in EVIDENCE_TYPES:
        raise ValidationError({"file": _("Upload a document of one of these types: %(types)s.") % {"types": allowed}})
    if file.size > MAX_EVIDENCE:
        raise ValidationError({"file": _("%(name)s is %(size)s MB: the limit is %(limit)s MB.") % {
            "name": name, "size": number_format(file.size / 1e6, 1), "limit": number_format(MAX_EVIDENCE / 1e6, 0)}})
    if file.size == 0:
        raise ValidationError({"file": _("The file is empty.")})
    head = _head(file)
    if not any(head.startswith(magic) for magic in MAGIC[extension]):
        raise ValidationError({"file": _("%(name)s is not a %(type)s file: its content is something else.") % {
            "name": name, "type": extension.upper()}})
    if extension in ("docx", "odt") and _office_kind(file) != extension:
        raise ValidationError({"file": _("%(name)s is not a %(type)s file: its content is something else.") % {
            "name": name, "type": extension.upper()}})
    return extension
