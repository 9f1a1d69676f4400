"""Database triggers in hand-written migrations, one dialect per database: the apps' trigger migrations declare
their SQL and call these two functions from RunPython, so the choice of dialect and the way triggers are dropped
are written once. Other databases get no triggers (the services still enforce the rules)."""

from __future__ import annotations


def create_triggers(schema_editor, *, sqlite: list[str], postgres: list[str]) -> None:
    """Run the statements for the connection's database (SQLite or PostgreSQL)."""
    vendor = schema_editor.connection.vendor
    for sql in sqlite if vendor == "sqlite" else postgres if vendor == "postgresql" else []:
        schema_editor.execute(sql)


def drop_triggers(schema_editor, *, sqlite_names: list[str], postgres_drop: list[str]) -> None:
    """Drop SQLite's triggers by name, or run PostgreSQL's DROP statements."""
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for name in sqlite_names:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")
    elif vendor == "postgresql":
        for sql in postgres_drop:
            schema_editor.execute(sql)
