"""`power`: the minimum detectable effect size of a cluster-randomised design, the clusters it needs for a target
MDES, or its power for an effect (``safeschool.trials.power``, PowerUp! formulas; no Django)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from safeschool.cli._shell import console, fail, write_json

commands = typer.Typer()


class Design(StrEnum):
    crt2 = "crt2"
    crt3 = "crt3"
    bcrt3 = "bcrt3"
    bcrt2 = "bcrt2"
    sw = "sw"


@commands.command()
def power(
    design: Annotated[Design, typer.Option(
        "--design", help="crt2: schools randomised, students in schools; crt3: schools randomised, students in "
                         "classes in schools; bcrt3: classes randomised within schools; bcrt2: schools randomised "
                         "within strata (--blocks); sw: stepped wedge (--steps).")],
    cluster_size: Annotated[float, typer.Option(
        "--cluster-size", help="Students per school (crt2, bcrt2; per school and period for sw) or per class "
                               "(crt3, bcrt3).")],
    icc: Annotated[float, typer.Option("--icc", help="Between-school share of the outcome's variance, in [0, 1).")],
    clusters: Annotated[int | None, typer.Option(
        "--clusters", help="Schools (all designs; for bcrt2 all schools over all strata). Not needed with --mdes.")] = None,
    classes_per_school: Annotated[float | None, typer.Option(
        "--classes-per-school", help="Classes per school (crt3, bcrt3).")] = None,
    icc_class: Annotated[float | None, typer.Option(
        "--icc-class", help="Between-class share of the variance (crt3, bcrt3).")] = None,
    r2_1: Annotated[float, typer.Option("--r2-1", help="Share of student-level variance the covariates explain.")] = 0.0,
    r2_2: Annotated[float, typer.Option(
        "--r2-2", help="Share of level-2 variance explained (schools in crt2/bcrt2/sw, classes in crt3/bcrt3).")] = 0.0,
    r2_3: Annotated[float, typer.Option(
        "--r2-3", help="Share of school variance explained (crt3; for bcrt3 of the effect's variation across "
                       "schools).")] = 0.0,
    covariates: Annotated[int, typer.Option(
        "--covariates", help="Covariates at the randomised level (each costs a degree of freedom).")] = 0,
    p: Annotated[float, typer.Option("--p", help="Proportion of clusters assigned to the intervention.")] = 0.5,
    alpha: Annotated[float, typer.Option("--alpha", help="Type I error rate.")] = 0.05,
    target_power: Annotated[float, typer.Option("--power", help="Power the MDES is computed for.")] = 0.8,
    one_tailed: Annotated[bool, typer.Option("--one-tailed", help="One-tailed test (default two-tailed).")] = False,
    target: Annotated[float | None, typer.Option(
        "--mdes", help="Target MDES (SD units): report the smallest number of schools that reaches it.")] = None,
    effect: Annotated[float | None, typer.Option(
        "--effect", help="Standardised effect: report the power to detect it.")] = None,
    blocks: Annotated[int | None, typer.Option("--blocks", help="Strata, e.g. countries (bcrt2).")] = None,
    steps: Annotated[int | None, typer.Option("--steps", help="Steps of the stepped wedge (sw).")] = None,
    omega: Annotated[float, typer.Option(
        "--omega", help="Variance of the effect across schools relative to the school variance (bcrt3).")] = 0.0,
    base_rate: Annotated[float | None, typer.Option(
        "--base-rate", help="For a 0/1 outcome: the control group's rate; the MDES is also shown as a difference "
                            "in proportions and an odds ratio.")] = None,
    json_out: Annotated[Path | None, typer.Option("--json", help="Write the result as JSON to this file.")] = None,
) -> None:
    """MDES of a cluster-randomised design (Dong & Maynard 2013, PowerUp!), the schools needed for a target
    MDES (--mdes), or the power for an effect (--effect)."""
    from safeschool.trials import power as pw

    if target is not None and effect is not None:
        raise fail("--mdes and --effect ask different questions: give one of them")
    if target is None and clusters is None:
        raise fail("--clusters is required (or give --mdes to find how many are needed)")
    inputs = dict(cluster_size=cluster_size, icc=icc, classes_per_school=classes_per_school, icc_class=icc_class,
                  r2_1=r2_1, r2_2=r2_2, r2_3=r2_3, covariates=covariates, p=p, alpha=alpha, power=target_power,
                  two_tailed=not one_tailed, blocks=blocks, omega=omega, steps=steps)
    try:
        if target is not None:
            result = pw.clusters_for_mdes(design.value, target, **inputs)
        elif effect is not None:
            result = pw.power_for_effect(design.value, effect, clusters=clusters, **inputs)
        else:
            result = pw.mdes(design.value, clusters=clusters, **inputs)
        binary = pw.binary_effect(target or result.mdes, base_rate) if base_rate is not None else None
    except pw.PowerInputError as exc:
        raise fail(str(exc)) from exc
    payload = result.as_dict()
    if target is not None:
        payload["target_mdes"] = target
    if effect is not None:
        payload["effect"] = effect
    if binary is not None:
        payload["binary"] = binary
    _print(payload, pw.DESIGNS[design.value], solved=target is not None)
    if json_out:
        write_json(json_out, payload)


def _print(payload: dict, label: str, *, solved: bool) -> None:
    from rich.table import Table

    table = Table(title=f"Power: {label}", show_header=False)
    table.add_column(style="bold")
    table.add_column(justify="right")
    rows = [("Schools" + (" needed" if solved else ""), f"{payload['clusters']}"),
            ("MDES (SD)", f"{payload['mdes']:.3f}"),
            ("Degrees of freedom", f"{payload['df']:g}"),
            ("Multiplier M", f"{payload['multiplier']:.3f}"),
            ("Standard error (SD)", f"{payload['se']:.4f}")]
    if "effect" in payload:
        rows.append((f"Power for an effect of {payload['effect']:g}", f"{payload['power']:.3f}"))
    else:
        rows.append(("Power", f"{payload['power']:g}"))
    binary = payload.get("binary")
    if binary:
        rows.append(("Cohen's h (arcsine)", f"{binary['h']:.3f}"))
        for key, rate, ratio in (("rise", "rate_treated", "odds_ratio"), ("fall", "rate_treated_lower",
                                                                           "odds_ratio_lower")):
            if binary[rate] is not None:
                rows.append((f"Rate after a {key} (odds ratio)", f"{binary[rate]:.3f} ({binary[ratio]:.2f})"))
    for name, value in rows:
        table.add_row(name, value)
    console.print(table)
