"""A resource pack as one ZIP archive: its items' files, the videos' captions and transcripts (as .txt) and a
README listing the pack, its licence, version and items. Names inside the archive are made here from the item's
position and title (never the uploaded file's name, never a directory part), so nothing can land outside the
folder it is unpacked into."""

from __future__ import annotations

import re
import shutil
import tempfile
import zipfile

from django.utils.text import slugify
from django.utils.translation import gettext as _

from safeschool.web.core import formatting
from safeschool.web.learning.models import LICENCES, PackItem, ResourcePack

SAFE_EXTENSION = re.compile(r"^[a-z0-9]{1,8}$")
CHUNK = 1024 * 1024


def safe_name(position: int, title: str, extension: str, suffix: str = "") -> str:
    """`03-role-play-guide.pdf`: ASCII letters, digits and dashes only, no directory part."""
    stem = slugify(title)[:60].strip("-") or "item"
    extension = extension.lower() if SAFE_EXTENSION.match(extension.lower()) else "bin"
    return f"{position:02d}-{stem}{suffix}.{extension}"


def _extension(field) -> str:
    name = str(field.name or "")
    return name.rsplit(".", 1)[-1] if "." in name.rsplit("/", 1)[-1] else "bin"


def _copy(archive: zipfile.ZipFile, name: str, field) -> None:
    with field.open("rb") as source, archive.open(name, "w", force_zip64=True) as target:
        shutil.copyfileobj(source, target, CHUNK)


def readme(pack: ResourcePack, entries: list[tuple[PackItem, list[str]]], url: str) -> str:
    licence = dict(LICENCES).get(pack.licence, pack.licence)
    lines = [f"{pack.number}. {pack.title}", "",
             _("Version: %(version)s") % {"version": pack.version},
             _("Language: %(language)s") % {"language": pack.get_language_display()},
             _("Licence: %(licence)s") % {"licence": str(licence)},
             _("Audiences: %(audiences)s") % {"audiences": ", ".join(formatting.label("audience", a)
                                                                     for a in pack.audiences) or "—"},
             _("Source: %(url)s") % {"url": url}, ""]
    if pack.summary:
        lines += [pack.summary, ""]
    if pack.learning_outcomes:
        lines += [_("Learning outcomes:"), *(f"- {o}" for o in pack.learning_outcomes), ""]
    lines.append(_("Items:"))
    for position, (item, files) in enumerate(entries, start=1):
        kind = formatting.label("pack_item_kind", item.kind)
        lines.append(f"{position}. {item.title} ({kind})")
        lines += [f"   {name}" for name in files]
        if item.url:
            lines.append(f"   {item.url}")
    return "\n".join(lines) + "\n"


def pack_archive(pack: ResourcePack, items, *, url: str, case_url) -> tempfile.SpooledTemporaryFile:
    """The ZIP as a temporary file, rewound (spooled to disk past 8 MB), to be streamed by the view.
    `case_url(case)` is a linked case study's address, written into its item's entry and the README."""
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 — the response closes it
    entries = []
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for position, item in enumerate(items, start=1):
            files = []
            if item.file:
                name = safe_name(position, item.title, _extension(item.file))
                _copy(archive, name, item.file)
                files.append(name)
            if item.captions:
                name = safe_name(position, item.title, "vtt", "-captions")
                _copy(archive, name, item.captions)
                files.append(name)
            if item.transcript:
                name = safe_name(position, item.title, "txt", "-transcript")
                archive.writestr(name, item.transcript)
                files.append(name)
            if item.case_study_id and item.case_study.published_at is not None:
                name = safe_name(position, item.title, "txt", "-case-study")
                archive.writestr(name, f"{item.case_study.title}\n{item.case_study.authors}\n"
                                       f"{case_url(item.case_study)}\n")
                files.append(name)
            entries.append((item, files))
        archive.writestr("README.txt", readme(pack, entries, url))
    out.seek(0)
    return out
