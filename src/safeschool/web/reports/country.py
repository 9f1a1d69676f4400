"""A country's profile report as one document (publishing.document.Report), in the country's language unless
another is asked for: its education policies (the four indicators of the political level and the Policy
database's entries), official early leaving against the EU target with the network's own measure beside it, the
network's schools by stage, where the variance of achievement and early leaving sits, who is left behind
(country_analyses), and where every figure comes from.

The analyses are stored runs (reports.services_country asks for them); this builder only reads them, so it never
blocks: a run still being computed is said so. Every figure about students comes from the suppressed research
selectors (nothing about fewer than MIN_CELL students)."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext, ngettext

from safeschool.publishing.document import Facts, Links, Notice, Paragraph, Provenance, Report, Section
from safeschool.vocabulary import MIN_CELL
from safeschool.web.core import formatting
from safeschool.web.indicators import figures as esl
from safeschool.web.indicators import selectors as indicators
from safeschool.web.reports import country_analyses, selectors_country
from safeschool.web.reports.common import COUNTRY_LANGUAGE, generated_now, table
from safeschool.web.research import selectors as research
from safeschool.web.research.models import Country

SUMMARY_LENGTH = 300  # a Policy database entry's summary is cut to this many characters


def language_of_country(country: Country) -> str:
    """The language a country's report is written in by default: the country's, else the site's."""
    return COUNTRY_LANGUAGE.get(country.code.upper(), settings.LANGUAGE_CODE)


def build(country: Country, *, language: str | None = None) -> Report:
    """The country's profile report in `language` (default: the country's)."""
    language = language or language_of_country(country)
    with translation.override(language):
        name = esl.country_name(country.code)
        runs = selectors_country.country_runs(country)
        series = indicators.country_esl(country.code)
        version = research.data_version()
        sections = [policies_section(country), esl_section(country, series), schools_section(country, name),
                    country_analyses.variance_section(name, runs), country_analyses.strata_section(name, runs),
                    about_section(series, version)]
        notices = []
        if research.cohort_is_simulated():
            notices.append(Notice(gettext("The network's figures in this report come from a simulated cohort (demo "
                                          "data), not from real students.")))
        if any(run is None or not run.finished for run in runs.values()):
            notices.append(Notice(gettext("Some analyses of this report are being computed: refresh in a minute to "
                                          "see them.")))
        return Report(kind="country", title=gettext("Country profile: %(country)s") % {"country": name},
                      language=language, generated_at=generated_now(), data_version=version, sections=sections,
                      subtitle=gettext("Education policies, early leaving against the EU target, the network's "
                                       "schools and where the differences lie"),
                      provenance=provenance(country, runs, series, version),
                      slug=f"country-{country.code.lower()}-{language}", notices=notices)


# ------------------------------------------------------------------------------------------------ policies
def policy_facts(country: Country) -> Facts:
    """The four policy indicators of the political level, each with what it means."""
    tracking = formatting.count(country.tracking_age)
    if country.early_tracking:
        # Translators: a tracking age of 12 or younger, e.g. "11 (early tracking)".
        tracking = gettext("%(age)s (early tracking)") % {"age": tracking}
    return Facts([
        (gettext("Age of first tracking"), gettext(
            "%(value)s: the age at which students are first separated into different types of school (12 or "
            "younger is early tracking)") % {"value": tracking}),
        (gettext("Grade repetition"), gettext("%(value)s: the share of students who have repeated a grade") % {
            "value": formatting.percent(country.grade_repetition_pct / 100, 1)}),
        (gettext("National early-leaving strategy"), gettext(
            "%(value)s: whether a national strategy supports learners at risk of leaving education early") % {
            "value": formatting.yes_no(country.esl_support)}),
        (gettext("Inclusion index"), gettext(
            "%(value)s: inclusion measures, from 0 (none) to 1 (comprehensive)") % {
            "value": formatting.number(country.inclusion_index, 2)}),
    ])


def _short(text: str) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= SUMMARY_LENGTH else text[:SUMMARY_LENGTH - 1].rsplit(" ", 1)[0] + "…"


def policies_section(country: Country) -> Section:
    blocks: list = [Paragraph(gettext("The country's education policies as the network's ecological model reads "
                                      "them (the political level, Safe Education).")), policy_facts(country)]
    entries = selectors_country.country_policies(country)
    if not entries:
        blocks.append(Paragraph(gettext("The Policy database holds no entry for this country yet.")))
        return Section(gettext("Policies"), blocks, anchor="policies")
    rows = [{"title": p.title, "year": str(p.year) if p.year else formatting.MISSING,
             "level": formatting.label("level", p.level), "summary": _short(p.summary) or formatting.MISSING}
            for p in entries]
    caption = gettext("Entries of the Policy database")
    blocks.append(table(caption, [("title", gettext("Title"), "text"), ("year", gettext("Year"), "text"),
                                  ("level", gettext("Ecological level"), "text"),
                                  ("summary", gettext("Summary"), "text")], rows))
    links = [(p.title, p.url) for p in entries if p.url]
    if links:
        blocks.append(Links(links))
    return Section(gettext("Policies"), blocks, anchor="policies")


# ------------------------------------------------------------------------------------------------ early leaving
def esl_section(country: Country, series: dict | None) -> Section:
    blocks: list = [Paragraph(gettext(
        "Early leavers from education and training: the share of 18–24-year-olds with at most lower secondary "
        "education and not in education or training (Eurostat). The EU's target is below %(target)s by 2030 "
        "(below %(earlier)s by 2020).") % {"target": formatting.percent(0.09, 0),
                                          "earlier": formatting.percent(0.10, 0)})]
    if series is None:
        blocks.append(Notice(gettext("No official figures imported for this country yet.")))
    else:
        blocks += [esl.facts_of(series), esl.figure_of(series)]
    network = esl.network_esl(country.code)
    if network is not None:
        blocks += [Paragraph(f"{network['label']}: {network['text']}."), Paragraph(network["explanation"])]
    return Section(gettext("Early leaving against the EU target"), blocks, anchor="early-leaving")


# ------------------------------------------------------------------------------------------------ schools
def _row(label: str, data: dict) -> dict:
    row = {"stage": label, "schools": data["schools"], "students": data["students"],
           "left_early": data["left_early"]}
    hidden = [field for field in ("students", "left_early") if data.get(f"{field}_reason")]
    if hidden:
        row["hidden"], row["reason"] = hidden, data[f"{hidden[0]}_reason"]
    return row


def schools_section(country: Country, name: str) -> Section:
    data = selectors_country.schools_by_stage(country)
    blocks: list = [Paragraph(gettext("The network's schools in %(country)s by stage, with their students and the "
                                      "share who had left education by the last wave. Figures about fewer than "
                                      "%(k)s students are not shown.") % {"country": name, "k": MIN_CELL})]
    if not data["rows"]:
        blocks.append(Notice(gettext("The network has no school in this country yet.")))
        return Section(gettext("The network's schools"), blocks, anchor="schools")
    rows = [_row(formatting.label("stage", r["stage"]), r) for r in data["rows"]]
    rows.append(_row(gettext("All stages"), data["total"]))
    note = ""
    if data["excluded"]:
        note = ngettext("%(n)s school with fewer than %(k)s students is counted among the schools but not in the "
                        "students or the share who left early.",
                        "%(n)s schools with fewer than %(k)s students each are counted among the schools but not in "
                        "the students or the share who left early.", data["excluded"]) % {
            "n": formatting.count(data["excluded"]), "k": MIN_CELL}
    left = gettext("Left education early by wave %(wave)s") % {"wave": data["last_wave"]} if data["last_wave"] \
        else gettext("Left education early")
    blocks.append(table(gettext("Schools and students by stage"),
                        [("stage", gettext("Stage"), "text"), ("schools", gettext("Schools"), "count"),
                         ("students", gettext("Students"), "count"), ("left_early", left, "percent:1")], rows,
                        note=note))
    return Section(gettext("The network's schools"), blocks, anchor="schools")


# ------------------------------------------------------------------------------------------------ provenance
def _release_text(series: dict | None) -> str:
    if series is None:
        return gettext("none imported")
    text = esl.release_text(series["release"])
    return f"{text} ({esl.simulated_text()})" if series["simulated"] else text


def provenance(country: Country, runs: dict, series: dict | None, version: str) -> list[Provenance]:
    lines = [Provenance(gettext("The network's cohort"), gettext("data version %(version)s") % {"version": version},
                        reverse("research:country_detail", args=[country.code]))]
    if series is not None:
        lines.append(Provenance(gettext("Official early-leaving series"), _release_text(series),
                                reverse("indicators:country", args=[country.code])))
    for run in runs.values():
        if run is not None:
            lines.append(Provenance(country_analyses.run_title(run), country_analyses.run_detail(run),
                                    country_analyses.run_url(run)))
    return lines


def about_section(series: dict | None, version: str) -> Section:
    """How the report was made; the sources themselves (each analysis run with its page and data fingerprint, the
    indicator release, the cohort) are the report's provenance, listed after this section."""
    blocks: list = [
        Paragraph(gettext("Every figure about students covers at least %(k)s of them; smaller groups are not shown. "
                          "The analyses are stored runs with their parameters, the fingerprint of the data they were "
                          "computed from and the software's versions: each can be opened, checked and re-run from its "
                          "page.") % {"k": MIN_CELL}),
        Facts([(gettext("Data version"), version), (gettext("Indicator release"), _release_text(series)),
               (gettext("Generated"), date_format(localtime(generated_now()), "DATETIME_FORMAT"))]),
    ]
    return Section(gettext("About this report"), blocks, anchor="about")
