"""Every table's row count and a checksum of its rows, computed the same way on SQLite and PostgreSQL.

The tables are those of the installed models (and django_migrations); the database cache table is left out (a
cache). A row is made vendor-neutral from the model field that owns each column (booleans, dates, times, decimals,
JSON, UUIDs and bytes are stored differently by the two databases), hashed with SHA-256, and a table's checksum is
the sum of its rows' hashes modulo 2**256: independent of the order rows come back in (PostgreSQL sorts text by its
collation, SQLite by bytes), and a duplicated or missing row still changes it. The cursor is any DB-API cursor
(sqlite3 on a file, or Django's on PostgreSQL), so the archived copy itself can be checked.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from dataclasses import dataclass
from decimal import Decimal

# Rows a fresh `migrate` makes by itself (Django's bookkeeping, and what hub's and network's post_migrate handlers
# ensure): an installation holding only these is empty.
MIGRATE_FILLED = {"django_migrations", "django_content_type", "auth_permission", "hub_community",
                  "network_consenttext"}
_INTS = {"AutoField", "BigAutoField", "SmallAutoField", "IntegerField", "BigIntegerField", "SmallIntegerField",
         "PositiveIntegerField", "PositiveBigIntegerField", "PositiveSmallIntegerField"}
_MOD = 2 ** 256


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # the Django field's internal type ("BooleanField", ...)
    places: int | None = None  # DecimalField.decimal_places


def _kind(field) -> str:
    kind = field.get_internal_type()
    if kind in ("ForeignKey", "OneToOneField"):
        return _kind(field.target_field)
    return kind


def table_columns() -> dict[str, list[Column]]:
    """Each table of the installed models (and django_migrations) with its columns, sorted by table name."""
    from django.apps import apps
    from django.db.migrations.recorder import MigrationRecorder

    found: dict[str, list[Column]] = {}
    for model in [*apps.get_models(include_auto_created=True), MigrationRecorder.Migration]:
        meta = model._meta
        if not meta.managed or meta.proxy or meta.db_table in found:
            continue
        found[meta.db_table] = [Column(f.column, _kind(f), getattr(f, "decimal_places", None))
                                for f in meta.concrete_fields]
    return dict(sorted(found.items()))


def _text(value) -> str:
    return value.decode() if isinstance(value, bytes | memoryview) and not isinstance(value, str) else str(value)


def normalise(column: Column, value):
    """The value as both databases give it back, made the same (a JSON-able value)."""
    if value is None:
        return None
    kind = column.kind
    if kind == "BooleanField":
        return bool(value)
    if kind in _INTS:
        return int(value)
    if kind == "FloatField":
        return repr(float(value))
    if kind == "DecimalField":
        number = Decimal(str(value))
        return str(number.quantize(Decimal(1).scaleb(-column.places)) if column.places is not None else number)
    if kind == "DateTimeField":
        moment = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(_text(value))
        if moment.tzinfo is None:  # SQLite keeps UTC without an offset
            moment = moment.replace(tzinfo=dt.UTC)
        return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")
    if kind == "DateField":
        return value.isoformat() if isinstance(value, dt.date) else _text(value)[:10]
    if kind == "TimeField":
        moment = value if isinstance(value, dt.time) else dt.time.fromisoformat(_text(value))
        return moment.strftime("%H:%M:%S.%f")
    if kind == "DurationField":  # SQLite: microseconds; PostgreSQL: an interval
        return value // dt.timedelta(microseconds=1) if isinstance(value, dt.timedelta) else int(value)
    if kind == "JSONField":
        data = json.loads(_text(value)) if isinstance(value, str | bytes | memoryview) else value
        return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    if kind == "BinaryField":
        return hashlib.sha256(bytes(value)).hexdigest()
    if kind == "UUIDField":
        return uuid.UUID(_text(value)).hex
    return _text(value)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def table_summary(cursor, table: str, columns: list[Column]) -> dict:
    """{"rows": n, "checksum": hex} of one table read through `cursor`."""
    cursor.execute(f"SELECT {', '.join(_quote(c.name) for c in columns)} FROM {_quote(table)}")
    rows, total = 0, 0
    while batch := cursor.fetchmany(2000):
        for row in batch:
            data = json.dumps([normalise(c, v) for c, v in zip(columns, row, strict=True)],
                              separators=(",", ":"), ensure_ascii=False)
            total = (total + int.from_bytes(hashlib.sha256(data.encode()).digest(), "big")) % _MOD
            rows += 1
    return {"rows": rows, "checksum": f"{total:064x}"}


def summaries(cursor, existing: set[str], progress=None) -> dict[str, dict]:
    """Every model table present in the database (`existing`: its table names) summarised, by name."""
    found = {}
    tables = {t: c for t, c in table_columns().items() if t in existing}
    for number, (table, columns) in enumerate(tables.items(), start=1):
        found[table] = table_summary(cursor, table, columns)
        if progress:
            progress(f"Checked {table}", number, len(tables))
    return found


def differences(expected: dict[str, dict], found: dict[str, dict]) -> list[str]:
    """Tables whose row count or checksum differs (or that are missing), one phrase each."""
    problems = []
    for table, want in sorted(expected.items()):
        got = found.get(table)
        if got is None:
            problems.append(f"table {table} is missing")
        elif got["rows"] != want["rows"]:
            problems.append(f"table {table} has {got['rows']} rows, the backup says {want['rows']}")
        elif got["checksum"] != want["checksum"]:
            problems.append(f"table {table}'s rows do not match the backup's checksum")
    problems += [f"table {t} is not in the backup" for t in sorted(set(found) - set(expected))]
    return problems


def non_empty(cursor, existing: set[str]) -> tuple[str, int] | None:
    """The first table holding data (outside what `migrate` makes itself) and its row count, or None."""
    for table in table_columns():
        if table in existing and table not in MIGRATE_FILLED:
            cursor.execute(f"SELECT COUNT(*) FROM {_quote(table)}")
            count = cursor.fetchone()[0]
            if count:
                return table, count
    return None


def applied_migrations(cursor, existing: set[str]) -> list[str]:
    if "django_migrations" not in existing:
        return []
    cursor.execute("SELECT app, name FROM django_migrations")
    return sorted(f"{app}.{name}" for app, name in cursor.fetchall())


def known_migrations() -> set[str]:
    """Every migration this version of safeschool ships (app.name)."""
    from django.db.migrations.loader import MigrationLoader

    return {f"{app}.{name}" for app, name in MigrationLoader(None, ignore_no_migrations=True).disk_migrations}
