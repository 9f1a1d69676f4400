"""The final Delphi report and a round's feedback as CSV and PDF, in the requester's language; the HTML versions
are templates. Figures go through the formatting layer: counts as integers, missing as "—" (an empty cell in a
CSV), codes (stakeholder groups, levels, verdicts) as their labels. The PDF embeds a Unicode font (core/pdf.py)."""

from __future__ import annotations

import io

from django.utils.formats import date_format
from django.utils.translation import gettext, pgettext

from safeschool import csvsafe
from safeschool.web.core import formatting as f
from safeschool.web.core.pdf import Document


def _headers() -> dict[str, str]:
    """Column headings of the CSV files, in the active language (the key is the field the row holds)."""
    return {
        "statement": gettext("Statement"), "level": gettext("Level"), "text": gettext("Text"),
        "round": gettext("Round"), "n": gettext("Ratings"), "median": gettext("Median"),
        "q1": gettext("First quartile"), "q3": gettext("Third quartile"),
        "iqr": pgettext("interquartile range, a column heading", "IQR"), "mean": gettext("Mean"),
        "low": gettext("Share rating 1–3"), "middle": gettext("Share rating 4–6"), "high": gettext("Share rating 7–9"),
        "verdict": gettext("Verdict"), "verdict_comet": gettext("Verdict by COMET"),
        "verdict_agreement": gettext("Verdict by percent agreement"), "verdict_iqr": gettext("Verdict by median and IQR"),
        "verdict_rand": gettext("Verdict by RAND/UCLA"), "iqr_change": gettext("Change in IQR"),
        "n_paired": gettext("Panellists who rated both rounds"), "changed": gettext("Panellists who changed their rating"),
        "wilcoxon_p": gettext("Wilcoxon p"),
    }


CSV_COLUMNS = ["statement", "level", "text", "round", "n", "median", "q1", "q3", "iqr", "mean", "low", "middle",
               "high", "verdict", "verdict_comet", "verdict_agreement", "verdict_iqr", "verdict_rand"]
ROUND_COLUMNS = ["statement", "round", "n", "median", "q1", "q3", "iqr", "mean", "low", "middle", "high", "verdict",
                 "verdict_comet", "verdict_agreement", "verdict_iqr", "verdict_rand", "iqr_change", "n_paired",
                 "changed", "wilcoxon_p"]
COUNTS = {"round", "n", "n_paired", "changed"}


def csv_value(column: str, value):
    """A CSV cell: machine-readable numbers (a point for decimals, counts as integers), an empty cell for a
    missing value — never "nan" — and labels for codes."""
    if f.is_missing(value):
        return ""
    if column == "level":
        return f.label("level", value)
    if column.startswith("verdict"):
        return f.label("verdict", value)
    if column in COUNTS:
        return int(round(float(value)))
    if isinstance(value, float):
        return round(value, 4) + 0.0  # + 0.0: never "-0.0"
    return value


def _csv(rows: list[dict], columns: list[str]) -> str:
    heads = _headers()
    buffer = io.StringIO()
    writer = csvsafe.writer(buffer)
    writer.writerow([heads[c] for c in columns])
    for row in rows:
        writer.writerow([csv_value(c, row.get(c)) for c in columns])
    return buffer.getvalue()


def report_csv(report: dict) -> str:
    return _csv(report["final"], CSV_COLUMNS)


def round_csv(rows: list[dict]) -> str:
    return _csv(rows, ROUND_COLUMNS)


def _date(value) -> str:
    return date_format(value, "SHORT_DATE_FORMAT") if value else f.MISSING


def report_pdf(report: dict) -> bytes:
    study = report["study"]
    pdf = Document(footer=gettext("Delphi study: %(title)s") % {"title": study.title})
    pdf.title_block(gettext("Delphi study: %(title)s") % {"title": study.title},
                    gettext("Final report (the ACCORD items the platform can fill). Scale %(min)s–%(max)s. "
                            "Rounds: %(rounds)s.") % {"min": study.scale_min, "max": study.scale_max,
                                                      "rounds": f.count(len(report["rounds"]))})
    pdf.heading(gettext("Consensus definition (set before round 1)"))
    fixed = report["rule_fixed_at"]
    pdf.line_of_text(report["rule"] + ". " + (
        gettext("Defined %(defined)s; fixed since round 1 opened %(fixed)s.") % {
            "defined": _date(report["rule_defined_at"]), "fixed": _date(fixed)} if fixed else ""))
    pdf.heading(gettext("Panel composition (%(n)s panellists)") % {"n": f.count(report["panel_size"])})
    pdf.table((gettext("Stakeholder group"), gettext("Panellists")),
              ((f.label("stakeholder_type", c["group"]), f.count(c["n"])) for c in report["composition"]),
              widths=(60, 25))
    pdf.heading(gettext("Response and attrition per round"))
    pdf.table((gettext("Round"), gettext("Stakeholder group"), gettext("Responded"), gettext("Response"),
               gettext("Lost since previous round")),
              ((f.count(r["round"]), f.label("stakeholder_type", r["group"]),
                f.fraction(r["responded"], r["invited"]), f.percent(r.get("response_rate"), 0),
                f.count(r.get("lost_since_previous"))) for r in report["response"]),
              widths=(15, 55, 30, 25, 35))
    pdf.heading(gettext("Results per statement (final or settling round)"))
    pdf.table((gettext("Statement"), gettext("Level"), gettext("Round"), gettext("Ratings"), gettext("Median"),
               pgettext("interquartile range, a column heading", "IQR"), gettext("Rating 7–9"), gettext("Verdict")),
              ((f"{row['statement']} {row.get('text', '')}".strip(), f.label("level", row.get("level")),
                f.count(row["round"]), f.count(row["n"]), f.number(row["median"], 1), f.number(row["iqr"], 2),
                f.percent(row["high"], 0), f.label("verdict", row["verdict"])) for row in report["final"]),
              widths=(62, 20, 12, 14, 15, 12, 17, 22))
    if report["changes"]:
        pdf.heading(gettext("Changes between rounds"))
        pdf.table((gettext("Round"), gettext("Statement"), gettext("Change in IQR"), gettext("Changed their rating"),
                   gettext("Wilcoxon p")),
                  ((f.count(c["round"]), c["statement"], f.number(c["iqr_change"], 2),
                    f.fraction(c["changed"], c["n_paired"]), f.p_value(c["wilcoxon_p"]))
                   for c in report["changes"][:400]),
                  widths=(15, 25, 30, 45, 25))
    return pdf.bytes()


def round_pdf(study, number: int, rule: str, rows: list[dict]) -> bytes:
    """The feedback report of one round: every statement's distribution and verdict."""
    title = gettext("%(title)s: round %(number)s feedback") % {"title": study.title, "number": number}
    pdf = Document(footer=title)
    pdf.title_block(title, rule, 14)
    pdf.table((gettext("Statement"), gettext("Ratings"), gettext("Median"),
               pgettext("interquartile range, a column heading", "IQR"), gettext("Rating 1–3"),
               gettext("Rating 4–6"), gettext("Rating 7–9"), gettext("Verdict"), gettext("Wilcoxon p")),
              ((r["statement"], f.count(r["n"]), f.number(r["median"], 1), f.number(r["iqr"], 2),
                f.percent(r["low"], 0), f.percent(r["middle"], 0), f.percent(r["high"], 0),
                f.label("verdict", r["verdict"]), f.p_value(r.get("wilcoxon_p"))) for r in rows),
              widths=(24, 16, 16, 14, 18, 18, 18, 28, 18))
    return pdf.bytes()
