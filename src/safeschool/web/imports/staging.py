"""Uploaded files waiting for their mapping: one folder per upload under IMPORT_STAGING, readable only by the user
who uploaded it, removed once the file is imported."""

from __future__ import annotations

import json
import re
import secrets
import shutil
import time
from pathlib import Path

from django.conf import settings
from django.http import Http404

_TOKEN = re.compile(r"^[0-9a-f]{32}$")


KEEP_DAYS = 7  # uploads never imported are removed after this long


def stage(*, user, upload, target: str, mapping: dict | None) -> str:
    _sweep()
    token = secrets.token_hex(16)
    folder = Path(settings.IMPORT_STAGING) / token
    folder.mkdir(parents=True, mode=0o700)
    suffix = Path(upload.name).suffix.lower()
    with open(folder / f"upload{suffix}", "wb") as fh:
        for chunk in upload.chunks():
            fh.write(chunk)
    (folder / "meta.json").write_text(json.dumps({"owner": user.pk, "target": target, "file_name": upload.name,
                                                  "mapping": mapping}))
    return token


def staged(token: str, user) -> tuple[Path, dict]:
    """The staged file and its metadata; 404 for another user's upload or an unknown token."""
    folder = Path(settings.IMPORT_STAGING) / token
    if not _TOKEN.match(token) or not (folder / "meta.json").exists():
        raise Http404("No such upload (it may have been imported already).")
    meta = json.loads((folder / "meta.json").read_text())
    if meta["owner"] != user.pk:
        raise Http404("No such upload.")
    upload = next(folder.glob("upload.*"))
    return upload, meta


def remember_mapping(token: str, mapping: dict) -> None:
    path = Path(settings.IMPORT_STAGING) / token / "meta.json"
    meta = json.loads(path.read_text())
    meta["mapping"] = mapping
    path.write_text(json.dumps(meta))


def discard(token: str) -> None:
    shutil.rmtree(Path(settings.IMPORT_STAGING) / token, ignore_errors=True)


def _sweep() -> None:
    root = Path(settings.IMPORT_STAGING)
    if not root.exists():
        return
    limit = time.time() - KEEP_DAYS * 86400
    for folder in root.iterdir():
        if folder.is_dir() and _TOKEN.match(folder.name) and folder.stat().st_mtime < limit:
            shutil.rmtree(folder, ignore_errors=True)
