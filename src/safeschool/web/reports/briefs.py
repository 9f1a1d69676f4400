"""A policy brief (issue 19 §4) as the one document model every report shares, two to four pages in the brief's
language: key messages, the evidence from its analysis (briefs_evidence: variance shares or intersectional groups
with 95 % intervals), the official early-leaving indicator for its country or the EU, the Delphi-validated
recommendations with their panel figures, the programmes with the strongest evidence, the team's implications,
what the data cannot show, and where everything comes from. The web page, the PDF, the HTML file and
`safeschool report brief` all render what `build` returns."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse
from django.utils import formats, translation
from django.utils.translation import gettext

from safeschool.publishing.document import (
    Column,
    Links,
    Notice,
    Paragraph,
    Provenance,
    Report,
    Section,
    Table,
)
from safeschool.web.cocreation.labels import rule_text
from safeschool.web.cocreation.models import DelphiStudy
from safeschool.web.cocreation.selectors import rule_of
from safeschool.web.core import formatting
from safeschool.web.indicators import figures as indicator_figures
from safeschool.web.indicators import selectors as indicator_selectors
from safeschool.web.reports import briefs_evidence as evidence
from safeschool.web.reports import selectors_briefs as selectors
from safeschool.web.reports.common import generated_now
from safeschool.web.reports.models import Brief, BriefStatus
from safeschool.web.research import selectors as research


def _url(name: str, *args) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def paragraphs(text: str) -> list[Paragraph]:
    """A narrative as paragraphs: a blank line starts a new one."""
    parts = [" ".join(p.split()) for p in (text or "").replace("\r\n", "\n").split("\n\n")]
    return [Paragraph(p) for p in parts if p]


def _date(value) -> str:
    return formats.date_format(value, "DATE_FORMAT") if value else ""


def where(brief: Brief) -> str:
    return formatting.label("country", brief.country) if brief.country else gettext("the whole network")


def build(brief: Brief) -> Report:
    """The brief in its own language."""
    with translation.override(brief.language):
        run = brief.analysis
        simulated = research.cohort_is_simulated()
        indicator = _indicator(brief)
        recommendations = selectors.brief_recommendations(brief)
        version = research.data_version()
        sections = [
            Section(gettext("Key messages"), [*paragraphs(brief.key_messages), *paragraphs(brief.context)],
                    anchor="key-messages"),
            Section(gettext("The evidence"), [evidence.facts(run), *paragraphs(brief.findings), *evidence.blocks(run)],
                    anchor="evidence"),
            Section(gettext("The official indicator"), indicator["blocks"], anchor="indicator"),
            Section(gettext("What the network's stakeholders agreed"), _agreed(recommendations), anchor="agreed"),
            Section(gettext("Programmes with the strongest evidence"), _programmes(brief), anchor="programmes"),
            Section(gettext("Implications"), paragraphs(brief.implications) or [
                Paragraph(gettext("The team has not written the implications yet."))], anchor="implications"),
            Section(gettext("Limitations"), [Paragraph(s) for s in evidence.limitations(run, simulated=simulated)]
                    + paragraphs(brief.limitations), anchor="limitations"),
        ]
        provenance = _provenance(brief, recommendations, indicator)
        sections.append(Section(gettext("Evidence base and provenance"), [
            Paragraph(gettext("Every figure in this brief can be traced to its source: the analysis run (with the "
                              "fingerprint of the data it read and the software versions), the Delphi study and "
                              "round, and the release of the official statistics.")),
            Links([(p.label, p.url) for p in provenance if p.url])], anchor="provenance"))
        notices = []
        if brief.status != BriefStatus.PUBLISHED:
            notices.append(Notice(gettext("Draft: this brief is not published and may still change.")))
        if simulated:
            notices.append(Notice(gettext("The student figures in this brief come from simulated data, made to try "
                                          "the platform: they describe no real school or student.")))
        if indicator["simulated"]:
            notices.append(Notice(gettext("The official indicator shown is simulated in Eurostat's format for the "
                                          "demonstration; it is not Eurostat's figure.")))
        published = _date(brief.published_at)
        return Report(
            kind="brief", title=brief.title,
            # Translators: under a policy brief's title, e.g. "Policy brief · Spain · published 3 March 2027".
            subtitle=" · ".join(p for p in (gettext("Policy brief"), where(brief),
                                            gettext("published %(date)s") % {"date": published} if published
                                            else "") if p),
            authors=gettext("The Safe School network's research team"),
            language=brief.language, generated_at=generated_now(), data_version=version, sections=sections,
            provenance=provenance, slug=f"brief-{brief.slug}-{brief.language}", notices=notices)


def _indicator(brief: Brief) -> dict:
    """The official early-leaving series of the brief's country (else the EU's), from the indicators app."""
    code = brief.country or indicator_selectors.EU
    esl = indicator_selectors.country_esl(code)
    name = indicator_figures.country_name(code)
    if esl is None:
        return {"blocks": [Paragraph(gettext("No official figures for %(where)s have been imported yet.") % {
            "where": name})], "simulated": False, "release": None}
    blocks = [Paragraph(gettext("Early leavers from education and training in %(where)s: the share of "
                                "18–24-year-olds with at most lower secondary education and not in education or "
                                "training, against the EU's targets (below 9 %% by 2030; below 10 %% by 2020).") % {
                                    "where": name}),
              indicator_figures.facts_of(esl), indicator_figures.figure_of(esl),
              Links([(gettext("The indicator's page"), _url("indicators:country", code.lower()) or
                      _url("indicators:index"))])]
    return {"blocks": blocks, "simulated": bool(esl.get("simulated")), "release": esl.get("release")}


def _agreed(recommendations: list[dict]) -> list:
    if not recommendations:
        return [Paragraph(gettext("No recommendation is chosen yet."))]
    rows = [{"text": r["statement"].text, "level": formatting.label("level", r["statement"].level),
             "median": r["median"], "iqr": r["iqr"], "n": r["n"], "round": r["round"]} for r in recommendations]
    table = Table(gettext("Recommendations the Delphi panel agreed on"), [
        Column("text", gettext("Recommendation")), Column("level", gettext("Ecological level")),
        Column("median", gettext("Median rating (1–9)"), "number:1"), Column("iqr", gettext("IQR"), "number:1"),
        Column("n", gettext("Panellists rating"), "count"), Column("round", gettext("Round"), "count")], rows,
        note=gettext("Each statement reached consensus (“in”) in a closed Delphi round under the study's rule; "
                     "the median and interquartile range (IQR) are of that round's ratings."))
    studies = {}
    for r in recommendations:
        studies.setdefault(r["study_id"], r["study"])
    rules = []
    for study in DelphiStudy.objects.filter(pk__in=list(studies)).order_by("title"):
        rules.append(gettext("%(study)s: %(rule)s.") % {"study": study.title, "rule": rule_text(rule_of(study))})
    return [Paragraph(gettext("Network members from every stakeholder group rated each statement in a Delphi "
                              "study; these reached consensus.")), table, *[Paragraph(t) for t in rules]]


def _programmes(brief: Brief) -> list:
    programmes = selectors.brief_programmes(brief)
    if not programmes:
        return [Paragraph(gettext("No programme is cited."))]
    rows = [{"title": p.title, "tier": formatting.label("tier", p.tier), "country": formatting.label("country",
                                                                                                     p.country)}
            for p in programmes]
    table = Table(gettext("Programmes with the strongest evidence of effectiveness"), [
        Column("title", gettext("Programme")), Column("tier", gettext("Evidence (criterion B)")),
        Column("country", gettext("Country"))], rows,
        note=gettext("Signed off by two reviewers of the network's Hub under its rubric."))
    return [table, Links([(p.title, p.url or _url("hub:programme", p.pk)) for p in programmes])]


def _provenance(brief: Brief, recommendations: list[dict], indicator: dict) -> list[Provenance]:
    run = brief.analysis
    record = run.provenance or {}
    packages = ", ".join(f"{name} {version}" for name, version in sorted((record.get("packages") or {}).items())
                         if version)
    fingerprint = (record.get("data_fingerprint") or "")[:12]
    detail = gettext("run %(run)s, finished %(date)s, data fingerprint %(fingerprint)s") % {
        "run": run.pk, "date": _date(run.finished_at), "fingerprint": fingerprint or "—"}
    if packages:
        detail += " · " + packages
    items = [Provenance(gettext("Analysis: %(kind)s of %(outcome)s") % {
        "kind": str(run.get_kind_display()), "outcome": formatting.label("outcome", run.parameters.get("outcome"))},
        detail, _url("analysis:run_detail", run.pk))]
    seen = set()
    for r in recommendations:
        key = (r["study_id"], r["round"])
        if key in seen:
            continue
        seen.add(key)
        items.append(Provenance(gettext("Delphi study: %(study)s") % {"study": r["study"]},
                                gettext("round %(round)s, closed %(date)s") % {"round": r["round"],
                                                                             "date": _date(r["closed_at"])},
                                _url("cocreation:study", r["study_id"])))
    release = indicator.get("release")
    if release is not None:
        items.append(Provenance(gettext("Official indicator: Eurostat %(dataset)s") % {"dataset": release.dataset},
                                gettext("file %(file)s, imported %(date)s") % {
                                    "file": release.file_name, "date": _date(release.imported_at)},
                                _url("indicators:index")))
    return items
