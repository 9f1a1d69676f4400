"""The final Delphi report as CSV and PDF (fpdf2, pure Python); the HTML version is a template."""

from __future__ import annotations

import io

from fpdf import FPDF

from safeschool import csvsafe

CSV_COLUMNS = ["statement", "level", "text", "round", "n", "median", "q1", "q3", "iqr", "mean", "low", "middle",
               "high", "verdict", "verdict_comet", "verdict_agreement", "verdict_iqr", "verdict_rand"]


ROUND_COLUMNS = ["statement", "round", "n", "median", "q1", "q3", "iqr", "mean", "low", "middle", "high", "verdict",
                 "verdict_comet", "verdict_agreement", "verdict_iqr", "verdict_rand", "iqr_change", "n_paired",
                 "changed", "wilcoxon_p"]


def _csv(rows: list[dict], columns: list[str]) -> str:
    buffer = io.StringIO()
    writer = csvsafe.dict_writer(buffer, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def report_csv(report: dict) -> str:
    return _csv(report["final"], CSV_COLUMNS)


def round_csv(rows: list[dict]) -> str:
    return _csv(rows, ROUND_COLUMNS)


def _document(title: str, subtitle: str, title_size: int) -> FPDF:
    """An A4 document with a bold title and a line under it."""
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", title_size)
    pdf.multi_cell(0, 8, _latin(title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10 if title_size > 14 else 9)
    pdf.multi_cell(0, 5, _latin(subtitle), new_x="LMARGIN", new_y="NEXT")
    return pdf


def _table(pdf: FPDF, widths: tuple[int, ...], heads: tuple[str, ...], rows) -> None:
    """A bordered table: a bold header row, then one row of cells per item of `rows`."""
    pdf.set_font("Helvetica", "B", 8)
    for w, h in zip(widths, heads, strict=True):
        pdf.cell(w, 5, h, border=1)
    pdf.ln()
    pdf.set_font("Helvetica", "", 8)
    for cells in rows:
        for w, value in zip(widths, cells, strict=True):
            pdf.cell(w, 5, _latin(value), border=1)
        pdf.ln()


def _latin(text: str) -> str:
    """The PDF core fonts are Latin-1: replace what they cannot show."""
    return (str(text).replace("≥", ">=").replace("≤", "<=").replace("–", "-").replace("—", "-").replace("’", "'")
            .encode("latin-1", "replace").decode("latin-1"))


def report_pdf(report: dict) -> bytes:
    study = report["study"]
    pdf = _document(f"Delphi study: {study.title}", f"Final report (ACCORD items the platform can fill). Scale "
                    f"{study.scale_min}-{study.scale_max}. Rounds: {len(report['rounds'])}.", 15)
    pdf.ln(2)

    def heading(text):
        pdf.set_font("Helvetica", "B", 12)
        pdf.cell(0, 8, _latin(text), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 9)

    heading("Consensus definition (set before round 1)")
    fixed = report["rule_fixed_at"]
    pdf.multi_cell(0, 5, _latin(f"{report['rule']}. Defined {report['rule_defined_at']:%Y-%m-%d}; fixed since "
                                f"round 1 opened {fixed:%Y-%m-%d}." if fixed else report["rule"]),
                   new_x="LMARGIN", new_y="NEXT")
    heading(f"Panel composition ({report['panel_size']} panellists)")
    for c in report["composition"]:
        pdf.cell(0, 5, _latin(f"{c['group']}: {c['n']}"), new_x="LMARGIN", new_y="NEXT")
    heading("Response and attrition per round")
    for r in report["response"]:
        rate = f"{r['response_rate']:.0%}" if r.get("response_rate") is not None else "-"
        lost = f", lost {r['lost_since_previous']}" if r.get("lost_since_previous") is not None else ""
        pdf.cell(0, 5, _latin(f"Round {r['round']}, {r['group']}: {r['responded']} of {r['invited']} ({rate}){lost}"),
                 new_x="LMARGIN", new_y="NEXT")
    heading("Results per statement (final or settling round)")
    _table(pdf, (18, 12, 14, 14, 14, 14, 30), ("Statement", "Round", "n", "Median", "IQR", "% high", "Verdict"),
           ((row["statement"], str(row["round"]), str(row["n"]), f"{row['median']:g}", f"{row['iqr']:g}",
             f"{100 * row['high']:.0f}", row["verdict"]) for row in report["final"]))
    if report["changes"]:
        heading("Changes between rounds")
        for c in report["changes"][:400]:
            p = "-" if c["wilcoxon_p"] is None else f"{c['wilcoxon_p']:.3f}"
            pdf.cell(0, 5, _latin(f"Round {c['round']}, {c['statement']}: IQR change {c['iqr_change']:+.2f}, "
                                  f"{c['changed']} of {c['n_paired']} changed their rating, Wilcoxon p {p}"),
                     new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def round_pdf(study, number: int, rule: str, rows: list[dict]) -> bytes:
    """The feedback report of one round: every statement's distribution and verdict."""
    pdf = _document(f"{study.title}: round {number} feedback", rule, 14)

    def p_text(p):
        return "-" if p is None or p != p else f"{p:.3f}"

    _table(pdf, (18, 10, 14, 12, 14, 14, 14, 30, 20),
           ("Statement", "n", "Median", "IQR", "% low", "% mid", "% high", "Verdict", "Wilcoxon p"),
           ((r["statement"], str(r["n"]), f"{r['median']:g}", f"{r['iqr']:g}", f"{100 * r['low']:.0f}",
             f"{100 * r['middle']:.0f}", f"{100 * r['high']:.0f}", r["verdict"], p_text(r.get("wilcoxon_p")))
            for r in rows))
    return bytes(pdf.output())
