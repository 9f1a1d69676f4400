"""`selfeval`: the School Evaluation Questionnaire (issue 16). The work is done by `safeschool.selfeval` (no
Django); these commands parse options, call it and write what it gives."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from safeschool.cli._shell import fail, write_json

selfeval_app = typer.Typer(
    help="School self-evaluation: the questionnaire's structure (dimensions, subdimensions, indicators).",
    no_args_is_help=True)


@selfeval_app.command("questionnaire")
def questionnaire(
    json_out: Annotated[Path, typer.Option(
        "--json", help="Write the structure here: dimensions -> subdimensions -> indicators with their type, "
                       "scale (Likert) and informant groups (leaders, teachers, students, families).")],
) -> None:
    """Write the questionnaire's structure as JSON."""
    from safeschool.selfeval.questionnaire import QuestionnaireError, load

    try:
        structure = load().as_json()
    except QuestionnaireError as exc:
        raise fail(str(exc)) from exc
    write_json(json_out, structure)
