"""`report`: the documents a network is judged by, written as files — a school's profile report (one school, or
every school of a country, with a progress bar), a country's profile report, a policy brief and the network's
annual report; each in HTML and as a tagged PDF, from the same services the web's /reports/ pages use."""

from __future__ import annotations

import typer

report_app = typer.Typer(help="Write reports as files: school and country profiles, policy briefs, the annual "
                              "report (PDF and HTML).", no_args_is_help=True)

# each command's module registers it on report_app
from safeschool.cli import reports_annual, reports_brief, reports_country, reports_school  # noqa: E402,F401
