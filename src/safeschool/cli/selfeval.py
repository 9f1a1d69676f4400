"""`selfeval`: the School Evaluation Questionnaire (issue 16). The work is done by `safeschool.selfeval` (no
Django); these commands parse options, call it and write what it gives."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from safeschool.cli._shell import console, fail, write_json

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


@selfeval_app.command("simulate")
def simulate(
    out: Annotated[Path, typer.Option(
        "--out", help="Write the simulated responses here as a CSV that `selfeval score --responses` reads.")],
    schools: Annotated[int, typer.Option(
        "--schools", min=1, max=5000, help="How many schools (codes S001, S002 ...).")] = 12,
    respondents: Annotated[int, typer.Option(
        "--respondents", min=2, max=10000, help="Respondents per school: 1-5 school leaders, the rest teachers, "
                                                "students and families in varying shares.")] = 200,
    seed: Annotated[int, typer.Option("--seed", help="The same seed gives the same file.")] = 0,
) -> None:
    """Write made-up but realistic answers to the questionnaire (school levels, leaders rating higher than teachers,
    teachers than students, families in between; about 3% blanks), to try `selfeval score` without real data."""
    from safeschool.cli._shell import progress
    from safeschool.selfeval.questionnaire import QuestionnaireError, load
    from safeschool.selfeval.simulate import simulate_network, write_csv

    try:
        questionnaire = load()
    except QuestionnaireError as exc:
        raise fail(str(exc)) from exc
    with progress(transient=True) as bar:
        task = bar.add_task("Simulating schools", total=schools, visible=schools * respondents >= 20000)
        frame = simulate_network(questionnaire, schools=schools, respondents=respondents, seed=seed,
                                 on_school=lambda _code: bar.advance(task))
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        write_csv(frame, out)
    except OSError as exc:
        raise fail(f"--out: cannot write {out} ({exc.strerror})") from exc
    console.print(f"Wrote {out} ({len(frame)} respondents in {schools} schools)")
