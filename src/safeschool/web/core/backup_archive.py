"""The backup file: a gzip-compressed tar holding `manifest.json` first, then the database (`database.sqlite3` or
`database.pgdump`) and the media files (`media/…`). The manifest lists every other member with its size and
SHA-256, so a file is read back member by member into a staging folder and refused at the first member that is not
listed, is not a plain file, has another size or other bytes, or would land outside the folder — before anything
reaches the installation.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import tarfile
import zlib
from pathlib import Path, PurePosixPath

FORMAT = "safeschool-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
MANIFEST_MAX_BYTES = 32 * 1024 * 1024
DATABASE_MEMBERS = ("database.sqlite3", "database.pgdump")
_CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot go on; the message is one line for the user."""


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def media_files(root: Path) -> list[tuple[str, Path]]:
    """(archive name, path) of every regular file under the media folder; symbolic links are not followed."""
    if not root.is_dir():
        return []
    found = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not (Path(folder) / d).is_symlink())
        for name in sorted(files):
            path = Path(folder) / name
            if path.is_file() and not path.is_symlink():
                found.append(("media/" + path.relative_to(root).as_posix(), path))
    return found


def write(out: Path, manifest: dict, members: list[tuple[str, Path]], progress=None) -> None:
    """Write the archive to `out` (through a temporary file beside it, renamed when complete)."""
    partial = out.with_name(out.name + ".partial")
    try:
        with tarfile.open(partial, "w:gz", compresslevel=6, format=tarfile.PAX_FORMAT) as archive:
            data = json.dumps(manifest, indent=2, sort_keys=True).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mode, info.mtime = len(data), 0o600, int(manifest["created_ts"])
            archive.addfile(info, io.BytesIO(data))
            expected = {f["path"]: f for f in manifest["files"]}
            for number, (name, path) in enumerate(members, start=1):
                info = tarfile.TarInfo(name)
                info.size, info.mode, info.mtime = expected[name]["size"], 0o600, int(manifest["created_ts"])
                with open(path, "rb") as fh:
                    reader = _HashingReader(fh)
                    archive.addfile(info, reader)
                if reader.digest() != expected[name]["sha256"]:
                    raise BackupError(f"{name} changed while it was being backed up; run the backup again")
                if progress:
                    progress(f"Wrote {name}", number, len(members))
        partial.chmod(0o600)
        os.replace(partial, out)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


class _HashingReader:
    def __init__(self, fh):
        self._fh, self._digest = fh, hashlib.sha256()

    def read(self, size=-1):
        data = self._fh.read(size)
        self._digest.update(data)
        return data

    def digest(self) -> str:
        return self._digest.hexdigest()


def _safe_name(name: str) -> bool:
    path = PurePosixPath(name)
    return (bool(name) and "\\" not in name and "\x00" not in name and not path.is_absolute()
            and ".." not in path.parts and "." not in path.parts and path.as_posix() == name
            and (name in DATABASE_MEMBERS or (path.parts[0] == "media" and len(path.parts) > 1)))


def check_manifest(manifest) -> dict:
    """The manifest's shape and version checked; its members' names and sizes made safe to trust."""
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError("not a safeschool backup (its manifest.json does not say so)")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(f"backup format version {manifest.get('format_version')!r} is not one this safeschool "
                          f"reads ({FORMAT_VERSION})")
    files = manifest.get("files")
    if not isinstance(files, list) or not all(isinstance(f, dict) for f in files):
        raise BackupError("the backup's manifest has no list of files")
    names = set()
    for entry in files:
        name, size = entry.get("path"), entry.get("size")
        if not isinstance(name, str) or not _safe_name(name):
            raise BackupError(f"the backup lists a file outside its folders: {name!r}")
        if not isinstance(size, int) or size < 0 or not isinstance(entry.get("sha256"), str) or name in names:
            raise BackupError(f"the backup's manifest entry for {name} is malformed")
        names.add(name)
    if len(names & set(DATABASE_MEMBERS)) != 1:
        raise BackupError("the backup's manifest names no database (or two)")
    for key in ("tables", "migrations", "database"):
        if key not in manifest:
            raise BackupError(f"the backup's manifest has no {key!r}")
    return manifest


def unpack(archive_path: Path, staging: Path, progress=None) -> dict:
    """Read the archive into `staging` (an empty folder), checking every member against the manifest; return
    the manifest. Raises BackupError on anything unexpected (the caller removes `staging`)."""
    try:
        with tarfile.open(archive_path, "r:gz") as archive:
            first = archive.next()
            if first is None or first.name != MANIFEST or not first.isreg():
                raise BackupError("not a safeschool backup: manifest.json is not its first member")
            if first.size > MANIFEST_MAX_BYTES:
                raise BackupError(f"manifest.json is {first.size:,} bytes; refused")
            try:
                manifest = check_manifest(json.loads(archive.extractfile(first).read()))
            except (ValueError, UnicodeDecodeError) as exc:
                raise BackupError(f"manifest.json is not valid JSON ({exc})") from exc
            expected = {f["path"]: f for f in manifest["files"]}
            needed = sum(f["size"] for f in expected.values())
            free = shutil.disk_usage(staging).free
            if needed > free:
                raise BackupError(f"the backup needs {needed:,} bytes and {free:,} are free; refused")
            done: set[str] = set()
            while (member := archive.next()) is not None:
                _unpack_member(archive, member, expected, done, staging)
                if progress:
                    progress(f"Read {member.name}", len(done), len(expected))
            missing = sorted(set(expected) - done)
            if missing:
                raise BackupError(f"the backup is truncated: {missing[0]} is missing")
            return manifest
    except BackupError:
        raise
    except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
        raise BackupError(f"the backup file is corrupt or truncated ({exc})") from exc


def _unpack_member(archive, member, expected: dict, done: set, staging: Path) -> None:
    name = member.name
    if name not in expected or not _safe_name(name):
        raise BackupError(f"the backup holds a member its manifest does not list: {name!r}")
    if not member.isreg():
        raise BackupError(f"the backup's member {name} is not a plain file (a link or a device); refused")
    if name in done:
        raise BackupError(f"the backup holds {name} twice")
    if member.size != expected[name]["size"]:
        raise BackupError(f"the backup's member {name} is {member.size:,} bytes, its manifest says "
                          f"{expected[name]['size']:,}")
    target = (staging / name).resolve()
    if not target.is_relative_to(staging.resolve()):
        raise BackupError(f"the backup's member {name} would be written outside the installation")
    target.parent.mkdir(parents=True, exist_ok=True)
    digest, source = hashlib.sha256(), archive.extractfile(member)
    with open(target, "xb") as fh:
        while chunk := source.read(_CHUNK):
            digest.update(chunk)
            fh.write(chunk)
    if digest.hexdigest() != expected[name]["sha256"]:
        raise BackupError(f"the backup's member {name} does not match its checksum (changed or corrupt)")
    done.add(name)
