"""`analyze`: the multilevel analyses (ecological decomposition, intersectional MAIHDA) on a file or the database."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from safeschool.cli._shell import console, err, fail, progress, setup_django, write_json

analyze_app = typer.Typer(help="Multilevel analyses: ecological decomposition and intersectional MAIHDA.",
                          no_args_is_help=True)

DataOpt = Annotated[Path | None, typer.Option(
    "--data", help="Analysis table (CSV/Parquet, one row per student) or a cohort directory from `simulate`.")]
DbOpt = Annotated[bool, typer.Option("--db", help="Analyse the cohort loaded in the platform's database.")]
WaveOpt = Annotated[int, typer.Option(help="Wave of the predictors and outcomes (dropout: left by the last wave).")]
StagesOpt = Annotated[str | None, typer.Option(
    help="Only these school stages, comma-separated, e.g. lower_secondary,upper_secondary,second_chance.")]
JsonOpt = Annotated[Path | None, typer.Option("--json", help="Write the results as JSON to this file.")]
OutOpt = Annotated[Path | None, typer.Option("--out", help="Directory for tables (CSV) and figures (SVG, PNG).")]
FamilyOpt = Annotated[str, typer.Option(help="auto (binomial for 0/1 outcomes), gaussian or binomial.")]


def _analysis_frame(data: Path | None, db: bool, wave: int, stages: str | None):
    from safeschool.ingest.cohort_files import CohortFileError, analysis_frame, read_cohort_dir
    from safeschool.ingest.readers import TableReadError, read_table
    from safeschool.stats.analyses import select_stages

    if (data is None) == (not db):
        raise fail("give either --data FILE or --db")
    try:
        if db:
            setup_django()
            from safeschool.web.research.selectors import analysis_frame as db_frame

            frame = db_frame(wave=wave)
            if frame.empty:
                raise fail("the database holds no students: run `safeschool load DIR` or `safeschool demo` first")
        elif data.is_dir():
            frame = analysis_frame(read_cohort_dir(data).tables, wave=wave)
        else:
            frame = read_table(data)
        return select_stages(frame, [s.strip() for s in stages.split(",")] if stages else None)
    except (CohortFileError, TableReadError, ValueError) as exc:
        raise fail(str(exc)) from exc


def _run_analysis(label: str, run, json_out: Path | None, out: Path | None):
    from safeschool.stats.analyses import write_outputs
    from safeschool.stats.mixed import ModelSpecError

    with progress(transient=True) as bar:
        task = bar.add_task(label, total=None)
        try:
            output = run(lambda step: bar.update(task, description=f"{label}: fitted {step}"))
        except ModelSpecError as exc:
            raise fail(str(exc)) from exc
    for warning in output.result.get("warnings", []):
        err.print(f"[yellow]Warning:[/] {warning}", highlight=False, soft_wrap=True)
    if json_out is not None:
        write_json(json_out, output.result)
    if out is not None:
        written = write_outputs(output, out)
        console.print(f"Wrote {len(written)} files to {out}")
    return output


@analyze_app.command("ecological")
def analyze_ecological(
    outcome: Annotated[str, typer.Option(help="Outcome column, e.g. achievement, dropout, belonging.")],
    data: DataOpt = None,
    db: DbOpt = False,
    blocks: Annotated[Path | None, typer.Option(
        help="YAML mapping levels to predictor columns (default blocks: docs/analysis.md).")] = None,
    wave: WaveOpt = 1,
    stages: StagesOpt = None,
    family: FamilyOpt = "auto",
    json_out: JsonOpt = None,
    out: OutOpt = None,
) -> None:
    """Null -> +individual -> +relational -> +community -> +political: variance at each level and what explains it."""
    from safeschool.stats.analyses import run_ecological
    from safeschool.stats.ecological import BlockSpec
    from safeschool.stats.mixed import ModelSpecError, format_p

    spec = None
    if blocks is not None:
        if not blocks.exists():
            raise fail(f"--blocks: file {blocks} does not exist")
        try:
            spec = BlockSpec.from_yaml(blocks.read_text())
        except ModelSpecError as exc:
            raise fail(f"--blocks: {exc}") from exc
    frame = _analysis_frame(data, db, wave, stages)
    output = _run_analysis(f"Ecological decomposition of {outcome}",
                           lambda tick: run_ecological(frame, outcome=outcome, spec=spec, family=family,
                                                       progress=tick), json_out, out)
    r = output.result
    from rich.table import Table

    table = Table(title=f"{outcome}: {r['n_obs']:,} students ({r['family']}, {r['approximation']}); "
                        "share of variance (VPC) by level")
    levels = [lvl for lvl in ("country", "school", "class", "student")
              if any(v["level"] == lvl for v in r["variance"])]
    for col in ["step", *levels, "R²m", "R²c", "LRT p"]:
        table.add_column(col, justify="left" if col == "step" else "right")
    for step in r["steps"]:
        vpc = {v["level"]: v["vpc"] for v in r["variance"] if v["step"] == step["step"]}
        p = step["lrt_p"]
        table.add_row(step["step"], *[f"{vpc[lvl]:.3f}" for lvl in levels], f"{step['r2_marginal']:.3f}",
                      f"{step['r2_conditional']:.3f}", format_p(p))
    console.print(table)


@analyze_app.command("maihda")
def analyze_maihda(
    outcome: Annotated[str, typer.Option(help="Outcome column, e.g. achievement or dropout.")],
    strata: Annotated[str, typer.Option(
        help="Attributes forming the strata, comma-separated: gender,migrant,roma,ses,sen,care or any "
             "categorical column.")],
    data: DataOpt = None,
    db: DbOpt = False,
    wave: WaveOpt = 1,
    stages: StagesOpt = None,
    family: FamilyOpt = "auto",
    json_out: JsonOpt = None,
    out: OutOpt = None,
) -> None:
    """Intersectional MAIHDA: VPC, PCV, stratum predictions and interaction effects (strata n<10 never shown)."""
    from safeschool.stats.analyses import run_maihda

    frame = _analysis_frame(data, db, wave, stages)
    attributes = [s.strip() for s in strata.split(",") if s.strip()]
    output = _run_analysis(f"MAIHDA of {outcome}",
                           lambda tick: run_maihda(frame, outcome=outcome, strata=attributes, family=family,
                                                   progress=tick), json_out, out)
    r = output.result
    students = "students" if r["n_obs"] is None else f"{r['n_obs']:,} students"  # withheld: see stats/maihda.py
    from rich.table import Table

    table = Table(title=f"MAIHDA of {outcome}: {students} in {r['n_strata']} strata "
                        f"({r['n_strata_suppressed']} with n<10 and {r['n_strata_protecting']} protecting them not shown: "
                        f"{r['small_strata']})")
    for col in ("model", "between-strata var.", "VPC", "PCV", "AUC"):
        table.add_column(col, justify="left" if col == "model" else "right")
    for m in r["models"]:
        table.add_row(m["model"], f"{m['between_variance']:.4g}", f"{m['vpc']:.3f}",
                      "" if m.get("pcv") is None else f"{m['pcv']:.3f}",
                      "" if m.get("auc") is None else f"{m['auc']:.3f}")
    console.print(table)
