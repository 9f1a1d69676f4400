"""A fresh safeschool installation for a benchmark: its own home folder, Django set up, the database migrated."""

from __future__ import annotations

import os
from pathlib import Path


def fresh_installation(folder: Path) -> None:
    """Point safeschool at `folder`/home (a new SQLite database there), set Django up and migrate."""
    home = Path(folder) / "home"
    home.mkdir()
    os.environ["SAFESCHOOL_HOME"] = str(home)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safeschool.web.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
