"""The migration policy (docs/development.md): until the first deployment each app's history is one generated
0001_initial, followed only by hand-written migrations for what makemigrations cannot express (database triggers);
and the models never drift from the migrations."""

from __future__ import annotations

import io
from importlib import import_module
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import migrations

WEB = Path(__file__).resolve().parents[1] / "src" / "safeschool" / "web"
SCHEMA_ONLY_BY_HAND = (migrations.RunPython, migrations.RunSQL)


@pytest.mark.django_db
def test_models_and_migrations_agree():
    out = io.StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)  # exits non-zero on a missing migration
    assert "No changes detected" in out.getvalue()


@pytest.mark.parametrize("app", sorted(c.label for c in apps.get_app_configs() if c.name.startswith("safeschool.web")))
def test_each_app_history_is_one_initial_migration_then_triggers(app):
    folder = WEB / apps.get_app_config(app).name.rsplit(".", 1)[1] / "migrations"
    names = sorted(p.stem for p in folder.glob("0*.py"))
    if not names:  # an app without models (core)
        assert not list(apps.get_app_config(app).get_models())
        return
    assert names[0] == "0001_initial"
    for name in names[1:]:
        module = import_module(f"{apps.get_app_config(app).name}.migrations.{name}")
        kinds = {type(op) for op in module.Migration.operations}
        assert kinds <= set(SCHEMA_ONLY_BY_HAND), f"{app}/{name} changes the schema: regenerate 0001 instead"
