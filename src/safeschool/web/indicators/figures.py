"""The official early-leaving figures as document blocks (safeschool.publishing.document): a country's series by
sex against the 2030 (below 9 %) and 2020 (below 10 %) targets, its key facts, the latest rates of every country,
and the network's own early-leaving share (a different measure). The indicator pages draw these; the country
report and the policy briefs reuse them. Every string is translated in the active language and every figure goes
through the formatting layer; chart and table values are proportions (0-1) written as percentages."""

from __future__ import annotations

from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext, pgettext

from safeschool import vocabulary
from safeschool.indicators import eurostat, targets
from safeschool.publishing.document import Chart, Column, Facts, Figure, Rule, Table
from safeschool.web.core import formatting
from safeschool.web.indicators import selectors

# the sexes of Eurostat's files: the total and the two sexes it publishes
SEX_LABELS = {"T": vocabulary.gettext_noop("Total"), "F": vocabulary.GENDERS["F"], "M": vocabulary.GENDERS["M"]}
EU_LABEL = vocabulary.gettext_noop("European Union (27 countries, from 2020)")


def country_name(code: str) -> str:
    """A geo's name in the reader's language: the vocabulary's country names, the registry's otherwise."""
    code = (code or "").upper()
    if code == selectors.EU:
        return gettext(EU_LABEL)
    if code in dict(vocabulary.COUNTRIES):
        return formatting.label("country", code)
    country = selectors.registry_country(code)
    return country.name if country else code


def sex_label(code: str) -> str:
    return gettext(SEX_LABELS[code]) if code in SEX_LABELS else formatting.humanise(code)


def pct(value: float | None) -> str:
    """A rate Eurostat publishes in % (e.g. 9.7) as the site writes percentages ("9.7 %")."""
    return formatting.percent(None if value is None else value / 100, 1)


def share(value: float | None) -> float | None:
    return None if value is None else round(value / 100, 6)


def flags_text(flags: str) -> str:
    """Flag letters in words: "bp" -> "break in time series, provisional"."""
    return ", ".join(gettext(eurostat.FLAGS[letter]) for letter in flags if letter in eurostat.FLAGS)


def flags_legend(flags) -> str:
    """"b = break in time series; p = provisional" for the letters used."""
    used = sorted({letter for text in flags for letter in text if letter in eurostat.FLAGS})
    return "; ".join(f"{letter} = {gettext(eurostat.FLAGS[letter])}" for letter in used)


def value_text(value: float | None, flags: str) -> str:
    """"8.1 % (provisional)"; a missing figure reads "—" with its flags' words."""
    words = flags_text(flags)
    return f"{pct(value)} ({words})" if words else pct(value)


def target_label(year: int) -> str:
    # Translators: a reference line on a chart, e.g. "2030 target: below 9 %".
    return gettext("%(year)s target: below %(value)s") % {"year": year, "value": pct(targets.TARGETS[year])}


def distance_text(distance: float | None, year: int = 2030) -> str:
    """"2.1 points above the 2030 target", "0.4 points below the 2030 target", or "at the 2030 target"."""
    if distance is None:
        return formatting.MISSING
    points = formatting.number(abs(distance), 1)
    if points == formatting.number(0, 1):
        # Translators: a rate equal to the target, which asks for a rate below it.
        return gettext("at the %(year)s target (not below it)") % {"year": year}
    if distance > 0:
        return gettext("%(points)s points above the %(year)s target") % {"points": points, "year": year}
    return gettext("%(points)s points below the %(year)s target") % {"points": points, "year": year}


def met_text(met: bool | None, year: int = 2030) -> str:
    if met is None:
        return formatting.MISSING
    if met:
        return gettext("Met: below the %(year)s target") % {"year": year}
    return gettext("Not met: not below the %(year)s target") % {"year": year}


def years_text(years: list[int]) -> str:
    """Years as runs: [2015, 2016, 2017, 2020] -> "2015–2017, 2020"; none -> "none"."""
    if not years:
        # Translators: no year in which a country met a target.
        return pgettext("years", "none")
    runs, start = [], years[0]
    for previous, year in zip(years, years[1:] + [None], strict=True):
        if year != previous + 1:
            runs.append(str(start) if start == previous else f"{start}–{previous}")
            start = year
    return ", ".join(runs)


def release_text(release) -> str:
    """"Eurostat sdg_04_10, file estat_sdg_04_10.tsv.gz, imported 29/11/2026 07:10"."""
    return gettext("Eurostat %(dataset)s, file %(file)s, imported %(when)s") % {
        "dataset": release.dataset, "file": release.file_name,
        "when": date_format(localtime(release.imported_at), "SHORT_DATETIME_FORMAT")}


def simulated_text() -> str:
    return gettext("Simulated in Eurostat's format for the demo: these are not Eurostat's figures.")


def esl_facts(code: str) -> Facts | None:
    """Latest rate (with its flags in words), distance to the 9 % target, met or not, the years each target was
    met and the breaks in series."""
    esl = selectors.country_esl(code)
    return None if esl is None else facts_of(esl)


def facts_of(esl: dict) -> Facts:
    """esl_facts of a series already read (selectors.country_esl or an entry of selectors.esl_overview)."""
    s, s20 = esl["summary"], esl["summary_2020"]
    items = [
        (gettext("Latest (%(year)s)") % {"year": s["latest_year"] or formatting.MISSING},
         value_text(s["latest"], s["latest_flags"])),
        (gettext("Distance to the 2030 target (below 9 %)"), distance_text(s["distance"], 2030)),
        (gettext("2030 target"), met_text(s["met"], 2030)),
        (gettext("Years below 9 % (2030 target)"), years_text(s["years_met"])),
        (gettext("Years below 10 % (2020 target)"), years_text(s20["years_met"])),
        (gettext("Breaks in series"), years_text(s["breaks"])),
    ]
    if s["trend"] is not None:
        items.append((gettext("Change over the last five years with a figure"),
                      gettext("%(points)s points") % {"points": formatting.number(s["trend"], 1)}))
    return Facts(items)


def _table_columns() -> list[Column]:
    return [Column("year", gettext("Year"), "text"), Column("sex", gettext("Sex"), "text"),
            Column("value", gettext("Early leavers (share of 18–24-year-olds)"), "percent:1"),
            Column("flags", gettext("Flags"), "text"),
            Column("distance", gettext("Distance to the 9 % target (points)"), "number:1")]


def esl_figure(code: str) -> Figure | None:
    """The national series by sex against both targets: lines by year, flagged points marked, and its table."""
    esl = selectors.country_esl(code)
    return None if esl is None else figure_of(esl)


def figure_of(esl: dict) -> Figure:
    """esl_figure of a series already read."""
    name, s = country_name(esl["code"]), esl["summary"]
    rows = []
    for sex in selectors.SEXES:
        for point in esl["by_sex"].get(sex, []):
            rows.append({"year": point.year, "sex": sex_label(sex), "value": share(point.value), "flags": point.flags,
                         "distance": targets.distance(point.value, targets.TARGET_2030)})
    drawn = [row for row in rows if row["value"] is not None]
    # Translators: the summary of a chart of one country's early leaving by year.
    summary = gettext("In %(year)s, %(value)s of 18–24-year-olds in %(country)s had left education and training "
                      "early: %(distance)s.") % {"year": s["latest_year"], "value": pct(s["latest"]), "country": name,
                                                 "distance": distance_text(s["distance"], 2030)}
    latest = {sex: next((p for p in reversed(esl["by_sex"].get(sex, [])) if p.value is not None), None)
              for sex in ("F", "M")}
    if latest["F"] and latest["M"]:
        summary += " " + gettext("%(women)s: %(f)s; %(men)s: %(m)s (%(year)s).") % {
            "women": sex_label("F"), "f": pct(latest["F"].value), "men": sex_label("M"), "m": pct(latest["M"].value),
            "year": latest["F"].year}
    note = gettext("Source: %(release)s.") % {"release": release_text(esl["release"])}
    legend = flags_legend(row["flags"] for row in rows)
    if legend:
        note += " " + gettext("Flags: %(legend)s.") % {"legend": legend}
    if s["breaks"]:
        note += " " + gettext("Break in series in %(years)s: figures before and after are not fully comparable.") % {
            "years": years_text(s["breaks"])}
    if esl["simulated"]:
        note += " " + simulated_text()
    title = gettext("Early leavers from education and training in %(country)s, by sex") % {"country": name}
    chart = Chart(kind="lines", rows=drawn, value="value", category="year", series="sex", format="percent:1",
                  value_title=gettext("Early leavers (share of 18–24-year-olds)"), category_title=gettext("Year"),
                  rules=[Rule(share(targets.TARGET_2030), target_label(2030)),
                         Rule(share(targets.TARGET_2020), target_label(2020))], flag="flags")
    table = Table(caption=title, columns=_table_columns(), rows=rows, note=legend)
    return Figure(name=f"esl-{esl['code'].lower()}", title=title, summary=summary, chart=chart, table=table,
                  note=note)


def overview_figure(overview: list[dict]) -> Figure | None:
    """Every country's latest rate (sex T) against both targets, as bars (the index page's chart)."""
    rows = [{"country": country_name(e["code"]), "year": e["summary"]["latest_year"],
             "value": share(e["summary"]["latest"]), "flags": e["summary"]["latest_flags"],
             "distance": e["summary"]["distance"]} for e in overview if e["summary"]["latest"] is not None]
    if not rows:
        return None
    title = gettext("Early leavers from education and training: latest rate by country")
    below = [row["country"] for row in rows if row["distance"] is not None and row["distance"] < 0]
    summary = gettext("%(below)s of %(all)s below the 2030 target of 9 %%.") % {
        "below": formatting.count(len(below)), "all": formatting.count(len(rows))}
    columns = [Column("country", gettext("Country"), "text"), Column("year", gettext("Year"), "text"),
               Column("value", gettext("Early leavers (share of 18–24-year-olds)"), "percent:1"),
               Column("flags", gettext("Flags"), "text"),
               Column("distance", gettext("Distance to the 9 % target (points)"), "number:1")]
    legend = flags_legend(row["flags"] for row in rows)
    chart = Chart(kind="bars", rows=rows, value="value", category="country", format="percent:1",
                  value_title=gettext("Early leavers (share of 18–24-year-olds)"), category_title=gettext("Country"),
                  rules=[Rule(share(targets.TARGET_2030), target_label(2030)),
                         Rule(share(targets.TARGET_2020), target_label(2020))])
    return Figure(name="esl-latest", title=title, summary=summary, chart=chart,
                  table=Table(caption=title, columns=columns, rows=rows, note=legend),
                  note=gettext("Flags: %(legend)s.") % {"legend": legend} if legend else "")


def network_esl(code: str, shares: dict | None = None) -> dict | None:
    """The network's own early leaving in a country (share of its students who had left education by the last wave),
    labelled as a different measure; suppressed under MIN_CELL (value None, with the reason in words). `shares`:
    `selectors.network_shares()` when the caller shows several countries (read once)."""
    found = selectors.network_share(code) if shares is None else shares.get(code)
    if found is None:
        return None
    label = gettext("Network schools: students who left education early by wave %(wave)s — a different measure") % {
        "wave": found["wave"]}
    text = formatting.hidden_reason(found["reason"]).capitalize() if found["suppressed"] else formatting.percent(found["value"], 1)
    explanation = gettext("The share of the network's students in %(country)s who had left education by wave "
                          "%(wave)s, in schools of at least %(k)s students. It counts school students followed by the "
                          "network, not 18–24-year-olds as Eurostat does: the two cannot be compared directly.") % {
        "country": country_name(found["code"]), "wave": found["wave"], "k": vocabulary.MIN_CELL}
    return found | {"label": label, "text": text, "explanation": explanation,
                    "n_text": None if found["suppressed"] else formatting.count(found["n"])}
