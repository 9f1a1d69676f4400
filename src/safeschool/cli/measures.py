"""`instruments`, `reliability` and `delphi-stats`: the registry's instruments and their wording per language,
measurement quality of a scale, and consensus in a Delphi study."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from safeschool.cli._shell import console, fail, write_json

commands = typer.Typer()


@commands.command()
def instruments(
    wording: Annotated[str | None, typer.Option("--wording", help="Also print every item's wording in this "
                                                "language (e.g. es), with its translation status.")] = None,
) -> None:
    """The registry's instruments and, per language, how many items are worded and at which translation status
    (forward, back_translated, reviewed: TRAPD)."""
    from safeschool.instruments.registry import LANGUAGES, TRANSLATION_STATUSES, InstrumentError, registry

    if wording is not None and wording not in LANGUAGES:
        raise fail(f"--wording: unknown language '{wording}' (one of {', '.join(LANGUAGES)})")
    try:
        found = registry()
    except InstrumentError as exc:
        raise fail(str(exc)) from exc
    from rich.table import Table

    table = Table(title="Instruments and their wording per language")
    for col in ("instrument", "items", "language", "source", *TRANSLATION_STATUSES, "missing"):
        table.add_column(col, justify="left" if col in ("instrument", "language") else "right")
    unworded = []
    for code in sorted(found):
        ins = found[code]
        coverage = ins.coverage()
        if not coverage:
            unworded.append(code)
        for language, counts in coverage.items():
            table.add_row(code, str(len(ins.items)), language,
                          *[str(counts.get(s, 0)) for s in ("source", *TRANSLATION_STATUSES)], str(counts["missing"]))
    console.print(table)
    if unworded:
        console.print(f"No published wording: {', '.join(unworded)} (licensed texts are attached per language in "
                      "the admin; docs/instruments.md).")
    if wording:
        for code in sorted(found):
            ins = found[code]
            texts = [(item, ins.text(item, wording)) for item in ins.items]
            if any(t for _, t in texts):
                console.print(f"\n[bold]{ins.name}[/bold] ({code}), {wording}:")
                for item, text in texts:
                    console.print(f"  {item:<14} {text.status if text else 'missing':<15} {text.text if text else ''}")


@commands.command()
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
    from safeschool.instruments.registry import InstrumentError, scale_items
    from safeschool.stats.psychometrics import ReliabilityError
    from safeschool.stats.psychometrics import reliability as run

    try:
        frame = read_table(data)
        if ":" in items and "," not in items:  # instrument:scale
            names, rev, low, high = scale_items(items)
            minimum = low if minimum is None else minimum
            maximum = high if maximum is None else maximum
        else:
            names = [i.strip() for i in items.split(",") if i.strip()]
            rev = [i.strip() for i in reverse.split(",") if i.strip()]
        report = run(frame, names, reverse=rev, minimum=minimum, maximum=maximum, by=by)
    except InstrumentError as exc:
        raise fail(f"--items: {exc}") from exc
    except (TableReadError, ReliabilityError) as exc:
        raise fail(str(exc)) from exc
    from rich.table import Table

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
        write_json(json_out, report)


class DelphiRule(StrEnum):
    comet = "comet"
    agreement = "agreement"
    iqr = "iqr"
    rand = "rand"


@commands.command("delphi-stats")
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
    from rich.table import Table

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
        write_json(json_out, result)
