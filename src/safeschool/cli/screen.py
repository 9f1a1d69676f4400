"""`screen`: the early-warning model evaluated on a later cohort, audited for fairness, trained into a model file with
its card, used to score students; and the security screen against norms. The work is done by
`safeschool.screening` (no Django); these commands parse options, call it and print what it found."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from safeschool.cli._shell import console, err, fail, progress, write_json

screen_app = typer.Typer(
    help="Early warning and the security screen: evaluate against baselines, audit fairness, train, score.",
    no_args_is_help=True)

DataOpt = Annotated[Path, typer.Option(
    "--data", help="A cohort directory as written by `safeschool simulate` (students.csv with a cohort column, "
                   "classes.csv, schools.csv, outcomes.csv, scales.csv).")]
OutcomeOpt = Annotated[str, typer.Option(
    "--outcome", help="What to predict: dropped_out (left education by the last wave), persistent_absence "
                      "(attended under 90 % in a later wave) or excluded (suspended or excluded in a later wave).")]
TestCohortOpt = Annotated[int | None, typer.Option(
    "--test-cohort", help="Entry year of the held-out cohort (default: the latest in the data); the models learn "
                          "only from earlier cohorts.")]
CapacityOpt = Annotated[float, typer.Option(
    "--capacity", help="Share of each school's students its support staff can follow up (0-1]: each school's "
                       "top ceil(capacity x students) are selected, and k is their total.")]
MIN_BOOTSTRAP = 50
BootstrapOpt = Annotated[int, typer.Option(
    "--bootstrap", help=f"Bootstrap replicates (at least {MIN_BOOTSTRAP}) for the 95 % intervals of the AUC and of "
                        "its difference to the school-only baseline, on which the verdict rests.")]
SeedOpt = Annotated[int, typer.Option(
    "--seed", help="Random seed of the bootstrap, of tie-breaks in the top-k and of gradient boosting's validation "
                   "split; the same seed gives the same figures.")]


def _table(data: Path):
    """The screening table of a cohort directory; a one-line error naming the file and column otherwise."""
    from safeschool.screening.data import ScreeningDataError, read_cohort, screening_table

    if not data.exists():
        raise fail(f"--data: {data} does not exist")
    try:
        return screening_table(read_cohort(data))
    except ScreeningDataError as exc:
        raise fail(str(exc)) from exc


def _check_outcome(outcome: str) -> None:
    from safeschool.screening.data import OUTCOMES

    if outcome not in OUTCOMES:
        raise fail(f"--outcome: unknown outcome '{outcome}' (choose {', '.join(OUTCOMES)})")


def _check_capacity(capacity: float) -> None:
    if not 0 < capacity <= 1:
        raise fail(f"--capacity: {capacity:g} is not a share above 0 and at most 1 (e.g. 0.1 = a tenth of each "
                   "school's students)")


def _algorithms(text: str, option: str) -> tuple[str, ...]:
    from safeschool.screening.models import CANDIDATES

    names = tuple(dict.fromkeys(n.strip() for n in text.split(",") if n.strip()))
    unknown = [n for n in names if n not in CANDIDATES]
    if unknown or not names:
        raise fail(f"{option}: unknown model '{unknown[0] if unknown else text}' (choose {', '.join(CANDIDATES)})")
    return names


def _split(table, outcome: str, test_cohort: int | None):
    from safeschool.screening.data import ScreeningDataError, temporal_split

    if test_cohort is None:
        cohorts = table["cohort"].dropna()
        if cohorts.empty:
            raise fail("students.csv: no cohort column (simulate with --cohorts, or add each student's entry year)")
        test_cohort = int(cohorts.max())
    try:
        train, test = temporal_split(table, test_cohort)
    except ScreeningDataError as exc:
        raise fail(str(exc)) from exc
    for part, rows in (("training", train), ("test", test)):
        if rows[outcome].notna().sum() == 0 or rows[outcome].nunique(dropna=True) < 2:
            raise fail(f"--outcome: {outcome} does not vary in the {part} cohorts, so it cannot be predicted")
    return train, test, test_cohort


def _assess(data, outcome, test_cohort, capacity, models, bootstrap, seed):
    """Read, split, evaluate against the baselines, audit and gate: (assessment, the audited model fitted)."""
    from safeschool.screening.pipeline import assess

    _check_outcome(outcome)
    _check_capacity(capacity)
    if bootstrap < MIN_BOOTSTRAP:
        raise fail(f"--bootstrap: {bootstrap} replicates are too few for a 95 % interval (at least {MIN_BOOTSTRAP})")
    with progress(transient=True) as bar:
        task = bar.add_task(f"Reading {data}", total=None)
        table = _table(data)
        train, test, test_cohort = _split(table, outcome, test_cohort)
        try:
            result, model = assess(train, test, outcome=outcome, models=models, capacity=capacity, n_boot=bootstrap,
                                   seed=seed, step=lambda label: bar.update(task, description=label))
        except ValueError as exc:
            raise fail(str(exc)) from exc
    return result, model


def _print_assessment(result: dict) -> None:
    from rich.table import Table

    table = Table(title=f"{result['outcome']}: trained on {', '.join(map(str, result['train_cohorts']))} "
                        f"({result['n_train']:,} students), tested on {result['test_cohort']} "
                        f"({result['n_test']:,}, of whom {result['base_rate']:.1%} had it); k = {result['k']:,} "
                        f"(capacity {result['capacity']:.0%} per school)")
    for col in ("model", "AUC", "95 % CI", "Brier", "precision@k", "recall@k"):
        table.add_column(col, justify="left" if col == "model" else "right", no_wrap=True)

    def num(value, fmt=".3f"):
        return "—" if value is None else format(value, fmt)

    for m in result["models"]:
        ci = m.get("auc_ci") or [None, None]
        table.add_row(m["name"], num(m["auc"]),
                      "—" if ci[0] is None else f"{ci[0]:.3f}–{ci[1]:.3f}", num(m["brier"], ".4f"),
                      num(m["precision_at_k"]), num(m["recall_at_k"]))
    console.print(table)
    console.print(result["verdict"]["sentence"], highlight=False)
    audited = next(m for m in result["models"] if m["name"] == result["audited_model"])
    console.print(f"Observed {result['outcome']} per tier ({audited['name']}): " + ", ".join(
        f"{t['tier']} {'—' if t['observed_rate'] is None else format(t['observed_rate'], '.1%')} (n {t['n']:,})"
        for t in audited["tiers"]), highlight=False)
    if result["passed_gate"]:
        console.print(f"Fairness gate: [green]passed[/] ({result['audited_model']}).", highlight=False)
    else:
        console.print(f"Fairness gate: [bold red]failed[/] ({result['audited_model']}):", highlight=False)
        for reason in result["gate"]["reasons"]:
            console.print(f"  - {reason}", highlight=False, soft_wrap=True)


@screen_app.command("evaluate")
def screen_evaluate(
    data: DataOpt,
    outcome: OutcomeOpt = "dropped_out",
    test_cohort: TestCohortOpt = None,
    capacity: CapacityOpt = 0.1,
    models: Annotated[str, typer.Option(
        "--models", help="Candidate models, comma-separated: logistic (regularised logistic regression), "
                         "boosting (gradient boosting).")] = "logistic",
    bootstrap: BootstrapOpt = 200,
    seed: SeedOpt = 0,
    json_out: Annotated[Path | None, typer.Option(
        "--json", help="Write the evaluation, the fairness audit and the gate as JSON to this file.")] = None,
) -> None:
    """Train on earlier cohorts, test on a later one: AUC, Brier, precision and recall at k, tiers, beside the ABC
    rule, a school-only model and chance; then the fairness audit and gate of the best model."""
    names = _algorithms(models, "--models")
    result, _ = _assess(data, outcome, test_cohort, capacity, names, bootstrap, seed)
    _print_assessment(result)
    if json_out is not None:
        write_json(json_out, result)


@screen_app.command("train")
def screen_train(
    data: DataOpt,
    out: Annotated[Path, typer.Option("--out", help="The model file to write (a zip: model.json and the "
                                                     "estimator in skops format; no pickle).")],
    outcome: OutcomeOpt = "dropped_out",
    algorithm: Annotated[str, typer.Option(
        "--algorithm", help="logistic (regularised logistic regression) or boosting (gradient boosting).")] = "logistic",
    test_cohort: TestCohortOpt = None,
    capacity: CapacityOpt = 0.1,
    bootstrap: BootstrapOpt = 200,
    seed: SeedOpt = 0,
    name: Annotated[str | None, typer.Option(
        "--name", help="The model's name on its card (default: the outcome and algorithm).")] = None,
    model_version: Annotated[int, typer.Option("--model-version", help="The model's version number (1, 2, …).")] = 1,
    expires_in_days: Annotated[int, typer.Option(
        "--expires-in-days", help="Days (at least 1) until the model expires and must be retrained on newer cohorts.")] = 365,
    card: Annotated[Path | None, typer.Option("--card", help="Also write the model card as Markdown here.")] = None,
    card_html: Annotated[Path | None, typer.Option("--card-html", help="Also write the model card as HTML here.")]
    = None,
) -> None:
    """Train one model on the cohorts before the test cohort, evaluate and audit it there, and write the model file
    (with its evaluation, audit, gate, version and expiry) and its card."""
    algorithms = _algorithms(algorithm, "--algorithm")
    if len(algorithms) != 1:
        raise fail("--algorithm: give one algorithm (logistic or boosting)")
    for option, value in (("--model-version", model_version), ("--expires-in-days", expires_in_days)):
        if value < 1:
            raise fail(f"{option}: {value} is not a whole number of at least 1")
    from safeschool.screening import modelfile
    from safeschool.screening.pipeline import model_meta

    result, model = _assess(data, outcome, test_cohort, capacity, algorithms, bootstrap, seed)
    meta = model_meta(model, result, name=name or f"{outcome} ({algorithms[0]})", version=model_version,
                      expires_on=dt.date.today() + dt.timedelta(days=expires_in_days))
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        modelfile.save(model, out, meta=meta)
    except OSError as exc:
        raise fail(f"--out: cannot write {out} ({exc.strerror})") from exc
    _print_assessment(result)
    console.print(f"Wrote {out} (version {model_version}, expires on {meta['expires_on']})")
    for path, fmt, option in ((card, "md", "--card"), (card_html, "html", "--card-html")):
        if path is not None:
            _write_card(meta, path, fmt, option)


def _load_model(path: Path):
    from safeschool.screening.modelfile import ModelFileError, load

    if not path.exists():
        raise fail(f"--model: file {path} does not exist")
    try:
        return load(path)
    except ModelFileError as exc:
        raise fail(f"--model: {path.name}: {exc}") from exc


def _write_card(meta: dict, path: Path, fmt: str, option: str) -> None:
    from safeschool.screening.card import card_html, card_markdown

    text = card_markdown(meta) if fmt == "md" else card_html(meta)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise fail(f"{option}: cannot write {path} ({exc.strerror})") from exc
    console.print(f"Wrote {path}")


@screen_app.command("score")
def screen_score(
    data: DataOpt,
    model_path: Annotated[Path, typer.Option("--model", help="A model file written by `safeschool screen train`.")],
    out: Annotated[Path, typer.Option(
        "--out", help="CSV to write, one row per student: student_id, school_id, score (probability 0-1), tier "
                      "(low, moderate, high) and top_domains (what raises the score, e.g. 'attendance; behaviour').")],
) -> None:
    """Score every student in the data with a trained model: probability, tier and the domains behind it."""
    model = _load_model(model_path)
    meta = getattr(model, "meta", {}) or {}
    expires_on = meta.get("expires_on")
    if expires_on and dt.date.fromisoformat(str(expires_on)[:10]) < dt.date.today():
        raise fail(f"--model: {model_path} expired on {expires_on}; retrain it on the newer cohorts")
    with progress(transient=True) as bar:
        task = bar.add_task(f"Reading {data}", total=3)
        table = _table(data)
        bar.update(task, advance=1, description=f"Scoring {len(table):,} students")
        try:
            scores = model.predict_proba(table)
            bar.update(task, advance=1, description="Finding the domains behind each score")
            domains = model.domains(table)
        except (KeyError, ValueError) as exc:
            raise fail(f"--data: the model cannot score these data ({exc})") from exc
        bar.update(task, advance=1)
    import pandas as pd

    from safeschool.csvsafe import frame_to_csv

    frame = pd.DataFrame({"student_id": table["student_id"], "school_id": table["school_id"], "score": scores,
                          "tier": model.tiers(scores), "top_domains": ["; ".join(d) for d in domains]})
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        frame_to_csv(frame, out, index=False)
    except OSError as exc:
        raise fail(f"--out: cannot write {out} ({exc.strerror})") from exc
    if meta.get("gate") and not meta["gate"].get("passed"):
        err.print("[yellow]Warning:[/] this model failed its fairness gate; its scores are for research, not for "
                  "schools.", highlight=False, soft_wrap=True)
    counts = frame["tier"].value_counts()
    console.print(f"Wrote {out}: {len(frame):,} students; " + ", ".join(
        f"{tier} {counts.get(tier, 0):,}" for tier in ("high", "moderate", "low")), highlight=False)


@screen_app.command("card")
def screen_card(
    model_path: Annotated[Path, typer.Option("--model", help="A model file written by `safeschool screen train`.")],
    out: Annotated[Path, typer.Option("--out", help="Where to write the card: a .md (Markdown) or .html file.")],
) -> None:
    """Write a model's card (data, cohorts, features, metrics against the baselines, audit, intended use, expiry)."""
    suffix = out.suffix.lower()
    if suffix not in (".md", ".markdown", ".html", ".htm"):
        raise fail(f"--out: {out.name} is neither .md nor .html")
    model = _load_model(model_path)
    _write_card(model.meta, out, "md" if suffix in (".md", ".markdown") else "html", "--out")


@screen_app.command("security")
def screen_security(
    data: DataOpt,
    out: Annotated[Path, typer.Option(
        "--out", help="CSV of the flags: student_id, school_id, class_id, scale, score, norm_group, z, percentile, "
                      "cutoff, sem, below_cutoff, flagged.")],
    cutoff_percentile: Annotated[float, typer.Option(
        "--cutoff-percentile", help="The cut-off: this percentile of the student's norm group (stage x country); "
                                    "for conflict, where high is worse, the mirrored one.")] = 15,
    confidence: Annotated[float, typer.Option(
        "--confidence", help="How sure a flag must be that the score is below the cut-off, given its standard "
                             "error of measurement (one-sided).")] = 0.95,
    reliability: Annotated[str | None, typer.Option(
        "--reliability", help="Reliability per scale, e.g. security=0.81,conflict=0.80 (default: Cronbach's alpha "
                              "from student_items.csv in --data, at each student's first wave).")] = None,
    every_row: Annotated[bool, typer.Option(
        "--all", help="Write every student and scale, not only the flagged ones.")] = False,
) -> None:
    """The socio-emotional security screen: each scale against norms per stage and country, flagged only when the
    score is reliably below the cut-off (by more than its standard error of measurement explains)."""
    from safeschool.csvsafe import frame_to_csv
    from safeschool.screening.norms import SCREEN_SCALES, NormsError, norms, security_screen

    if not 0 < cutoff_percentile < 50:
        raise fail(f"--cutoff-percentile: {cutoff_percentile:g} is not between 0 and 50")
    if not 0.5 <= confidence < 1:
        raise fail(f"--confidence: {confidence:g} is not between 0.5 and 1")
    given = _reliabilities(reliability, SCREEN_SCALES)
    with progress(transient=True) as bar:
        task = bar.add_task(f"Reading {data}", total=None)
        table = _table(data)
        bar.update(task, description="Reliability of each scale")
        alphas = {**_item_reliabilities(data, set(SCREEN_SCALES) - set(given)), **given}
        lacking = [s for s in SCREEN_SCALES if s not in alphas]
        if lacking:
            raise fail(f"--reliability: none for {', '.join(lacking)} (student_items.csv in --data lacks their "
                       f"items); give e.g. --reliability {lacking[0]}=0.80")
        bar.update(task, description="Norms per stage and country")
        try:
            norm_table = norms(table)
            bar.update(task, description="Screening")
            flags = security_screen(table, norm_table, alphas, cutoff_percentile=cutoff_percentile,
                                    confidence=confidence)
        except NormsError as exc:
            raise fail(str(exc)) from exc
    written = flags if every_row else flags[flags["flagged"]]
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        frame_to_csv(written, out, index=False)
    except OSError as exc:
        raise fail(f"--out: cannot write {out} ({exc.strerror})") from exc
    from rich.table import Table

    summary = Table(title=f"Security screen: {table['student_id'].nunique():,} students, cut-off at the "
                          f"{cutoff_percentile:g}th percentile of their stage and country, {confidence:.0%} sure")
    for col in ("scale", "reliability", "screened", "below cut-off", "flagged"):
        summary.add_column(col, justify="left" if col == "scale" else "right")
    for scale in SCREEN_SCALES:
        rows = flags[flags["scale"] == scale]
        n = len(rows)
        below, k = int(rows["below_cutoff"].sum()), int(rows["flagged"].sum())
        summary.add_row(scale, f"{alphas[scale]:.2f}", f"{n:,}", _share(below, n), _share(k, n))
    console.print(summary)
    console.print(f"Wrote {out} ({len(written):,} rows)")


def _share(k: int, n: int) -> str:
    return f"{k:,} ({k / n:.1%})" if n else "—"


def _reliabilities(text: str | None, scales) -> dict[str, float]:
    """`--reliability security=0.81,conflict=0.8` as {scale: value}."""
    out = {}
    for part in (text or "").split(","):
        if not part.strip():
            continue
        scale, _, value = part.partition("=")
        scale = scale.strip()
        if scale not in scales:
            raise fail(f"--reliability: unknown scale '{scale}' (choose {', '.join(scales)})")
        try:
            out[scale] = float(value)
        except ValueError:
            raise fail(f"--reliability: '{part.strip()}' is not scale=number") from None
        if not 0 <= out[scale] < 1:
            raise fail(f"--reliability: {scale}={out[scale]:g} is not between 0 and 1")
    return out


def _item_reliabilities(data: Path, wanted: set[str]) -> dict[str, float]:
    """Cronbach's alpha of each screen scale from the item answers at each student's first wave, when the cohort
    directory has them (student_items.csv)."""
    import pandas as pd

    from safeschool.screening.norms import NormsError, screen_reliabilities

    path = data / "student_items.csv"
    if not wanted or not path.exists():
        return {}
    try:
        items = pd.read_csv(path, low_memory=False)
        if "wave" in items:
            items = items[items["wave"] == items.groupby("student_id")["wave"].transform("min")]
        return {s: a for s, a in screen_reliabilities(items).items() if s in wanted}
    except (pd.errors.ParserError, UnicodeDecodeError, KeyError, NormsError) as exc:
        raise fail(f"student_items.csv: cannot compute reliabilities ({exc})") from exc
