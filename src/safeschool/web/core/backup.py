"""`safeschool backup` and `safeschool restore`: the whole installation in one file, and back (docs/backup.md).

The file (backup_archive) holds a manifest (format version, safeschool version, database vendor, applied
migrations, every table's row count and checksum, the media files' sizes and SHA-256, the time), the database
(SQLite copied online, or pg_dump's custom format) and the media files. The pseudonymisation key is never in it:
it is written to a separate file (mode 600) to be kept apart; the manifest holds only a keyed fingerprint of it,
so `restore --key` can refuse a key that is not the one the backup was made with.

A restore goes only into an empty installation (no rows in our tables, no media files), reads and checks the whole
file in a staging folder first, restores, recomputes every table's row count and checksum, and undoes what it
wrote if anything differs.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import connections

from safeschool import __version__
from safeschool.ingest.pseudonym import PseudonymKeyError, load_key
from safeschool.web.core import backup_archive, backup_database, backup_tables
from safeschool.web.core.backup_archive import FORMAT, FORMAT_VERSION, BackupError

Progress = Callable[[str, int, int], None]
KEY_WARNING = ("Keep the pseudonymisation key apart from the backup (another medium or place, readable only by "
               "the administrators): with it, anyone holding the backup could link students back to their source "
               "ids; without it, new imports cannot be matched to the students already in the database.")

__all__ = ["BackupError", "BackupResult", "KEY_WARNING", "RestoreResult", "backup", "restore"]


@dataclass
class BackupResult:
    out: Path
    key_out: Path | None
    manifest: dict


@dataclass
class RestoreResult:
    manifest: dict
    key_installed: Path | None
    warnings: list[str] = field(default_factory=list)


def _vendor(using: str) -> str:
    return connections[using].vendor  # "sqlite" or "postgresql"


def _current_key() -> bytes | None:
    try:
        return load_key(value=settings.PSEUDONYM_KEY, path=settings.PSEUDONYM_KEY_FILE, create=False)
    except PseudonymKeyError:
        return None


def _fingerprint(key: bytes, salt: str) -> str:
    return hmac.new(key, b"safeschool-backup-key:" + salt.encode(), hashlib.sha256).hexdigest()


def _write_key(path: Path, key: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(key + b"\n")
    path.chmod(0o600)


def backup(out: Path, *, key_out: Path | None = None, using: str = "default",
           progress: Progress | None = None) -> BackupResult:
    """Write the backup file `out` and, when the installation has a pseudonymisation key, the key beside it
    (`key_out`, by default OUT.pseudonym-key)."""
    out = Path(out)
    key_out = Path(key_out) if key_out else out.with_name(out.name + ".pseudonym-key")
    if out.is_dir():
        raise BackupError(f"--out: {out} is a folder")
    if key_out.resolve() == out.resolve():
        raise BackupError("--key-out must not be the backup file itself")
    out.parent.mkdir(parents=True, exist_ok=True)
    connection = connections[using]
    vendor = _vendor(using)
    created = time.time()
    with tempfile.TemporaryDirectory(dir=out.parent, prefix=".safeschool-backup-") as work:
        work = Path(work)
        if vendor == "sqlite":
            name = "database.sqlite3"
            database = work / name
            if progress:
                progress("Copying the SQLite database", 0, 1)
            source = Path(connection.settings_dict["NAME"])
            if not source.is_file():
                raise BackupError(f"no database at {source}: nothing to back up")
            backup_database.sqlite_copy(source, database)
            tables, migrations = backup_database.sqlite_summary(database, progress)
            extra = {}
        elif vendor == "postgresql":
            name = "database.pgdump"
            database = work / name
            if progress:
                progress("pg_dump of the database", 0, 1)
            tables, migrations, major = backup_database.pg_dump(connection, database, progress)
            extra = {"pg_dump_major": major, "server_major": connection.pg_version // 10000}
        else:
            raise BackupError(f"backups of a {vendor} database are not supported (SQLite and PostgreSQL are)")
        media = backup_archive.media_files(Path(settings.MEDIA_ROOT))
        members = [(name, database), *media]
        files = []
        for number, (member, path) in enumerate(members, start=1):
            files.append({"path": member, "size": path.stat().st_size, "sha256": backup_archive.sha256_file(path)})
            if progress:
                progress(f"Checked {member}", number, len(members))
        key = _current_key()
        salt = secrets.token_hex(16)
        manifest = {
            "format": FORMAT, "format_version": FORMAT_VERSION, "safeschool_version": __version__,
            "database": {"vendor": vendor, **extra}, "migrations": migrations, "tables": tables, "files": files,
            "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(created)), "created_ts": int(created),
            "pseudonym_key": {"salt": salt, "fingerprint": _fingerprint(key, salt)} if key else None,
        }
        backup_archive.write(out, manifest, members, progress)
    if key:
        _write_key(key_out, key)
    return BackupResult(out=out, key_out=key_out if key else None, manifest=manifest)


def _key_to_install(manifest: dict, key_path: Path | None) -> tuple[bytes | None, list[str]]:
    """The key `--key` gives (checked against the backup's fingerprint) and warnings; refuses a key that does not
    match, or an installation that already has another key."""
    recorded = manifest.get("pseudonym_key")
    current = _current_key()
    given = None
    if key_path is not None:
        try:
            given = load_key(path=key_path, create=False)
        except PseudonymKeyError as exc:
            raise BackupError(f"--key: {exc}") from exc
        if not recorded:
            raise BackupError("--key: the backup was made without a pseudonymisation key")
        if not hmac.compare_digest(_fingerprint(given, recorded["salt"]), recorded["fingerprint"]):
            raise BackupError(f"--key: {key_path} is not the key this backup was made with")
    if current is not None and recorded and not hmac.compare_digest(
            _fingerprint(current, recorded["salt"]), recorded["fingerprint"]):
        where = "SAFESCHOOL_PSEUDONYM_KEY" if settings.PSEUDONYM_KEY else settings.PSEUDONYM_KEY_FILE
        raise BackupError(f"this installation already has another pseudonymisation key ({where}); move it away "
                          "first: imports would not match the restored students")
    warnings = []
    if recorded and given is None and current is None:
        warnings.append(f"no pseudonymisation key restored: put the backup's key file at "
                        f"{settings.PSEUDONYM_KEY_FILE} (or pass --key) before importing new data")
    return (given if current is None else None), warnings


def _check_empty(using: str) -> None:
    connection = connections[using]
    if connection.vendor == "sqlite":
        found = backup_database.sqlite_non_empty(Path(connection.settings_dict["NAME"]))
    else:
        found = backup_database.pg_non_empty(connection)
    if found:
        raise BackupError(f"the installation is not empty (table {found[0]} has {found[1]:,} rows); restore only "
                          "into a new installation")
    if backup_archive.media_files(Path(settings.MEDIA_ROOT)):
        raise BackupError(f"the installation is not empty (files in {settings.MEDIA_ROOT}); restore only into a "
                          "new installation")


def _check_manifest(manifest: dict, vendor: str) -> None:
    if manifest["database"].get("vendor") != vendor:
        raise BackupError(f"the backup is of a {manifest['database'].get('vendor')} database and this installation "
                          f"uses {vendor}")
    unknown = sorted(set(manifest["migrations"]) - backup_tables.known_migrations())
    if unknown:
        raise BackupError(f"the backup was made by a newer safeschool ({manifest.get('safeschool_version')}; "
                          f"migration {unknown[0]} is unknown here): upgrade safeschool first")


def restore(archive: Path, *, key: Path | None = None, using: str = "default",
            progress: Progress | None = None) -> RestoreResult:
    """Restore the backup file `archive` into this (empty) installation."""
    archive = Path(archive)
    if not archive.is_file():
        raise BackupError(f"{archive}: file does not exist")
    connection = connections[using]
    vendor = _vendor(using)
    home = Path(settings.HOME)
    home.mkdir(parents=True, exist_ok=True)
    _check_empty(using)
    staging = Path(tempfile.mkdtemp(dir=home, prefix=".restore-"))
    try:
        manifest = backup_archive.unpack(archive, staging, progress)
        _check_manifest(manifest, vendor)
        key_bytes, warnings = _key_to_install(manifest, key)
        if vendor == "sqlite":
            _restore_sqlite(connection, staging / "database.sqlite3", staging, manifest, progress)
        else:
            _restore_postgresql(connection, staging / "database.pgdump", staging, manifest, progress)
        try:
            _place_media(staging / "media", Path(settings.MEDIA_ROOT))
        except OSError as exc:
            raise BackupError(f"cannot write the media files into {settings.MEDIA_ROOT} ({exc.strerror})") from exc
        installed = None
        if key_bytes is not None:
            installed = Path(settings.PSEUDONYM_KEY_FILE)
            _write_key(installed, key_bytes)
        from django.core.management import call_command

        call_command("migrate", database=using, interactive=False, verbosity=0)  # a newer safeschool's own steps
        return RestoreResult(manifest=manifest, key_installed=installed, warnings=warnings)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _restore_sqlite(connection, staged: Path, staging: Path, manifest: dict, progress) -> None:
    problems = backup_tables.differences(manifest["tables"], backup_database.sqlite_summary(staged, progress)[0])
    if problems:
        raise BackupError(f"the backup's database does not match its manifest: {problems[0]}; nothing restored")
    target = Path(connection.settings_dict["NAME"])
    connection.close()
    previous = staging / "previous.sqlite3"
    if target.exists():
        backup_database.sqlite_copy(target, previous)
    if progress:
        progress("Restoring the SQLite database", 0, 1)
    backup_database.sqlite_restore(staged, target)
    problems = backup_tables.differences(manifest["tables"], backup_database.sqlite_summary(target, progress)[0])
    if problems:
        if previous.exists():
            backup_database.sqlite_restore(previous, target)
        else:
            target.unlink(missing_ok=True)
        raise BackupError(f"the restored database does not match the backup ({problems[0]}); undone")


def _restore_postgresql(connection, dump: Path, staging: Path, manifest: dict, progress) -> None:
    tool = backup_database.pg_check_restore_tool(manifest["database"].get("pg_dump_major"))
    previous = staging / "previous.pgdump"
    backup_database.pg_dump_previous(connection, previous)
    if progress:
        progress("pg_restore of the database", 0, 1)
    backup_database.pg_restore(connection, tool, dump)  # one transaction: a failure changes nothing
    problems = backup_tables.differences(manifest["tables"], backup_database.pg_summary(connection, progress)[0])
    if problems:
        backup_database.pg_undo(connection, tool, dump)
        backup_database.pg_restore(connection, tool, previous)
        raise BackupError(f"the restored database does not match the backup ({problems[0]}); undone")


def _place_media(staged: Path, media_root: Path) -> None:
    if not staged.is_dir():
        return
    for folder, _dirs, files in os.walk(staged):
        for name in files:
            source = Path(folder) / name
            target = media_root / source.relative_to(staged)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(source, target)
