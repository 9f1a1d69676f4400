"""A fresh safeschool installation for a benchmark: its own home folder, Django set up, the database migrated."""

from __future__ import annotations

import os
from pathlib import Path

from safeschool.cli._shell import ensure_secret_key


def fresh_installation(folder: Path) -> None:
    """Point safeschool at `folder`/home (a new SQLite database there), set Django up and migrate."""
    home = Path(folder) / "home"
    home.mkdir()
    os.environ["SAFESCHOOL_HOME"] = str(home)
    os.environ.pop("SAFESCHOOL_SECRET_KEY_FILE", None)
    ensure_secret_key()  # a random key in the new home, as any `safeschool` command makes
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safeschool.web.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
