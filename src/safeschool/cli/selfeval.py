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


@selfeval_app.command("report")
def report(
    responses: Annotated[Path, typer.Option(
        "--responses", help="A responses CSV (as for `selfeval score`) holding the school's campaign.")],
    school: Annotated[str, typer.Option("--school", help="The code of the school to report on (its `school` column).")],
    json_out: Annotated[Path, typer.Option(
        "--json", help="Write the report here: groups, scores, gaps, strengths, priorities, comparison, change, "
                       "reliability (docs/selfeval.md); a group under its disclosure threshold appears only in "
                       "groups, with a null n.")],
    peers: Annotated[Path | None, typer.Option(
        "--peers", help="Schools to compare with: a responses CSV of other schools, or the JSON `selfeval score` "
                        "writes. Percentiles need at least 10 schools with a score; the school itself is left "
                        "out.")] = None,
) -> None:
    """Write one school's self-evaluation report as JSON (the same report as the web page and its PDF)."""
    import json

    from safeschool.selfeval.questionnaire import QuestionnaireError, load
    from safeschool.selfeval.report import json_safe, results_rows, school_report
    from safeschool.selfeval.scoring import ResponsesError, read_responses

    try:
        questionnaire = load()
        frame = read_responses(responses, questionnaire)
        mine = frame[frame["school"] == school]
        if mine.empty:
            known = sorted(frame["school"].unique())
            listed = ", ".join(known[:10]) + (f" ... ({len(known)} schools)" if len(known) > 10 else "")
            raise fail(f"--school: no school '{school}' in {responses.name} (it has {listed})")
        peer_rows = None
        if peers is not None:
            if peers.suffix.lower() == ".json":
                try:
                    data = json.loads(peers.read_text(encoding="utf-8"))
                except (OSError, ValueError) as exc:
                    raise fail(f"--peers: cannot read {peers.name} as JSON ({exc})") from exc
                peer_rows = data.get("scores") if isinstance(data, dict) else data
                if not isinstance(peer_rows, list) or not all(isinstance(r, dict) for r in peer_rows):
                    raise fail(f"--peers: {peers.name} holds no score rows (expected {{\"scores\": [...]}})")
            else:
                by_school: dict[str, list[dict]] = {}
                for row in results_rows(read_responses(peers, questionnaire), questionnaire):  # all schools at once
                    by_school.setdefault(row["school"], []).append(row)
                peer_rows = list(by_school.values())
        data = school_report(mine, questionnaire, peers=peer_rows, peers_scope="file")
    except (QuestionnaireError, ResponsesError) as exc:
        raise fail(str(exc)) from exc
    write_json(json_out, json_safe(data))
