"""The `safeschool` command: a thin shell over the same services the web app uses.

Each module holds one group of commands (options parsed, the core or a service called, the result printed); this
one builds `app` from them in the order `safeschool --help` lists them. Commands import what they use when they
run, so the pure ones never import Django.
"""

from __future__ import annotations

from typing import Annotated

import typer

from safeschool import __version__
from safeschool.cli import (
    analyze,
    backup,
    cohort,
    evaluate,
    imports,
    indicators,
    label,
    measures,
    models,
    reports,
    screen,
    selfeval,
    server,
    trials,
)
from safeschool.cli._shell import console

app = typer.Typer(
    help="safeschool: measure students' security and belonging, explain outcomes at four ecological levels, "
    "and act early against early school leaving.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
for group in (cohort, imports, measures, models, trials, server, backup):
    app.registered_commands += group.commands.registered_commands
app.add_typer(analyze.analyze_app, name="analyze")
app.add_typer(screen.screen_app, name="screen")
app.add_typer(selfeval.selfeval_app, name="selfeval")
app.add_typer(label.label_app, name="label")
app.add_typer(evaluate.evaluate_app, name="evaluate")
app.add_typer(indicators.indicators_app, name="indicators")
app.add_typer(reports.report_app, name="report")


@app.callback()
def main(version: Annotated[bool, typer.Option("--version", help="Print the version and exit.")] = False) -> None:
    if version:
        console.print(f"safeschool {__version__}")
        raise typer.Exit()
