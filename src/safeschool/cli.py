"""The `safeschool` command: a thin shell over the same services the web app uses."""

from __future__ import annotations

import dataclasses
import json
import os
import sys
import warnings
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
import yaml
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from safeschool import __version__

app = typer.Typer(
    help="safeschool: measure students' security and belonging, explain outcomes at four ecological levels, "
    "and act early against early school leaving.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
err = Console(stderr=True)


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print a one-line reason to stderr and return the Exit to raise."""
    err.print(f"[bold red]Error:[/] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


def _progress(transient: bool = False) -> Progress:
    return Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                    TimeElapsedColumn(), console=err, transient=transient)


def setup_django() -> None:
    """Configure Django for commands that touch the database (the pure commands never import it)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safeschool.web.settings")
    import django

    django.setup()
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        Path(settings.DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)


def _migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


@app.callback()
def main(version: Annotated[bool, typer.Option("--version", help="Print the version and exit.")] = False) -> None:
    if version:
        console.print(f"safeschool {__version__}")
        raise typer.Exit()


@app.command()
def simulate(
    out: Annotated[Path, typer.Option("--out", help="Directory to write the cohort's CSV files and truth.json into.")],
    seed: Annotated[int, typer.Option(help="Random seed; the same seed gives the same cohort.")] = 2026,
    countries: Annotated[int, typer.Option(help="Number of countries.")] = 6,
    schools: Annotated[int, typer.Option(help="Number of schools (spread evenly over countries).")] = 120,
    classes: Annotated[int, typer.Option(help="Number of classes (spread evenly over schools).")] = 720,
    teachers: Annotated[int, typer.Option(help="Number of teachers (at least one per class).")] = 2400,
    students: Annotated[int, typer.Option(help="Number of students (spread evenly over classes).")] = 18000,
    waves: Annotated[int, typer.Option(help="Number of measurement waves (at least 2).")] = 2,
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
        try:
            overrides = yaml.safe_load(config.read_text()) or {}
        except yaml.YAMLError as exc:
            raise fail(f"--config: {config} is not valid YAML ({str(exc).splitlines()[0]})") from exc
        if not isinstance(overrides, dict):
            raise fail(f"--config: {config} must hold a mapping of sections to parameters")
    sizes = Sizes(countries=countries, schools=schools, classes=classes, teachers=teachers, students=students,
                  waves=waves)
    problems = sizes.problems()
    if problems:
        raise fail(problems[0])
    try:
        cfg = CohortConfig.from_dict({**overrides, "seed": seed})
    except (ValueError, TypeError) as exc:
        raise fail(f"--config: {exc}") from exc
    cfg = dataclasses.replace(cfg, sizes=sizes)
    steps = ["countries", "schools", "classes and teachers", "students", "waves", "truth"]
    with _progress() as progress:
        task = progress.add_task("Simulating cohort", total=len(steps) + 1)
        try:
            cohort = run(cfg, progress=lambda step: progress.update(task, advance=1, description=f"Simulated {step}"))
        except CohortSizeError as exc:
            raise fail(str(exc)) from exc
        progress.update(task, description="Writing CSV files")
        try:
            written = cohort.write(out)
        except OSError as exc:
            raise fail(f"--out: cannot write to {out} ({exc.strerror})") from exc
        progress.update(task, advance=1, description="Done")
    realised = cohort.truth["realised"]
    table = Table(title=f"Cohort written to {out}", show_header=True)
    table.add_column("table")
    table.add_column("rows", justify="right")
    for name, rows in realised["rows"].items():
        table.add_row(name, f"{rows:,}")
    console.print(table)
    console.print(f"Early leaving by the last wave: {realised['dropout_rate']:.1%} · files: {len(written)}")


@app.command()
def load(
    directory: Annotated[Path, typer.Argument(help="A cohort directory as written by `safeschool simulate`.")],
) -> None:
    """Load a cohort directory into the database, all-or-nothing; loading the same cohort twice adds nothing."""
    setup_django()
    _migrate()
    from safeschool.ingest.cohort_files import CohortFileError
    from safeschool.web.research.services import LOAD_STEPS, cohort_load

    with _progress() as progress:
        task = progress.add_task(f"Loading {directory}", total=len(LOAD_STEPS))
        try:
            result = cohort_load(directory=directory,
                                 progress=lambda step: progress.update(task, advance=1, description=f"Loaded {step}"))
        except CohortFileError as exc:
            raise fail(f"{exc} — nothing was loaded") from exc
        progress.update(task, completed=len(LOAD_STEPS))
    if result.already_loaded:
        console.print(f"This cohort (fingerprint {result.fingerprint[:12]}) is already loaded: nothing added.")
        return
    table = Table(title="Loaded", show_header=True)
    for col in ("table", "added", "now in database"):
        table.add_column(col, justify="right" if col != "table" else "left")
    for name, added in result.added.items():
        table.add_row(name, f"{added:,}", f"{result.totals[name]:,}")
    console.print(table)


@app.command("import")
def import_(
    file: Annotated[Path | None, typer.Option("--file", help="The file: .csv, .xlsx, .sav or .dta.")] = None,
    mapping: Annotated[Path | None, typer.Option("--mapping", help="The mapping (YAML): target, id, wave, columns "
                                                 "(docs/import.md); the web step can save one.")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check every row and report; write nothing.")] = False,
    errors: Annotated[Path | None, typer.Option("--errors", help="Write the row-level error report here (CSV).")] = None,
    undo: Annotated[bool, typer.Option("--undo-last", help="Undo the most recent import instead.")] = False,
    history: Annotated[bool, typer.Option("--history", help="List past imports instead.")] = False,
) -> None:
    """Import a survey export or school records through a mapping: validated first, all-or-nothing, idempotent,
    ids pseudonymised; `--undo-last` reverts the last import."""
    setup_django()
    _migrate()
    from django.core.exceptions import ValidationError

    from safeschool.ingest.mapping import MappingError, read_mapping
    from safeschool.ingest.readers import FileProblem
    from safeschool.ingest.validation import write_report
    from safeschool.web.imports.models import ImportBatch
    from safeschool.web.imports.services import import_file, import_undo

    if history or undo:
        batches = list(ImportBatch.objects.all()[:30])
        if undo:
            latest = ImportBatch.objects.filter(status=ImportBatch.Status.APPLIED).order_by("-created_at", "-pk").first()
            if latest is None:
                raise fail("there is no import to undo")
            try:
                import_undo(batch=latest)
            except ValidationError as exc:
                raise fail(" ".join(exc.messages)) from exc
            console.print(f"Undid import #{latest.pk} ({latest.file_name}): the data are as they were before it.")
            return
        table = Table(title="Imports")
        for col in ("#", "file", "holds", "rows", "created", "updated", "status", "when"):
            table.add_column(col)
        for b in batches:
            table.add_row(str(b.pk), b.file_name, b.target, str(b.counts.get("rows", "")),
                          str(b.counts.get("created", "")), str(b.counts.get("updated", "")), b.status,
                          f"{b.created_at:%Y-%m-%d %H:%M}")
        console.print(table)
        return
    if file is None or mapping is None:
        raise fail("give --file and --mapping (or --history / --undo-last)")
    try:
        parsed = read_mapping(mapping)
        with _progress(transient=True) as progress:
            progress.add_task(f"Checking {file.name}", total=None)
            prepared, outcome = import_file(path=file, mapping=parsed, dry_run=dry_run)
    except (FileProblem, MappingError) as exc:
        raise fail(f"{exc} — nothing was imported") from exc
    for w in prepared.warnings:
        err.print(f"[yellow]Warning:[/] {w}", highlight=False, soft_wrap=True)
    if errors is not None:
        write_report(prepared.problems, errors)
    if not prepared.ok:
        for p in prepared.problems[:10]:
            err.print(f"{file.name}: {p}", highlight=False, soft_wrap=True)
        more = f" (first 10 shown{'; all in ' + str(errors) if errors else '; --errors FILE writes them all'})"
        raise fail(f"{len(prepared.problems)} problem(s){more if len(prepared.problems) > 10 else ''} — nothing was "
                   "imported")
    if outcome is None:
        console.print(f"Dry run: {len(prepared.rows):,} rows checked, no problems; nothing written.")
        return
    if outcome.already:
        console.print(f"Already imported as #{outcome.batch.pk} (same file and mapping): nothing changed.")
        return
    c = outcome.counts
    console.print(f"Imported #{outcome.batch.pk}: {c['rows']:,} rows — {c['created']:,} created, {c['updated']:,} "
                  f"updated, {c['unchanged']:,} unchanged. Undo with `safeschool import --undo-last`.")


@app.command()
def reliability(
    data: Annotated[Path, typer.Option("--data", help="CSV or Parquet, one row per respondent.")],
    items: Annotated[str, typer.Option("--items", help="Item columns, comma-separated (a,b,c), or an instrument "
                                       "scale from the registry as instrument:scale (pssm:belonging).")],
    reverse: Annotated[str, typer.Option("--reverse", help="Reverse-keyed items, comma-separated.")] = "",
    minimum: Annotated[float | None, typer.Option("--min", help="Lowest answer on the response scale.")] = None,
    maximum: Annotated[float | None, typer.Option("--max", help="Highest answer on the response scale.")] = None,
    by: Annotated[str | None, typer.Option("--by", help="Also per group of this column (e.g. country, "
                                           "language), flagging items that work worse in a group.")] = None,
    json_out: Annotated[Path | None, typer.Option("--json", help="Write the report as JSON.")] = None,
) -> None:
    """Cronbach's alpha (95 % CI), McDonald's omega total, item-rest correlations and alpha-if-deleted."""
    from safeschool.ingest.readers import TableReadError, read_table
    from safeschool.instruments.registry import registry
    from safeschool.stats.psychometrics import ReliabilityError
    from safeschool.stats.psychometrics import reliability as run

    try:
        frame = read_table(data)
        if ":" in items and "," not in items:
            code, scale_code = items.split(":", 1)
            instruments = registry()
            if code not in instruments:
                raise ReliabilityError(f"--items: no instrument '{code}' (registry: {', '.join(instruments)})")
            ins = instruments[code]
            scale = ins.scale(scale_code)
            names = list(scale.items)
            rev = [i for i in ins.reverse if i in names]
            minimum = ins.minimum if minimum is None else minimum
            maximum = ins.maximum if maximum is None else maximum
        else:
            names = [i.strip() for i in items.split(",") if i.strip()]
            rev = [i.strip() for i in reverse.split(",") if i.strip()]
        report = run(frame, names, reverse=rev, minimum=minimum, maximum=maximum, by=by)
    except (TableReadError, ReliabilityError, KeyError) as exc:
        raise fail(str(exc).strip('"')) from exc
    table = Table(title=f"{len(names)} items, n = {report['n']:,} complete respondents")
    for col in ("item", "item-rest r", "alpha if deleted"):
        table.add_column(col, justify="right" if col != "item" else "left")
    for i in report["items"]:
        table.add_row(i["item"], f"{i['item_rest_r']:.3f}", f"{i['alpha_if_deleted']:.3f}")
    console.print(table)
    low, high = report["alpha_ci"]
    console.print(f"Cronbach's alpha {report['alpha']:.3f} (95 % CI {low:.3f}-{high:.3f}); "
                  f"omega total {report['omega_total']:.3f}")
    for group, part in (report.get("groups") or {}).items():
        if "error" in part:
            console.print(f"  {by} {group}: {part['error']}")
            continue
        flags = "; ".join(f"{i['item']}: {i['flag']}" for i in part["items"] if i.get("flag"))
        console.print(f"  {by} {group}: alpha {part['alpha']:.3f}, omega {part['omega_total']:.3f}, n {part['n']:,}"
                      + (f" — flagged {flags}" if flags else ""))
    if json_out:
        _write_json(json_out, report)
        console.print(f"Wrote {json_out}")


class DelphiRule(StrEnum):
    comet = "comet"
    agreement = "agreement"
    iqr = "iqr"
    rand = "rand"


@app.command("delphi-stats")
def delphi_stats(
    ratings: Annotated[Path, typer.Option("--ratings", help="CSV (or Parquet) with panellist, group, statement, "
                                          "round, rating.")],
    rule: Annotated[DelphiRule, typer.Option("--rule", help="Consensus rule (docs/cocreation.md).")] = DelphiRule.comet,
    threshold: Annotated[float, typer.Option(help="agreement: share needed in the top (or bottom) band.")] = 0.75,
    max_iqr: Annotated[float, typer.Option("--max-iqr", help="iqr: largest IQR that counts as consensus.")] = 2.0,
    rand_method: Annotated[str, typer.Option("--rand-method", help="rand: ipras or panel.")] = "ipras",
    by_group: Annotated[bool, typer.Option("--by-group", help="The rule must hold within every group.")] = False,
    scale: Annotated[tuple[int, int], typer.Option("--scale", help="Lowest and highest rating.")] = (1, 9),
    json_out: Annotated[Path | None, typer.Option("--json", help="Write the report as JSON.")] = None,
) -> None:
    """Per statement and round: n, median, IQR, mean, share in each band, the verdict under each rule, stability
    between rounds (IQR change, Wilcoxon signed-rank), and response per round and group."""
    from safeschool.ingest.readers import TableReadError, read_table
    from safeschool.stats.delphi import DelphiError, Rule, Scale, report

    try:
        frame = read_table(ratings)
        result = report(frame, Rule(rule.value, threshold=threshold, max_iqr=max_iqr, rand_method=rand_method,
                                    by_group=by_group), Scale(*scale))
    except (TableReadError, DelphiError) as exc:
        raise fail(f"{ratings.name}: {exc}" if isinstance(exc, DelphiError) else str(exc)) from exc
    table = Table(title=f"{result['definition']} · rounds {', '.join(map(str, result['rounds']))} · "
                        f"{result['panellists']} panellists")
    for col in ("statement", "round", "n", "median", "IQR", "% 7-9", "verdict", "Wilcoxon p"):
        table.add_column(col, justify="left" if col in ("statement", "verdict") else "right")
    for s in result["statements"][:60]:
        p = s.get("wilcoxon_p")
        table.add_row(s["statement"], str(s["round"]), str(s["n"]), f"{s['median']:g}", f"{s['iqr']:g}",
                      f"{100 * s['high']:.0f}", s["verdict"], "" if p is None else f"{p:.3f}")
    console.print(table)
    f = result["final_round"]
    console.print(f"Final round: {f['in']} in, {f['out']} out, {f['uncertain']} uncertain, {f['no_consensus']} "
                  "without consensus" + (" (first 60 rows shown)" if len(result["statements"]) > 60 else ""))
    if json_out:
        _write_json(json_out, result)


class Family(StrEnum):
    gaussian = "gaussian"
    binomial = "binomial"


def _emit_warnings(caught) -> None:
    for w in caught:
        err.print(f"[yellow]Warning:[/] {w.message}", highlight=False, soft_wrap=True)


class Engine(StrEnum):
    mixedlm = "mixedlm"
    aggregates = "aggregates"


@app.command(context_settings={"allow_extra_args": True})
def fit(
    ctx: typer.Context,
    data: Annotated[Path | None, typer.Option("--data", help="CSV or Parquet file, one row per observation.")] = None,
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
    from safeschool.ingest.readers import TableReadError, read_table
    from safeschool.stats.mixed import MixedModel, ModelSpecError, render_text

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
                model = MixedModel(formula, family=family.value, reml=not ml).fit(read_table(data))
    except (TableReadError, ModelSpecError) as exc:
        raise fail(str(exc)) from exc
    _emit_warnings(w for w in caught if issubclass(w.category, UserWarning) and "safeschool" in w.category.__module__)
    console.print(render_text(model), highlight=False, soft_wrap=True)
    if json_out is not None:
        _write_json(json_out, model.to_dict())


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


@app.command()
def aggregate(
    data: Annotated[Path, typer.Option("--data", help="CSV, Parquet or SQLite file (or postgres:// URL) at this site.")],
    formula: Annotated[str, typer.Option("--formula", help='e.g. "achievement ~ ses_index + (1|school_id/class_id)".')],
    out: Annotated[Path, typer.Option("--out", help="Site file to write (.parquet; metadata goes to .json beside it).")],
    table: Annotated[str | None, typer.Option(help="Table or view, for SQLite or PostgreSQL sources.")] = None,
    min_cluster: Annotated[int, typer.Option(help="Smallest cluster (lowest group) allowed.")] = 5,
    allow_small: Annotated[bool, typer.Option("--allow-small", help="Keep clusters below --min-cluster.")] = False,
) -> None:
    """Compute a site's per-cluster statistics in one SQL pass and write them for pooled, exact fitting."""
    from safeschool.stats.mixed import ModelSpecError
    from safeschool.stats.sites import open_source, stats_from_source, write_site

    try:
        stats = stats_from_source(formula, open_source(data, table=table))
        parquet, meta = write_site(stats, formula, out, min_cluster=min_cluster, allow_small=allow_small)
    except ModelSpecError as exc:
        raise fail(str(exc)) from exc
    console.print(f"Wrote {parquet} and {meta}: {len(stats.n):,} clusters, {stats.n_obs:,} rows summarised.")
    console.print(json.loads(meta.read_text())["what_this_file_reveals"], highlight=False)


def _write_json(path: Path, payload: dict) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(payload, indent=2, default=_json_default))
    except OSError as exc:
        raise fail(f"--json: cannot write {path} ({exc.strerror})") from exc
    console.print(f"Wrote {path}")


def _json_default(value):
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"cannot serialise {type(value).__name__}")


analyze_app = typer.Typer(help="Multilevel analyses: ecological decomposition and intersectional MAIHDA.",
                          no_args_is_help=True)
app.add_typer(analyze_app, name="analyze")

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

    with _progress(transient=True) as progress:
        task = progress.add_task(label, total=None)
        try:
            output = run(lambda step: progress.update(task, description=f"{label}: fitted {step}"))
        except ModelSpecError as exc:
            raise fail(str(exc)) from exc
    for warning in output.result.get("warnings", []):
        err.print(f"[yellow]Warning:[/] {warning}", highlight=False, soft_wrap=True)
    if json_out is not None:
        _write_json(json_out, output.result)
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
    table = Table(title=f"MAIHDA of {outcome}: {r['n_obs']:,} students in {r['n_strata']} strata "
                        f"({r['n_strata_suppressed']} with n<10 not shown)")
    for col in ("model", "between-strata var.", "VPC", "PCV", "AUC"):
        table.add_column(col, justify="left" if col == "model" else "right")
    for m in r["models"]:
        table.add_row(m["model"], f"{m['between_variance']:.4g}", f"{m['vpc']:.3f}",
                      "" if m.get("pcv") is None else f"{m['pcv']:.3f}",
                      "" if m.get("auc") is None else f"{m['auc']:.3f}")
    console.print(table)


def _demo_data(home: Path) -> None:
    from safeschool.cohort import simulate as run
    from safeschool.web.research.models import Student
    from safeschool.web.research.services import LOAD_STEPS, cohort_load

    if Student.objects.exists():
        console.print(f"Reusing the existing database ({Student.objects.count():,} students).")
        return
    cohort_dir = home / "demo-cohort"
    with _progress() as progress:
        task = progress.add_task("Simulating the default cohort", total=1 + len(LOAD_STEPS))
        run().write(cohort_dir)
        progress.update(task, advance=1, description="Loading")
        cohort_load(directory=cohort_dir, progress=lambda step: progress.update(task, advance=1,
                                                                                  description=f"Loaded {step}"))


@app.command()
def demo(
    serve_after: Annotated[bool, typer.Option("--serve/--no-serve", help="Serve the platform when ready.")] = True,
    port: Annotated[int, typer.Option(help="Port to serve on.")] = 8000,
) -> None:
    """Build the database, simulate and load the default cohort (once), create one login per role, and serve."""
    setup_django()
    from django.conf import settings

    from safeschool.web.core.services import demo_analysis_ensure, demo_users_ensure

    console.print("Preparing the database…")
    _migrate()
    _demo_data(Path(settings.HOME))
    accounts = demo_users_ensure()
    demo_analysis_ensure()
    from safeschool.web.hub.library_services import demo_library_ensure
    from safeschool.web.network.services import demo_members_ensure

    made = demo_members_ensure()
    if made:
        console.print(f"Seeded {made} network members (types, levels, countries, some under 16).")
    if demo_library_ensure():
        console.print("Seeded the Hub databases: programmes, policies, documents, wiki pages and practices.")
    from safeschool.web.cocreation.demo import demo_cocreation_ensure

    if demo_cocreation_ensure():
        console.print("Seeded co-creation: a Delphi study in round 2, interviews and action research cycles.")
    table = Table(title="Demo logins (one per role)")
    for col in ("username", "password", "role", "sees"):
        table.add_column(col)
    for a in accounts:
        table.add_row(a["username"], a["password"], a["role"], a["what"])
    console.print(table)
    if serve_after:
        _serve("127.0.0.1", port)


@app.command()
def serve(
    port: Annotated[int, typer.Option(help="Port to serve on.")] = 8000,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    with_worker: Annotated[bool, typer.Option("--worker/--no-worker",
                                              help="Run the background worker beside the server.")] = True,
) -> None:
    """Serve the platform (the database must exist: run `safeschool demo --no-serve` or `safeschool load` first)."""
    setup_django()
    _migrate()
    _serve(host, port, with_worker)


def _serve(host: str, port: int, with_worker: bool = True) -> None:
    """Serve the web app; a background worker runs beside it for analyses (stopped with the server)."""
    import subprocess

    from django.core.management import call_command

    worker = None
    if with_worker:
        worker = subprocess.Popen([sys.executable, "-m", "safeschool.cli", "worker", "--quiet"], env=os.environ.copy())
    console.print(f"Serving safeschool on [bold]http://{host}:{port}[/] — press Ctrl+C to stop.")
    try:
        call_command("runserver", f"{host}:{port}", use_reloader=False, insecure_serving=True, skip_checks=True)
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=10)


@app.command()
def worker(
    batch: Annotated[bool, typer.Option("--batch", help="Process the queued tasks, then exit.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", help="Log only errors.")] = False,
) -> None:
    """Run the background worker that executes queued analyses, imports and network e-mails, and queues the
    daily and weekly digests when they are due (`serve` and `demo` start one for you)."""
    setup_django()
    _migrate()
    from django.core.management import call_command

    if not batch:
        _start_scheduler()
    call_command("db_worker", batch=batch, reload=False, startup_delay=not batch, verbosity=0 if quiet else 1)


def _start_scheduler(every: float = 600.0) -> None:
    """Queue the digests every `every` seconds; each sends only when its period has passed since the last one."""
    from safeschool.web.hub.tasks import digest_scheduler_start

    digest_scheduler_start(every=every, on_error=lambda exc: err.print(f"[yellow]Digest scheduler:[/] {exc}"))


@app.command()
def digest(
    frequency: Annotated[str, typer.Argument(help="daily or weekly")],
    force: Annotated[bool, typer.Option("--force", help="Send even if the period has not passed.")] = False,
) -> None:
    """Send the daily or weekly network digest now (the worker's scheduler does this by itself)."""
    setup_django()
    _migrate()
    from safeschool.web.hub.notifications import send_digests

    if frequency not in ("daily", "weekly"):
        raise fail(f"frequency must be daily or weekly, not '{frequency}'")
    sent = send_digests(frequency=frequency, force=force)
    console.print(f"Sent {sent} {frequency} digest e-mail(s).")


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def manage(ctx: typer.Context) -> None:
    """Run a Django management command, e.g. `safeschool manage createsuperuser`."""
    setup_django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["safeschool manage", *ctx.args])


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
