"""`label`: the Safe School Label's scheduled work. `safeschool label remind` e-mails the staff of every school
whose label ends within 90 days (once per award), the same service the web app's renewal uses; run it daily."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer

from safeschool.cli._shell import console, fail, setup_django

label_app = typer.Typer(help="The Safe School Label: renewal reminders.", no_args_is_help=True)


@label_app.command("remind")
def remind(
    today: Annotated[str, typer.Option(
        "--today", help="The day to act as (YYYY-MM-DD; default: today), e.g. to catch up after a missed run.")] = "",
) -> None:
    """E-mail the staff of each school whose label ends within 90 days (each award once), in their language;
    print how many e-mails were sent."""
    try:
        day = dt.date.fromisoformat(today) if today else None
    except ValueError as exc:
        raise fail(f"--today: '{today}' is not a date (YYYY-MM-DD)") from exc
    setup_django()
    from safeschool.web.label.services import label_reminders_send

    sent = label_reminders_send(day)
    console.print(f"Sent {sent} renewal reminder{'s' if sent != 1 else ''}.")
