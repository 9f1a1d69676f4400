"""`evaluate`: a trial's intention-to-treat impact from its analysis data (``safeschool.trials.impact``, no Django):
the estimate, its CI, the effect size as the WWC and the EEF report it, written as JSON."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from safeschool.cli._shell import console, err, fail, write_json

evaluate_app = typer.Typer(help="Evaluate an intervention's trial: the impact estimate and its effect size.",
                           no_args_is_help=True)


class Family(StrEnum):
    gaussian = "gaussian"
    binomial = "binomial"


@evaluate_app.command("impact")
def impact(
    data: Annotated[Path, typer.Option("--data", help="CSV or Parquet file, one row per student assigned.")],
    formula: Annotated[str, typer.Option(
        "--formula", help='The analysis model in lme4 syntax, e.g. "y ~ treat + baseline + (1|school/class)".')],
    treatment: Annotated[str, typer.Option(
        "--treatment", help="The 0/1 (or true/false) column of the arm each student's school or class was "
                            "assigned to (intention to treat).")],
    json_out: Annotated[Path, typer.Option("--json", help="Write the impact estimate as JSON to this file.")],
    family: Annotated[Family, typer.Option(
        help="gaussian (linear; Hedges' g) or binomial (logistic; WWC Cox index).")] = Family.gaussian,
    attainment: Annotated[bool, typer.Option(
        "--attainment", help="The outcome is attainment: add the EEF's months of additional progress.")] = False,
    covariates: Annotated[str | None, typer.Option(
        "--covariates", help="Comma-separated baseline covariates of the formula, left out of the model whose total "
                             "variance standardises g (default: every term but the treatment).")] = None,
) -> None:
    """Intention-to-treat impact with Hedges' g on the total variance (or the Cox index) and its 95 % CI."""
    from safeschool.ingest.readers import TableReadError, read_table
    from safeschool.stats.formula import parse_formula
    from safeschool.stats.mixed import ModelSpecError
    from safeschool.trials.impact import estimate_impact

    try:
        parsed = parse_formula(formula)
    except ModelSpecError as exc:
        raise fail(f"--formula: {exc}") from exc
    try:
        frame = read_table(data)
    except TableReadError as exc:
        raise fail(f"--data: {exc}") from exc
    if treatment not in frame.columns:
        raise fail(f"--treatment: column '{treatment}' is not in {data.name}")
    if treatment not in parsed.columns():
        raise fail(f"--treatment: '{treatment}' is not in the formula's fixed part")
    names = [c.strip() for c in covariates.split(",") if c.strip()] if covariates else None
    unknown = [c for c in names or [] if c not in parsed.columns()]
    if unknown:
        raise fail(f"--covariates: '{unknown[0]}' is not in the formula")
    try:
        result = estimate_impact(frame, formula=formula, treatment=treatment, family=family.value,
                                 attainment=attainment, covariates=names)
    except ModelSpecError as exc:
        raise fail(f"--formula: {exc}") from exc
    for warning in result["warnings"]:
        err.print(f"[yellow]Warning:[/] {warning}", highlight=False, soft_wrap=True)
    lo, hi = result["ci"]
    g_lo, g_hi = result["effect_size_ci"]
    console.print(f"Impact of {result['term']}: {result['estimate']:.3f} (95 % CI {lo:.3f} to {hi:.3f}), "
                  f"{result['effect_size_method']} {result['effect_size']:.3f} ({g_lo:.3f} to {g_hi:.3f}); "
                  f"n = {result['n']}, clusters {result['clusters']}", highlight=False, soft_wrap=True)
    write_json(json_out, result)
