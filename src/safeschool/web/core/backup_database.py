"""The database's part of a backup: SQLite copied online with its backup API, PostgreSQL with pg_dump (custom
format) and pg_restore; each summarised (row counts and checksums, backup_tables) from the very snapshot that is
saved or restored."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path

from safeschool.web.core import backup_tables
from safeschool.web.core.backup_archive import BackupError

# ---------------------------------------------------------------------------------------------------- SQLite


def sqlite_tables(conn: sqlite3.Connection) -> set[str]:
    return {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def sqlite_copy(source: Path, target: Path) -> None:
    """Copy the database at `source` into `target` in one step of SQLite's backup API: one read transaction, so a
    consistent snapshot even while `serve` and the worker write (WAL). The copy is a single file (no WAL)."""
    with closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=60)) as src, \
            closing(sqlite3.connect(target)) as dst:
        src.backup(dst, pages=-1)
        dst.execute("PRAGMA journal_mode=DELETE")


def sqlite_summary(path: Path, progress=None) -> tuple[dict, list[str]]:
    """(tables, applied migrations) of the SQLite file at `path`."""
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        existing = sqlite_tables(conn)
        cursor = conn.cursor()
        return backup_tables.summaries(cursor, existing, progress), backup_tables.applied_migrations(cursor, existing)


def sqlite_non_empty(path: Path) -> tuple[str, int] | None:
    if not path.exists():
        return None
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        return backup_tables.non_empty(conn.cursor(), sqlite_tables(conn))


def sqlite_restore(staged: Path, target: Path) -> None:
    """Write the staged copy into the installation's database (SQLite's backup API into the live file, so
    connections opened later see it; the file keeps WAL mode)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(staged)) as src, closing(sqlite3.connect(target, timeout=60)) as dst:
        src.backup(dst, pages=-1)
        dst.execute("PRAGMA journal_mode=WAL")


# ------------------------------------------------------------------------------------------------ PostgreSQL

def _tool(name: str) -> tuple[str, int]:
    """The path of a PostgreSQL client tool and its major version, or a one-line refusal naming it."""
    path = shutil.which(name)
    if not path:
        raise BackupError(f"{name} is not installed (Debian: apt-get install postgresql-client); it is needed to "
                          "back up or restore a PostgreSQL database")
    found = re.search(r"(\d+)(?:\.\d+)?", subprocess.run([path, "--version"], capture_output=True, text=True,
                                                         check=False).stdout)
    if not found:
        raise BackupError(f"{name} --version did not say its version")
    return path, int(found.group(1))


def pg_environment(settings_dict: dict) -> dict:
    """The libpq variables that point pg_dump and pg_restore at Django's database (the password stays out of
    the command line)."""
    env = dict(os.environ)
    pairs = {"PGHOST": settings_dict.get("HOST"), "PGPORT": settings_dict.get("PORT"),
             "PGUSER": settings_dict.get("USER"), "PGPASSWORD": settings_dict.get("PASSWORD"),
             "PGDATABASE": settings_dict.get("NAME"),
             "PGSSLMODE": (settings_dict.get("OPTIONS") or {}).get("sslmode")}
    env.update({key: str(value) for key, value in pairs.items() if value})
    return env


def pg_tables(connection) -> set[str]:
    return set(connection.introspection.table_names())


def pg_dump(connection, target: Path, progress=None) -> tuple[dict, list[str], int]:
    """pg_dump of Django's database into `target` (custom format) and the summary of the same snapshot: the
    summary's transaction exports its snapshot and pg_dump reads that one. Returns (tables, migrations, the
    server's major version)."""
    tool, major = _tool("pg_dump")
    server = connection.pg_version // 10000
    if major < server:
        raise BackupError(f"pg_dump is version {major} and the server {server}: install pg_dump {server} or newer "
                          "(postgresql-client)")
    from django.db import transaction

    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        dump = subprocess.Popen([tool, "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}",
                                 f"--file={target}"], env=pg_environment(connection.settings_dict),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            existing = pg_tables(connection)
            tables = backup_tables.summaries(cursor, existing, progress)
            migrations = backup_tables.applied_migrations(cursor, existing)
        finally:
            _out, errors = dump.communicate()
    if dump.returncode:
        raise BackupError(f"pg_dump failed: {_last_line(errors)}")
    return tables, migrations, major


def pg_dump_previous(connection, target: Path) -> None:
    """The installation as it is before a restore (empty: its schema), to put back if the restore is undone."""
    tool, _major = _tool("pg_dump")
    connection.close()
    done = subprocess.run([tool, "--format=custom", "--no-owner", "--no-privileges", f"--file={target}"],
                          env=pg_environment(connection.settings_dict), capture_output=True, text=True, check=False)
    if done.returncode:
        raise BackupError(f"pg_dump failed: {_last_line(done.stderr)}")


def _last_line(text: str) -> str:
    lines = [line for line in (text or "").splitlines() if line.strip()]
    return lines[-1] if lines else "no message"


def pg_summary(connection, progress=None) -> tuple[dict, list[str]]:
    with connection.cursor() as cursor:
        existing = pg_tables(connection)
        return backup_tables.summaries(cursor, existing, progress), backup_tables.applied_migrations(cursor, existing)


def pg_non_empty(connection) -> tuple[str, int] | None:
    with connection.cursor() as cursor:
        return backup_tables.non_empty(cursor, pg_tables(connection))


def pg_check_restore_tool(dump_major: int | None) -> str:
    tool, major = _tool("pg_restore")
    if dump_major and major < dump_major:
        raise BackupError(f"pg_restore is version {major} and the backup was written by pg_dump {dump_major}: "
                          f"install pg_restore {dump_major} or newer (postgresql-client)")
    return tool


def pg_undo(connection, tool: str, dump: Path) -> None:
    """Drop every object the dump made (the DROP statements `pg_restore --clean` would run before creating them),
    leaving the database as blank as before; `migrate` then makes an empty installation again."""
    script = subprocess.run([tool, "--clean", "--if-exists", "--schema-only", "--no-owner", "--no-privileges",
                             "--file=-", str(dump)], capture_output=True, text=True, check=False)
    if script.returncode:
        raise BackupError(f"pg_restore could not list the backup's objects: {_last_line(script.stderr)}")
    drops = [line for line in script.stdout.splitlines()
             if (line.startswith("DROP ") and not line.startswith("DROP SCHEMA"))
             or (line.startswith("ALTER TABLE IF EXISTS") and " DROP " in line)]
    from django.db import transaction

    if not drops:
        return
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute("\n".join(drops))  # one statement list, one commit


def pg_restore(connection, tool: str, dump: Path) -> None:
    """pg_restore in one transaction, dropping first what the dump makes (the empty tables and functions a
    `migrate` made): a failure leaves the database as it was."""
    connection.close()
    done = subprocess.run([tool, "--single-transaction", "--exit-on-error", "--clean", "--if-exists", "--no-owner",
                           "--no-privileges",
                           f"--dbname={connection.settings_dict['NAME']}", str(dump)],
                          env=pg_environment(connection.settings_dict), capture_output=True, text=True, check=False)
    if done.returncode:
        raise BackupError(f"pg_restore failed: {_last_line(done.stderr)}")
