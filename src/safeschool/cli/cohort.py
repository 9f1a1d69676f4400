"""`simulate` and `load`: a simulated cohort written to files, and a cohort directory loaded into the database."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Annotated

import typer

from safeschool.cli._shell import console, fail, migrate, progress, setup_django

commands = typer.Typer()


@commands.command()
def simulate(
    out: Annotated[Path, typer.Option("--out", help="Directory to write the cohort's CSV files and truth.json into.")],
    seed: Annotated[int, typer.Option(help="Random seed; the same seed gives the same cohort.")] = 2026,
    countries: Annotated[int, typer.Option(help="Number of countries.")] = 6,
    schools: Annotated[int, typer.Option(help="Number of schools (spread evenly over countries).")] = 120,
    classes: Annotated[int, typer.Option(help="Number of classes (spread evenly over schools).")] = 720,
    teachers: Annotated[int, typer.Option(help="Number of teachers (at least one per class).")] = 2400,
    students: Annotated[int, typer.Option(help="Number of students (spread evenly over classes).")] = 18000,
    waves: Annotated[int, typer.Option(help="Number of measurement waves (at least 2).")] = 2,
    cohorts: Annotated[int, typer.Option(
        help="Number of entry cohorts (school years, the latest 2025/26); a school's classes take them in turn.")] = 3,
    drift: Annotated[float, typer.Option(
        help="Change of the baseline logit of early leaving with each later cohort (0: none); "
             "screening models trained on earlier cohorts then meet a changed school year.")] = 0.0,
    config: Annotated[Path | None, typer.Option(
        help="YAML file overriding generating parameters, e.g. {achievement: {security: 30}} "
             "(see docs/simulation.md for every parameter).")] = None,
) -> None:
    """Simulate a LETS CARE-design cohort with known effects and write one CSV per table plus truth.json."""
    from safeschool.cohort import CohortConfig, CohortSizeError, Sizes
    from safeschool.cohort import simulate as run

    overrides = {}
    if config is not None:
        if not config.exists():
            raise fail(f"--config: file {config} does not exist")
        import yaml

        try:
            overrides = yaml.safe_load(config.read_text()) or {}
        except yaml.YAMLError as exc:
            raise fail(f"--config: {config} is not valid YAML ({str(exc).splitlines()[0]})") from exc
        if not isinstance(overrides, dict):
            raise fail(f"--config: {config} must hold a mapping of sections to parameters")
    sizes = Sizes(countries=countries, schools=schools, classes=classes, teachers=teachers, students=students,
                  waves=waves, cohorts=cohorts)
    problems = sizes.problems()
    if problems:
        raise fail(problems[0])
    try:
        if drift:
            overrides = {**overrides, "dropout": {**overrides.get("dropout", {}), "drift_per_cohort": drift}}
        cfg = CohortConfig.from_dict({**overrides, "seed": seed})
    except (ValueError, TypeError) as exc:
        raise fail(f"--config: {exc}") from exc
    cfg = dataclasses.replace(cfg, sizes=sizes)
    steps = ["countries", "schools", "classes and teachers", "students", "waves", "truth"]
    with progress() as bar:
        task = bar.add_task("Simulating cohort", total=len(steps) + 1)
        try:
            cohort = run(cfg, progress=lambda step: bar.update(task, advance=1, description=f"Simulated {step}"))
        except CohortSizeError as exc:
            raise fail(str(exc)) from exc
        bar.update(task, description="Writing CSV files")
        try:
            written = cohort.write(out)
        except OSError as exc:
            raise fail(f"--out: cannot write to {out} ({exc.strerror})") from exc
        bar.update(task, advance=1, description="Done")
    realised = cohort.truth["realised"]
    from rich.table import Table

    table = Table(title=f"Cohort written to {out}", show_header=True)
    table.add_column("table")
    table.add_column("rows", justify="right")
    for name, rows in realised["rows"].items():
        table.add_row(name, f"{rows:,}")
    console.print(table)
    console.print(f"Early leaving by the last wave: {realised['dropout_rate']:.1%} · files: {len(written)}")


@commands.command()
def load(
    directory: Annotated[Path, typer.Argument(help="A cohort directory as written by `safeschool simulate`.")],
) -> None:
    """Load a cohort directory into the database, all-or-nothing; loading the same cohort twice adds nothing."""
    setup_django()
    migrate()
    from safeschool.ingest.cohort_files import CohortFileError
    from safeschool.web.research.services import LOAD_STEPS, cohort_load

    with progress() as bar:
        task = bar.add_task(f"Loading {directory}", total=len(LOAD_STEPS))
        try:
            result = cohort_load(directory=directory,
                                 progress=lambda step: bar.update(task, advance=1, description=f"Loaded {step}"))
        except CohortFileError as exc:
            raise fail(f"{exc} — nothing was loaded") from exc
        bar.update(task, completed=len(LOAD_STEPS))
    if result.already_loaded:
        console.print(f"This cohort (fingerprint {result.fingerprint[:12]}) is already loaded: nothing added.")
        return
    from rich.table import Table

    table = Table(title="Loaded", show_header=True)
    for col in ("table", "added", "now in database"):
        table.add_column(col, justify="right" if col != "table" else "left")
    for name, added in result.added.items():
        table.add_row(name, f"{added:,}", f"{result.totals[name]:,}")
    console.print(table)
