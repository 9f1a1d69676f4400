"""`fit` and `aggregate`: one multilevel model from row-level data or pooled site files, and a site's per-cluster
statistics for pooled fitting."""

from __future__ import annotations

import json
import warnings
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from safeschool.cli._shell import console, err, fail, write_json

commands = typer.Typer()


class Family(StrEnum):
    gaussian = "gaussian"
    binomial = "binomial"


class Engine(StrEnum):
    mixedlm = "mixedlm"
    aggregates = "aggregates"


class AggregateEngine(StrEnum):
    duckdb = "duckdb"
    spark = "spark"


@commands.command(context_settings={"allow_extra_args": True})
def fit(
    ctx: typer.Context,
    data: Annotated[str | None, typer.Option("--data", help=(
        "CSV or Parquet file, one row per observation (with --engine aggregates also an SQLite file or a "
        "postgres:// URL, with --table)."))] = None,
    formula: Annotated[str | None, typer.Option(
        "--formula", help='lme4 formula, e.g. "y ~ x + (1|country/school/class)".')] = None,
    family: Annotated[Family, typer.Option(help="gaussian (linear) or binomial (logistic, Laplace).")] = Family.gaussian,
    ml: Annotated[bool, typer.Option("--ml", help="Maximum likelihood instead of REML (linear models).")] = False,
    engine: Annotated[Engine, typer.Option(
        help="mixedlm (row-level data) or aggregates (exact fit from per-cluster statistics computed by SQL; "
             "linear models with nested random intercepts).")] = Engine.mixedlm,
    sites: Annotated[list[Path] | None, typer.Option(
        "--sites", help="Site files from `safeschool aggregate` to pool: --sites a.parquet b.parquet ...")] = None,
    table: Annotated[str | None, typer.Option(help="Table or view, for SQLite or PostgreSQL sources.")] = None,
    json_out: Annotated[Path | None, typer.Option("--json", help="Write the results as JSON to this file.")] = None,
) -> None:
    """Fit one multilevel model and print an lme4-style summary (matches lme4::lmer / glmer)."""
    # what each engine needs, imported by it: the aggregates engine never imports pandas (docs/performance.md)
    from safeschool.stats.formula import ModelSpecError
    from safeschool.stats.printing import render_text

    if ctx.args:  # the files listed after one --sites
        if not sites:
            raise fail(f"unexpected argument '{ctx.args[0]}'")
        sites = [*sites, *map(Path, ctx.args)]
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            if sites or engine == Engine.aggregates:
                model = _fit_aggregates(data, formula, sites, table, family, ml)
            else:
                if data is None or formula is None:
                    raise fail("give --data FILE and --formula (or --sites FILE ... for pooled site files)")
                model = _fit_rows(data, formula, family, ml)
    except ModelSpecError as exc:
        raise fail(str(exc)) from exc
    for w in caught:
        if issubclass(w.category, UserWarning) and "safeschool" in w.category.__module__:
            err.print(f"[yellow]Warning:[/] {w.message}", highlight=False, soft_wrap=True)
    console.print(render_text(model), highlight=False, soft_wrap=True)
    if json_out is not None:
        write_json(json_out, model.to_dict())


def _fit_rows(data, formula, family, ml):
    from safeschool.ingest.readers import TableReadError, read_table
    from safeschool.stats.mixed import MixedModel

    try:
        return MixedModel(formula, family=family.value, reml=not ml).fit(read_table(Path(data)))
    except TableReadError as exc:
        raise fail(str(exc)) from exc


def _fit_aggregates(data, formula, sites, table, family, ml):
    from safeschool.stats.aggregates import AggregateModel
    from safeschool.stats.sites import SiteFileError, open_source, read_sites, stats_from_source

    if family != Family.gaussian:
        raise fail("the aggregates engine fits linear (gaussian) models only: logistic models need row-level data")
    if sites:
        if data is not None:
            raise fail("give either --data or --sites, not both")
        try:
            stats, formula = read_sites(list(sites), formula=formula)
        except SiteFileError as exc:
            raise fail(str(exc)) from exc
    else:
        if data is None or formula is None:
            raise fail("give --data FILE and --formula")
        stats = stats_from_source(formula, open_source(data, table=table))
    return AggregateModel(formula, reml=not ml).fit(stats)


@commands.command()
def aggregate(
    data: Annotated[str, typer.Option(
        "--data", help="CSV, Parquet or SQLite file (or postgres:// URL) at this site; with --engine spark, any CSV "
                       "or Parquet path or URI Spark reads.")],
    formula: Annotated[str, typer.Option("--formula", help='e.g. "achievement ~ ses_index + (1|school_id/class_id)".')],
    out: Annotated[Path, typer.Option("--out", help="Site file to write (.parquet; metadata goes to .json beside it).")],
    table: Annotated[str | None, typer.Option(help="Table or view, for SQLite or PostgreSQL sources.")] = None,
    min_cluster: Annotated[int, typer.Option(help="Smallest cluster (lowest group) allowed.")] = 5,
    allow_small: Annotated[bool, typer.Option("--allow-small", help="Keep clusters below --min-cluster.")] = False,
    engine: Annotated[AggregateEngine, typer.Option(
        help="duckdb (CSV/Parquet here; SQLite and PostgreSQL run in their own database) or spark (Spark SQL: "
             "local, or the Spark Connect server in SAFESCHOOL_SPARK_REMOTE).")] = AggregateEngine.duckdb,
) -> None:
    """Compute a site's per-cluster statistics in one SQL pass and write them for pooled, exact fitting."""
    from safeschool.stats.formula import ModelSpecError
    from safeschool.stats.sites import open_source, stats_from_source, write_site

    try:
        stats = stats_from_source(formula, open_source(data, table=table, engine=engine.value))
        parquet, meta = write_site(stats, formula, out, min_cluster=min_cluster, allow_small=allow_small)
    except ModelSpecError as exc:
        raise fail(str(exc)) from exc
    console.print(f"Wrote {parquet} and {meta}: {len(stats.n):,} clusters, {stats.n_obs:,} rows summarised.")
    console.print(json.loads(meta.read_text())["what_this_file_reveals"], highlight=False)
