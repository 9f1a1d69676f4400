"""A small hand-made report with every kind of block, for the renderer tests (and any report test that needs
one): a paragraph, facts, links, a notice, a bar chart with whiskers and series, a line chart with rules and flagged
points, a dot chart with intervals, a plain table, a row whose figures are hidden (its value left out, as the
builders leave it) and strings in Greek and Polish."""

from __future__ import annotations

import datetime as dt

from safeschool.publishing.document import (
    Chart,
    Column,
    Facts,
    Figure,
    Links,
    Notice,
    Paragraph,
    Provenance,
    Report,
    Rule,
    Section,
    Table,
)

# a figure a hidden row carries by mistake (builders leave it out): the renderers must show it nowhere
HIDDEN_VALUE = 0.4321
GREEK = "Σχολείο Αθηνών"
POLISH = "Szkoła Łódź — źdźbło"


def bars_figure() -> Figure:
    rows = [
        {"group": "Girls", "wave": "Wave 1", "share": 0.097, "low": 0.081, "high": 0.113},
        {"group": "Girls", "wave": "Wave 2", "share": 0.121, "low": 0.100, "high": 0.140},
        {"group": GREEK, "wave": "Wave 1", "share": 0.25, "low": 0.2, "high": 0.3},
        {"group": POLISH + " with a rather long name that must wrap onto more than one line in print",
         "wave": "Wave 2", "share": 0.183, "low": 0.15, "high": 0.21},
        {"group": "Roma minority", "wave": "Wave 1", "share": HIDDEN_VALUE, "low": None, "high": None,
         "suppressed": True,
         "reason": "small"},
    ]
    chart = Chart(kind="bars", rows=rows, value="share", category="group", series="wave", low="low", high="high",
                  format="percent:1", value_title="Left early", rules=[Rule(0.09, "2030 target: below 9 %")],
                  domain=(0, 0.4))
    table = Table("Early leaving by group", [Column("group", "Group"), Column("wave", "Wave"),
                                             Column("share", "Left early", "percent:1")], rows,
                  note="Groups of fewer than 10 students are not shown.")
    return Figure("groups", "Early leaving by group", "Highest among the Athens school.", chart, table,
                  note="Source: the network's cohort.")


def lines_figure() -> Figure:
    rows = [{"year": y, "sex": s, "value": v, "flags": f} for y, s, v, f in [
        (2019, "Total", 0.131, ""), (2020, "Total", 0.125, "b"), (2021, "Total", 0.118, ""),
        (2022, "Total", 0.11, "p"), (2019, "Girls", 0.101, ""), (2020, "Girls", 0.097, ""),
        (2021, "Girls", 0.094, ""), (2022, "Girls", 0.09, "p")]]
    chart = Chart(kind="lines", rows=rows, value="value", category="year", series="sex", format="percent:1",
                  value_title="Early leavers", category_title="Year", flag="flags",
                  rules=[Rule(0.09, "2030 target: below 9 %"), Rule(0.10, "2020 target: below 10 %")])
    table = Table("Early leavers by year", [Column("year", "Year"), Column("sex", "Sex"),
                                            Column("value", "Early leavers", "percent:1"),
                                            Column("flags", "Flags")], rows)
    return Figure("esl-series", "Early leavers from education and training", "Falling since 2019.", chart, table)


def dots_figure() -> Figure:
    rows = [{"stratum": f"Stratum {i}", "mean": 480 + 7 * i, "low": 470 + 7 * i, "high": 492 + 7 * i}
            for i in range(1, 5)]
    rows.append({"stratum": "Stratum 5", "mean": None, "low": None, "high": None, "suppressed": True,
                 "reason": "protects"})
    chart = Chart(kind="dots", rows=rows, value="mean", category="stratum", low="low", high="high",
                  format="number:0", value_title="Achievement (points)")
    table = Table("Achievement by stratum", [Column("stratum", "Stratum"), Column("mean", "Mean", "number:0"),
                                             Column("low", "Low", "number:0"), Column("high", "High", "number:0")],
                  rows)
    return Figure("strata", "Achievement by stratum", "Strata differ little.", chart, table)


def make_report(language: str = "es", *, long_table: int = 0) -> Report:
    students = Table("Students by school", [Column("school", "School"), Column("students", "Students", "count"),
                                            Column("share", "Left early", "percent:1")],
                     [{"school": GREEK, "students": 1234, "share": 0.097},
                      {"school": POLISH, "students": 8, "share": HIDDEN_VALUE, "suppressed": True,
                       "reason": "small"},
                      {"school": "Escola de Lisboa", "students": 56, "share": None, "hidden": ["share"],
                       "reason": "protects"}])
    sections = [
        Section("Summary", [Paragraph("A short summary of what the figures show. " * 4),
                            Facts([("Tracking age", "14"), ("Country", POLISH)]),
                            Notice("These figures are simulated."),
                            Links([("Country profile", "/research/countries/IT/"),
                                   ("Eurostat", "https://ec.europa.eu/eurostat")])], anchor="summary"),
        Section("Early leaving", [bars_figure(), lines_figure()], anchor="esl"),
        Section("Strata", [dots_figure(), students], anchor="strata"),
    ]
    if long_table:
        rows = [{"n": i, "name": f"Row {i} {GREEK}", "value": i / 1000} for i in range(long_table)]
        sections.append(Section("Long", [Table("A long table", [Column("n", "Number", "count"),
                                                                Column("name", "Name"),
                                                                Column("value", "Value", "percent:1")], rows)]))
    return Report(kind="school", title="Perfil " + GREEK, language=language,
                  generated_at=dt.datetime(2026, 11, 29, 8, 0, tzinfo=dt.UTC), data_version="c3f2a9c1-i4-r2",
                  sections=sections, subtitle=POLISH, authors="safeschool",
                  provenance=[Provenance("Cohort", "data fingerprint c3f2a9c1", "/research/"),
                              Provenance("Eurostat", "edat_lfse_14, release 2026-04-23")],
                  slug="school-test-es", notices=[Notice("Simulated data: not real students.")])

