"""The `safeschool` command: a thin shell over the same services the web app uses.

Each module holds one group of commands (options parsed, the core or a service called, the result printed); this
one gathers them in `commands`, in the order `safeschool --help` lists them, and builds `app`. Commands import what
they use when they run, so the pure ones never import Django, pandas or scipy at start-up; and `app` builds only
the command that runs (`LazyGroup`): typer reads every parameter's annotations to build a command, which for all
of them cost `safeschool --help` a fifth of its time (docs/performance.md, "Command-line start-up").
"""

from __future__ import annotations

import copy
from typing import Annotated

import typer
from typer.core import TyperGroup
from typer.main import CommandInfo, TyperInfo, get_command_from_info, get_command_name, get_group_from_info

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

commands = typer.Typer()  # every command, then every group of commands
for group in (cohort, imports, measures, models, trials, server, backup):
    commands.registered_commands += group.commands.registered_commands
commands.add_typer(analyze.analyze_app, name="analyze")
commands.add_typer(screen.screen_app, name="screen")
commands.add_typer(selfeval.selfeval_app, name="selfeval")
commands.add_typer(label.label_app, name="label")
commands.add_typer(evaluate.evaluate_app, name="evaluate")
commands.add_typer(indicators.indicators_app, name="indicators")
commands.add_typer(reports.report_app, name="report")


class LazyGroup(TyperGroup):
    """The `safeschool` group, holding `commands` as typer would but building each (its parameters, read from its
    annotations) when it runs; `--help` lists stand-ins that carry the name, help and flags typer gives it."""

    listing = False

    def list_commands(self, ctx) -> list[str]:
        return list(_entries())

    def get_command(self, ctx, cmd_name: str):
        entry = _entries().get(cmd_name)
        if cmd_name in self.commands or entry is None:
            return self.commands.get(cmd_name)
        if self.listing:
            return _build(entry, stand_in=True)
        self.commands[cmd_name] = _build(entry)
        return self.commands[cmd_name]

    def format_help(self, ctx, formatter) -> None:
        self.listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self.listing = False


def _entries() -> dict[str, CommandInfo | TyperInfo]:
    found = {(c.name or get_command_name(c.callback.__name__)): c for c in commands.registered_commands}
    return found | {g.name: g for g in commands.registered_groups}


def _build(entry: CommandInfo | TyperInfo, *, stand_in: bool = False):
    """The click command typer makes of `entry`; as a stand-in, without its parameters (or a group's commands)."""
    entry = copy.copy(entry)
    settings = {"pretty_exceptions_short": app.pretty_exceptions_short, "rich_markup_mode": app.rich_markup_mode}
    if isinstance(entry, TyperInfo):
        if stand_in:
            entry.typer_instance = copy.copy(entry.typer_instance)
            entry.typer_instance.registered_commands, entry.typer_instance.registered_groups = [], []
        return get_group_from_info(entry, suggest_commands=app.suggest_commands, **settings)
    if stand_in:
        entry.callback = _described(entry.callback)
    return get_command_from_info(entry, **settings)


def _described(callback):
    """A function with no parameters and `callback`'s name and docstring (what typer reads for help)."""
    def stand_in() -> None:
        pass

    stand_in.__name__, stand_in.__doc__ = callback.__name__, callback.__doc__
    return stand_in


app = typer.Typer(
    cls=LazyGroup,
    help="safeschool: measure students' security and belonging, explain outcomes at four ecological levels, "
    "and act early against early school leaving.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def main(version: Annotated[bool, typer.Option("--version", help="Print the version and exit.")] = False) -> None:
    if version:
        console.print(f"safeschool {__version__}")
        raise typer.Exit()
