"""`selfeval`: the School Evaluation Questionnaire (issue 16). The work is done by `safeschool.selfeval` (no
Django); these commands parse options, call it and write what it gives."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from safeschool.cli._shell import fail, write_json

selfeval_app = typer.Typer(
    help="School self-evaluation: the questionnaire's structure (dimensions, subdimensions, indicators) and the "
         "scores of a file of responses.",
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


@selfeval_app.command("score")
def score(
    responses: Annotated[Path, typer.Option(
        "--responses", help="A CSV with one row per respondent: school, informant (leaders, teachers, students, "
                            "families), then one column per indicator code; a blank cell is not answered.")],
    json_out: Annotated[Path, typer.Option(
        "--json", help="Write the subdimension and dimension scores per school and informant group here "
                       "(docs/selfeval.md); a group under the disclosure threshold has null score and n.")],
) -> None:
    """Score a file of responses (nothing is written when a row is wrong: the error names its row and column)."""
    from safeschool.selfeval.questionnaire import QuestionnaireError, load
    from safeschool.selfeval.scoring import ResponsesError, read_responses
    from safeschool.selfeval.scoring import score as score_responses

    try:
        questionnaire = load()
        scores = score_responses(read_responses(responses, questionnaire), questionnaire)
    except (QuestionnaireError, ResponsesError) as exc:
        raise fail(str(exc)) from exc
    write_json(json_out, {"scores": scores})
