"""Uploaded files waiting for their mapping: one folder per upload under IMPORT_STAGING, readable only by the user
who uploaded it. The file is read once, when it arrives, and kept as Parquet with its metadata (ingest's
write_parsed); previews, problem reports and the background import read that, never the original, which is not
kept. A file that cannot be read leaves nothing behind; an upload untouched for IMPORT_STAGING_MAX_AGE_HOURS is
removed the next time staging is used (and by the worker before each import); an imported one at once."""

from __future__ import annotations

import json
import logging
import os
import re
import secrets
import shutil
import time
from pathlib import Path

from django.conf import settings
from django.http import Http404
from django.utils.translation import gettext

from safeschool.files import write_atomic
from safeschool.ingest.readers import FileProblem, RawTable, read_file, read_parsed, write_parsed

log = logging.getLogger(__name__)

_TOKEN = re.compile(r"^[0-9a-f]{32}$")
INCOMPLETE_MAX_AGE_SECONDS = 3600


def stage(*, user, upload, target: str, mapping: dict | None) -> str:
    """Read the upload once and keep what was read; FileProblem (and nothing kept) when it cannot be read."""
    staging_sweep()
    token = secrets.token_hex(16)
    folder = Path(settings.IMPORT_STAGING) / token
    original = folder / f"upload{Path(upload.name).suffix.lower()}"
    given = mapping or {}
    try:
        folder.mkdir(parents=True, mode=0o700)
        with open(original, "wb") as fh:
            for chunk in upload.chunks():
                fh.write(chunk)
        table = read_file(original, name=upload.name, sheet=given.get("sheet"), encoding=given.get("encoding"))
        original.unlink()
        write_parsed(table, folder)
        # written last and at once: an upload is there only when all of it is (a kill before leaves no meta.json)
        write_atomic(folder / "meta.json", json.dumps({"owner": user.pk, "target": target,
                                                       "file_name": upload.name, "mapping": mapping}))
    except OSError as exc:  # the disk full (ENOSPC, EFBIG, EDQUOT) or not writable: nothing kept, a form error
        discard(token)
        log.error("upload %s not staged in %s: %s", upload.name, folder, exc)
        raise FileProblem(gettext("The server could not store the file (its disk is full or cannot be written): "
                                  "nothing was kept. Try again later, or tell the administrators.")) from exc
    except BaseException:  # refused, or the check abandoned: keep nothing of it
        discard(token)
        raise
    return token


def staged(token: str, user) -> tuple[RawTable, dict]:
    """The table read from the upload and its metadata; 404 for another user's upload or an unknown token."""
    folder = Path(settings.IMPORT_STAGING) / token
    if not _TOKEN.match(token) or not (folder / "meta.json").exists():
        raise Http404("No such upload (it may have been imported already).")
    meta = json.loads((folder / "meta.json").read_text())
    if meta["owner"] != user.pk:
        raise Http404("No such upload.")
    os.utime(folder)  # in use: the sweep counts a day from the last time it was looked at
    return read_parsed(folder), meta


def remember_mapping(token: str, mapping: dict) -> None:
    path = Path(settings.IMPORT_STAGING) / token / "meta.json"
    meta = json.loads(path.read_text())
    meta["mapping"] = mapping
    write_atomic(path, json.dumps(meta))


def discard(token: str) -> None:
    shutil.rmtree(Path(settings.IMPORT_STAGING) / token, ignore_errors=True)


def staging_sweep() -> int:
    """Remove uploads untouched for longer than IMPORT_STAGING_MAX_AGE_HOURS; how many were removed."""
    root = Path(settings.IMPORT_STAGING)
    if not root.exists():
        return 0
    limit = time.time() - settings.IMPORT_STAGING_MAX_AGE_HOURS * 3600
    # an upload without meta.json an hour after it began was cut off (the server killed while it was stored)
    cut_off = time.time() - min(INCOMPLETE_MAX_AGE_SECONDS, settings.IMPORT_STAGING_MAX_AGE_HOURS * 3600)
    removed = 0
    for folder in root.iterdir():
        if not (folder.is_dir() and _TOKEN.match(folder.name)):
            continue
        if folder.stat().st_mtime < (limit if (folder / "meta.json").exists() else cut_off):
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
    return removed
