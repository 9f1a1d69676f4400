"""What the school report shows, as rows for the page and the PDF alike (one function builds them, both render
them): groups and their n, dimension scores per group, perception gaps with the largest called out in words,
strengths and priorities, the comparison with peers (the scope said in words), change since the last campaign,
reliability per dimension and every indicator. Codes read as labels and every figure goes through the formatting
layer; a group below its disclosure threshold appears only as "fewer than N respondents: not shown"."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import get_language, gettext

from safeschool.selfeval.questionnaire import SOURCE_LANGUAGE, Questionnaire
from safeschool.web.core import formatting
from safeschool.web.core.pdf import Document

LOW_ALPHA = 0.7      # reliability below this is flagged (Nunnally's conventional threshold for group comparisons)
GAPS_CALLED_OUT = 3  # the largest perception gaps told in words
INDICATOR_VOICE = ("teachers", "leaders", "families", "students")  # whose wording names an indicator in a table


def language() -> str:
    return (get_language() or SOURCE_LANGUAGE).split("-")[0]


def informant_label(code: str) -> str:
    return formatting.label("informant", code)


def name(q: Questionnaire, code: str) -> str:
    return q.name_of(code, language())


def indicator_text(q: Questionnaire, code: str) -> str:
    """An indicator as a table names it: its wording for teachers (else leaders, families, students)."""
    indicator = q.indicators[code]
    voice = next((i for i in INDICATOR_VOICE if i in indicator.informants), indicator.informants[0])
    return indicator.text(voice, language())


def signed(value, digits: int = 0) -> str:
    """A change with its sign ("+5", "-3", "0"): through the formatting layer, so never "-0"."""
    text = formatting.number(value, digits)
    if text == formatting.MISSING or text.startswith("-") or not any(c in "123456789" for c in text):
        return text
    return "+" + text


def arrow(value, digits: int = 0) -> str:
    text = signed(value, digits)
    if text == formatting.MISSING:
        return ""
    return "↑" if text.startswith("+") else "↓" if text.startswith("-") else "→"


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


def scope_text(scope: str | None, school, peers_n=None) -> str:
    """Who the school is compared with, in words."""
    stage = _lower_first(formatting.label("stage", school.stage))
    country = formatting.label("country", school.country.code) if school.country.code else school.country.name
    if scope == "stage_country":
        # Translators: the peers of a school report, e.g. "lower secondary schools in Italy".
        return gettext("%(stage)s schools in %(country)s") % {"stage": stage, "country": country}
    if scope == "stage":
        # Translators: the peers of a school report when too few schools of the country can be compared, e.g.
        # "lower secondary schools across the network".
        return gettext("%(stage)s schools across the network") % {"stage": stage}
    return ""


def groups(report: dict, q: Questionnaire) -> list[dict]:
    out = []
    for g in report.get("groups") or []:
        shown = bool(g.get("shown"))
        # Translators: in place of a group's results, e.g. "fewer than 10 respondents: not shown".
        hidden = gettext("fewer than %(n)s respondents: not shown") % {"n": formatting.count(q.min_n(g["informant"]))}
        out.append({"informant": g["informant"], "label": informant_label(g["informant"]), "shown": shown,
                    "n": g.get("n") if shown else None, "text": formatting.count(g.get("n")) if shown else hidden})
    return out


def _score_index(report: dict) -> dict[tuple, dict]:
    return {(r["level"], r["code"], r["informant"]): r for r in report.get("scores") or []
            if r.get("score_100") is not None}


def _cells(index, level, code, shown) -> list[dict]:
    return [{"informant": g, "score_100": (index.get((level, code, g)) or {}).get("score_100"),
             "score": (index.get((level, code, g)) or {}).get("score"),
             "display": formatting.number((index.get((level, code, g)) or {}).get("score_100"), 0)} for g in shown]


def _gap_sentence(row: dict, q: Questionnaire) -> dict:
    high, low = (row["a"], row["b"]) if row["gap"] >= 0 else (row["b"], row["a"])
    high_100, low_100 = max(row["a_100"], row["b_100"]), min(row["a_100"], row["b_100"])
    # Translators: a perception gap, e.g. "School leaders rate Safe teacher 21 points higher than Students (74
    # against 53)."
    text = gettext("%(high)s rate %(name)s %(gap)s points higher than %(low)s (%(high_score)s against "
                   "%(low_score)s).") % {
        "high": informant_label(high), "low": informant_label(low), "name": name(q, row["code"]),
        "gap": formatting.number(abs(row["gap"]), 0), "high_score": formatting.number(high_100, 0),
        "low_score": formatting.number(low_100, 0)}
    return {"code": row["code"], "level": row["level"], "name": name(q, row["code"]), "gap": abs(row["gap"]),
            "large": bool(row.get("large")), "text": text}


def _indicator_display(indicator, row: dict | None) -> str:
    if not row or row.get("score") is None:
        return formatting.MISSING
    if indicator.type == "yes_no":
        # Translators: the share of respondents answering yes to a practice, e.g. "67.0 % yes".
        return gettext("%(share)s yes") % {"share": formatting.percent(row["score"])}
    if indicator.type == "figure":
        return f"{formatting.number(row['score'], 1)} {indicator.figure.unit}"
    return f"{formatting.number(row['score'], 2)} · {formatting.number(row['score_100'], 0)}"


def _complete(n, min_n: int) -> str:
    """How many respondents answered every item of a dimension: a count of fewer than the group's threshold is
    not written either (it would tell how many left an item blank in a small subset)."""
    if n is None or n >= min_n or n == 0:
        return formatting.count(n)
    # Translators: in place of a count below the disclosure threshold, e.g. "fewer than 10".
    return gettext("fewer than %(n)s") % {"n": formatting.count(min_n)}


def page(report: dict, q: Questionnaire, school) -> dict:
    """Everything the report page and its PDF show, built once."""
    group_rows = groups(report, q)
    shown = [g["informant"] for g in group_rows if g["shown"]]
    index = _score_index(report)
    dimensions = [{"code": d.code, "name": name(q, d.code), "cells": _cells(index, "dimension", d.code, shown)}
                  for d in q.dimensions]
    subdimensions = [{"code": s.code, "name": name(q, s.code), "dimension": d.code,
                      "cells": _cells(index, "subdimension", s.code, shown)}
                     for d in q.dimensions for s in d.subdimensions]
    gaps = [_gap_sentence(r, q) for r in report.get("gaps") or []]
    comparison = [r | {"name": name(q, r["code"]), "group": informant_label(r["informant"]),
                       "scope_text": scope_text(r.get("scope"), school)}
                  for r in report.get("comparison") or [] if r.get("score_100") is not None]
    scopes = sorted({r["scope"] for r in comparison if r.get("percentile") is not None and r.get("scope")})
    change = [r | {"name": name(q, r["code"]), "group": informant_label(r["informant"]),
                   "signed": signed(r.get("change")), "arrow": arrow(r.get("change"))}
              for r in report.get("change") or [] if r.get("change") is not None and r["level"] != "indicator"]
    reliability = [r | {"name": name(q, r["dimension"]), "group": informant_label(r["informant"]),
                        "flagged": r.get("alpha") is not None and r["alpha"] < LOW_ALPHA,
                        "n_text": _complete(r.get("n"), q.min_n(r["informant"]))}
                   for r in report.get("reliability") or [] if r.get("informant") in shown]
    indicators = []
    for d in q.dimensions:
        for s in d.subdimensions:
            rows = [{"code": i.code, "text": indicator_text(q, i.code), "type": i.type,
                     "cells": [{"label": informant_label(g), "text": _indicator_display(
                         i, index.get(("indicator", i.code, g))) if g in i.informants else ""} for g in shown]}
                    for i in s.indicators]
            indicators.append({"code": s.code, "name": name(q, s.code), "rows": rows})
    return {
        "groups": group_rows, "shown": shown, "shown_labels": [informant_label(g) for g in shown],
        "dimensions": dimensions, "subdimensions": subdimensions,
        "dimension_chart": [{"name": d["name"], **c} for d in dimensions for c in d["cells"]],
        "gap_chart": [{"name": s["name"], **c} for s in subdimensions for c in s["cells"]],
        "gaps": gaps, "large_gaps": [g for g in gaps if g["large"]][:GAPS_CALLED_OUT],
        "strengths": [p | {"name": name(q, p["code"])} for p in report.get("strengths") or []],
        "priorities": [p | {"name": name(q, p["code"])} for p in report.get("priorities") or []],
        "comparison": comparison, "scopes": [scope_text(s, school) for s in scopes],
        "change": change, "reliability": reliability, "indicators": indicators,
    }


# ---------------------------------------------------------------------------------------------------------- PDF
def _title(campaign) -> str:
    return gettext("Self-evaluation report: %(school)s, %(title)s") % {"school": campaign.school.name,
                                                                       "title": campaign.title}


def report_document(view: dict, campaign) -> Document:
    """The report as a PDF document, from the same rows as the page (`page`)."""
    pdf = Document(footer=_title(campaign))
    pdf.title_block(_title(campaign), gettext("Scores on 0–100 per informant group; a group below its disclosure "
                                              "threshold is not shown."))
    pdf.heading(gettext("Who answered"))
    pdf.table((gettext("Group"), gettext("Respondents")), ((g["label"], g["text"]) for g in view["groups"]),
              widths=(60, 90))
    labels = tuple(view["shown_labels"])
    if labels:
        pdf.heading(gettext("Dimension scores"))
        pdf.table((gettext("Dimension"), *labels), ((d["name"], *(c["display"] for c in d["cells"]))
                                                    for d in view["dimensions"]))
        pdf.heading(gettext("Subdimension scores"))
        pdf.table((gettext("Subdimension"), *labels), ((s["name"], *(c["display"] for c in s["cells"]))
                                                       for s in view["subdimensions"]))
    pdf.heading(gettext("Perception gaps"))
    for gap in view["large_gaps"] or view["gaps"][:GAPS_CALLED_OUT]:
        pdf.line_of_text(gap["text"])
    if not view["gaps"]:
        pdf.line_of_text(gettext("Gaps need at least two groups shown."))
    for key, heading in (("strengths", gettext("Strengths")), ("priorities", gettext("Priorities"))):
        pdf.heading(heading)
        for p in view[key]:
            pdf.line_of_text(f"{p['name']}: {formatting.number(p.get('score_100'), 0)}")
    pdf.heading(gettext("Comparison with peers"))
    if view["comparison"]:
        pdf.table((gettext("Score of"), gettext("Group"), gettext("Score"), gettext("Percentile"),
                   gettext("Peer median"), gettext("Compared with")),
                  ((r["name"], r["group"], formatting.number(r["score_100"], 0), formatting.number(r.get("percentile"), 0),
                    formatting.number(r.get("peer_median"), 0), r["scope_text"]) for r in view["comparison"]),
                  widths=(45, 25, 15, 20, 20, 55))
    pdf.heading(gettext("Change since the last campaign"))
    if view["change"]:
        pdf.table((gettext("Score of"), gettext("Group"), gettext("Before"), gettext("Now"), gettext("Change")),
                  ((r["name"], r["group"], formatting.number(r.get("before_100"), 0),
                    formatting.number(r.get("after_100"), 0), f"{r['arrow']} {r['signed']}") for r in view["change"]),
                  widths=(60, 35, 25, 25, 25))
    else:
        pdf.line_of_text(gettext("No earlier campaign to compare with."))
    pdf.heading(gettext("Reliability (Cronbach's alpha)"))
    pdf.table((gettext("Dimension"), gettext("Group"), gettext("Alpha (95 % CI)"), gettext("Respondents"),
               gettext("Items")),
              ((r["name"], r["group"], formatting.interval(r.get("alpha"), r.get("low"), r.get("high"))
                + (" " + gettext("(below 0.7)") if r["flagged"] else ""), r["n_text"],
                formatting.count(r.get("items"))) for r in view["reliability"]),
              widths=(50, 30, 50, 25, 15))
    if labels:
        pdf.heading(gettext("Every indicator"))
        for sub in view["indicators"]:
            pdf.line_of_text(sub["name"])
            pdf.table((gettext("Indicator"), *labels), ((r["text"], *(c["text"] for c in r["cells"]))
                                                       for r in sub["rows"]))
    return pdf


def report_pdf(view: dict, campaign) -> bytes:
    return report_document(view, campaign).bytes()



# ------------------------------------------------------------------------------------------------ recommendations
def reason_sentence(reason: dict, q: Questionnaire, school) -> str:
    """Why an entry is recommended, in words, from its reason data (recommend.recommend)."""
    values = {"subdimension": name(q, reason["subdimension"]),
              "peers": scope_text(reason.get("scope"), school),
              "percentile": formatting.number(reason.get("percentile"), 0),
              "score": formatting.number(reason.get("score_100"), 0)}
    if reason.get("percentile") is not None:
        # Translators: why a programme or practice is recommended, e.g. "Recommended because your Wise school:
        # teaching & learning score is in the lowest quarter of lower secondary schools in Italy (percentile 12)."
        text = gettext("Recommended because your %(subdimension)s score is in the lowest quarter of %(peers)s "
                       "(percentile %(percentile)s).") % values
    else:
        # Translators: why a programme or practice is recommended when no peers can be compared, e.g.
        # "Recommended because your Safe teacher score (42 of 100) is below the middle of the scale."
        text = gettext("Recommended because your %(subdimension)s score (%(score)s of 100) is below the middle of "
                       "the scale.") % values
    if reason.get("indicator"):
        # Translators: follows the reason for a recommendation; the indicator's wording in quotation marks.
        text += " " + gettext("Its weakest indicator: “%(indicator)s”") % {
            "indicator": indicator_text(q, reason["indicator"])}
    return text


def fit_text(reason: dict) -> str:
    """Criterion A, for a programme: the principle it fits and how well."""
    if reason.get("principle") is None:
        return ""
    degree = gettext("fully") if reason.get("fit") == 2 else gettext("partly")
    # Translators: criterion A of the Hub's rubric, e.g. "fits principle 3 fully".
    return gettext("fits principle %(principle)s %(degree)s") % {"principle": reason["principle"], "degree": degree}


def _href(kind: str, entry: dict) -> str:
    if kind == "programmes":
        return reverse("hub:programme", args=[entry["id"]])
    if kind == "practices":
        return reverse("hub:practice", args=[entry["id"]])
    return entry.get("url") or ""


def _stages_label(kind: str, entry: dict, school) -> str:
    """For a practice tried at other stages than the school's: those stages, e.g. "for primary schools"."""
    stages = entry.get("stages") or []
    if kind != "practices" or not stages or school.stage in stages:
        return ""
    # Translators: a Hub practice tried at another stage of schooling, e.g. "tried in primary schools".
    return gettext("tried in %(stages)s schools") % {
        "stages": ", ".join(_lower_first(formatting.label("stage", s)) for s in stages)}


def recommendation_rows(found: list[dict], q: Questionnaire, school, tiers: dict) -> list[dict]:
    """The page's rows: per weak subdimension its matches, each with the reason in words, criterion A fit and
    criterion B tier."""
    out = []
    for weak in found:
        kinds = {}
        for kind in ("programmes", "practices", "policies", "documents"):
            kinds[kind] = [e | {"sentence": reason_sentence(e["reason"], q, school), "fit_text": fit_text(e["reason"]),
                                "tier_label": str(tiers.get(e.get("tier"), "")) if e.get("tier") else "",
                                "level_label": formatting.label("level", e.get("level")),
                                "country_label": formatting.label("country", e.get("country")),
                                "href": _href(kind, e), "stages_label": _stages_label(kind, e, school)}
                           for e in weak[kind]]
        out.append(weak | kinds | {"name": name(q, weak["subdimension"]),
                                   "dimension_name": name(q, weak["dimension"]),
                                   "indicator_text": indicator_text(q, weak["indicator"]) if weak["indicator"] else "",
                                   "score_text": formatting.number(weak.get("score_100"), 0),
                                   "percentile_text": formatting.number(weak.get("percentile"), 0),
                                   "peers": scope_text(weak.get("scope"), school)})
    return out
