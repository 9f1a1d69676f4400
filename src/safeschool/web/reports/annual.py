"""The network's annual report (issue 19, item 5): members by stakeholder type, participation level and country;
schools by stage and country; Safe School Label awards; trials and their results; the outputs published in the
year; and where the figures come from. Public, in every language of the interface, as HTML and a tagged PDF.

`build(year, language=...)` returns the document (publishing.document); the figures are read, already protected,
by selectors_annual. A year with nothing to report says so in each section."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import override, pgettext

from safeschool.publishing.document import (
    Chart,
    Facts,
    Figure,
    Links,
    Notice,
    Paragraph,
    Provenance,
    Report,
    Rule,
    Section,
)
from safeschool.vocabulary import MIN_CELL
from safeschool.web.core import formatting
from safeschool.web.reports import selectors_annual as sel
from safeschool.web.reports.common import generated_now, hide, suppressed_row, table
from safeschool.web.research.selectors import data_version


def _url(name: str, *args) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:  # an area that does not serve the page (yet)
        return ""


def _date(day) -> str:
    return formats.date_format(day, "DATE_FORMAT")


def _count_or_hidden(n: int | None) -> str:
    # Translators: a count of members too small to publish (fewer than 10)
    return formatting.count(n) if n is not None else _("fewer than %(k)s") % {"k": MIN_CELL}


def _tally_rows(cells, kind: str, field: str = "label") -> list[dict]:
    rows = []
    for cell in cells:
        row = {field: formatting.label(kind, cell.code), "n": cell.n}
        rows.append(suppressed_row({field: row[field]}, ("n",), reason=cell.reason) if cell.n is None else row)
    return rows


def _tally_figure(name: str, title: str, summary: str, rows: list[dict], category_title: str) -> Figure:
    columns = [("label", category_title, "text"), ("n", _("Members"), "count")]
    chart = Chart(kind="bars", rows=rows, value="n", category="label", format="count", value_title=_("Members"),
                  category_title=category_title)
    return Figure(name=name, title=title, summary=summary, chart=chart, table=table(title, columns, rows, note=_(
        "Counts of fewer than %(k)s members are hidden, and so is the next smallest count where a hidden one could "
        "otherwise be worked out from the total.") % {"k": MIN_CELL}))


def _members(year: int) -> Section:
    data = sel.members(year)
    section = Section(_("Members"), anchor="members")
    if not data["any"]:
        section.blocks.append(Notice(_("No member of the network had joined by the end of %(year)s.") % {"year": year}))
        return section
    section.blocks.append(Facts([
        (_("Members at the end of %(year)s") % {"year": year}, _count_or_hidden(data["total"])),
        (_("Joined in %(year)s") % {"year": year}, _count_or_hidden(data["joined"]))]))
    section.blocks.append(Paragraph(_(
        "Members who had joined by the end of the year and still take part (an active account and current consent), "
        "counted by their stakeholder type, participation level and country as they are now.")))
    section.blocks.append(_tally_figure(
        "members-type", _("Members by stakeholder type"),
        _("How many members of each stakeholder type the network has; small counts are hidden."),
        _tally_rows(data["by_type"], "stakeholder_type"), _("Stakeholder type")))
    section.blocks.append(_tally_figure(
        "members-level", _("Members by participation level"),
        _("How many members take part at each level, from (a) receiving information to (d) advocacy."),
        _tally_rows(data["by_level"], "participation_level"), _("Participation level")))
    rows = _tally_rows(data["by_country"], "country")
    section.blocks.append(table(_("Members by country"), [("label", _("Country"), "text"),
                                                          ("n", _("Members"), "count")], rows))
    return section


def _schools() -> Section:
    data = sel.schools()
    section = Section(_("Schools"), anchor="schools")
    if not data["schools"]:
        section.blocks.append(Notice(_("The network has no schools yet.")))
        return section
    section.blocks.append(Facts([
        (_("Schools"), formatting.count(data["schools"])), (_("Countries"), formatting.count(data["countries"])),
        (_("Students in schools of at least %(k)s students") % {"k": MIN_CELL}, formatting.count(data["students"]))]))
    note = _("Students are counted only in schools of at least %(k)s students; a breakdown hides any count that "
             "would reveal a smaller group.") % {"k": MIN_CELL}

    def rows(breakdown, kind):
        out = []
        for r in breakdown:
            row = {"label": formatting.label(kind, r["code"]), "schools": r["schools"], "students": r["students"]}
            out.append(hide(row, "students", reason=r["reason"]) if r["students"] is None else row)
        return out

    columns = [("label", _("Stage"), "text"), ("schools", _("Schools"), "count"), ("students", _("Students"), "count")]
    stage_rows = rows(data["by_stage"], "stage")
    title = _("Schools by stage")
    section.blocks.append(Figure(
        name="schools-stage", title=title, summary=_("How many of the network's schools teach at each stage."),
        chart=Chart(kind="bars", rows=stage_rows, value="schools", category="label", format="count",
                    value_title=_("Schools"), category_title=_("Stage")),
        table=table(title, columns, stage_rows, note=note)))
    section.blocks.append(table(_("Schools by country"), [("label", _("Country"), "text"), *columns[1:]],
                                rows(data["by_country"], "country"), note=note))
    return section


def _label(year: int) -> Section:
    data = sel.label_awards(year)
    section = Section(_("Safe School Label"), anchor="label")
    section.blocks.append(Facts([
        (_("Labels awarded in %(year)s") % {"year": year}, formatting.count(data["awarded"])),
        (_("Schools on the register on %(date)s") % {"date": _date(data["as_of"])}, formatting.count(data["register"]))]))
    if not data["awarded"]:
        section.blocks.append(Notice(_("No Safe School Label was awarded in %(year)s.") % {"year": year}))
    else:
        rows = [{"country": formatting.label("country", r["country"]), "level": formatting.label("label_level", r["level"]),
                 "n": r["n"]} for r in data["rows"]]
        level_rows = [{"level": formatting.label("label_level", code), "n": n} for code, n in data["by_level"].items()]
        title = _("Labels awarded in %(year)s by level") % {"year": year}
        section.blocks.append(Figure(
            name="label-level", title=title, summary=_("How many labels of each level were awarded in the year."),
            chart=Chart(kind="bars", rows=level_rows, value="n", category="level", format="count",
                        value_title=_("Labels awarded"), category_title=_("Level")),
            table=table(title, [("level", _("Level"), "text"), ("n", _("Labels awarded"), "count")], level_rows)))
        section.blocks.append(table(_("Labels awarded in %(year)s by country and level") % {"year": year},
                                    [("country", _("Country"), "text"), ("level", _("Level"), "text"),
                                     ("n", _("Labels awarded"), "count")], rows))
    if url := _url("label:register"):
        section.blocks.append(Links([(_("The public register of labelled schools"), url)]))
    return section


def _verdict(code: str | None) -> str:
    return {"low": _("low attrition"), "high": _("high attrition")}.get(code or "", "—")


def _trials(year: int) -> tuple[Section, list[Provenance]]:
    found = sel.trials(year)
    section, provenance = Section(_("Trials and their results"), anchor="trials"), []
    if not found:
        section.blocks.append(Notice(_("No trial had been registered by the end of %(year)s.") % {"year": year}))
        return section, provenance
    rows, dots = [], []
    for item in found:
        trial, result = item["trial"], item["result"]
        unit = _("schools") if item["unit"] == "school" else _("classes")
        row = {"title": trial.title, "design": formatting.label("trial_design", trial.design),
               "status": formatting.label("trial_status", trial.status),
               "clusters": f"{formatting.count(item['clusters'])} {unit}",
               "g": None, "low": None, "high": None, "attrition": "—"}
        if result is not None and result["g"] is not None:
            row |= {"g": round(result["g"], 2), "low": result["low"] and round(result["low"], 2),
                    "high": result["high"] and round(result["high"], 2), "attrition": _verdict(result["attrition"])}
            dots.append({"trial": trial.title, "g": row["g"], "low": row["low"], "high": row["high"]})
            run = result["run"]
            provenance.append(Provenance(
                _("Impact analysis of “%(trial)s”") % {"trial": trial.title},
                _("run %(run)s, %(n)s students, finished %(date)s") % {
                    "run": run.pk, "n": formatting.count(result["n"]),
                    "date": _date(run.finished_at or run.created_at)},
                _url("interventions:impact_run", run.pk)))
        rows.append(row)
    section.blocks.append(Paragraph(_(
        "Every trial registered by the end of the year, with its status today. A completed trial's result is its "
        "primary outcome's effect size (Hedges' g on the total variance; for a yes/no outcome, the Cox index) with "
        "its 95 %% confidence interval, and the attrition verdict under the What Works Clearinghouse boundary the "
        "trial uses. Results are shown only when every arm has at least %(k)s analysed students.") % {"k": MIN_CELL}))
    columns = [("title", _("Trial"), "text"), ("design", _("Design"), "text"), ("status", _("Status"), "text"),
               ("clusters", _("Clusters"), "text"), ("g", _("Effect size (g)"), "number:2"),
               ("low", _("95 % CI from"), "number:2"), ("high", _("95 % CI to"), "number:2"),
               ("attrition", _("Attrition (WWC)"), "text")]
    if dots:
        title = _("Effect sizes of the completed trials")
        section.blocks.append(Figure(
            name="trial-effects", title=title,
            # xgettext:no-python-format
            summary=_("Each completed trial's effect size on its primary outcome with its 95 % confidence interval; "
                      "an interval that crosses zero does not rule out no effect."),
            chart=Chart(kind="dots", rows=dots, value="g", category="trial", low="low", high="high", format="number:2",
                        value_title=_("Effect size (g)"), category_title=_("Trial"),
                        # Translators: the reference line at an effect size of 0 on a chart of trial results
                        rules=[Rule(0.0, _("no effect"))]),
            table=table(title, [("trial", _("Trial"), "text"), ("g", _("Effect size (g)"), "number:2"),
                                ("low", _("95 % CI from"), "number:2"), ("high", _("95 % CI to"), "number:2")], dots)))
    section.blocks.append(table(_("Trials registered by the end of %(year)s") % {"year": year}, columns, rows))
    return section, provenance


OUTPUT_KINDS = {
    "case": lambda: _("Case studies"), "pack": lambda: _("Resource packs"),
    "handbook": lambda: _("Handbook versions"), "course": lambda: _("Course versions"),
    "report": lambda: _("State-of-the-art reports"),
}


def _outputs(year: int) -> Section:
    data = sel.outputs(year)
    section = Section(_("Outputs"), anchor="outputs")
    counts = [(OUTPUT_KINDS[kind](), len(data["by_kind"][kind])) for kind in OUTPUT_KINDS]
    counts += [(_("Course editions"), len(data["editions"])), (_("Policy briefs"), len(data["briefs"]))]
    section.blocks.append(Facts([(text, formatting.count(n)) for text, n in counts]
                                + [(_("Course certificates issued"), formatting.count(data["certificates"]))]))
    if not any(n for _text, n in counts) and not data["certificates"]:
        section.blocks.append(Notice(_("Nothing was published in %(year)s.") % {"year": year}))
        return section
    for kind, title in OUTPUT_KINDS.items():
        items = data["by_kind"][kind]
        if items:
            section.blocks.append(Paragraph(title()))
            section.blocks.append(Links([(f"{o.title} ({_date(o.published_at)})", o.url) for o in items]))
    if data["editions"]:
        section.blocks.append(Paragraph(_("Course editions")))
        section.blocks.append(Links([(
            # Translators: a course edition in a list: its title, dates and venue
            _("%(title)s, %(start)s to %(end)s, %(venue)s") % {"title": e.title, "start": _date(e.starts_on),
                                                             "end": _date(e.ends_on), "venue": e.venue},
            _url("learning:edition", e.pk)) for e in data["editions"]]))
    if data["briefs"]:
        section.blocks.append(Paragraph(_("Policy briefs")))
        section.blocks.append(Links([(f"{b.title} ({_date(b.published_at)})", _url("reports:brief", b.slug))
                                     for b in data["briefs"]]))
    return section


def _about(year: int, version: str) -> Section:
    return Section(_("About this report"), anchor="about", blocks=[
        Paragraph(_(
            "This report is generated from the platform's records when it is asked for: the network's member register, "
            "the schools of the research registry, the Safe School Label register, the trial registry and its impact "
            "analyses, and the public outputs. Standing figures (members, schools, the label register) are taken on "
            "31 December of the year, or on the day of generation for the year in progress.")),
        Paragraph(_(
            "Disclosure: no figure is about fewer than %(k)s people. Small member and student counts are hidden, and "
            "so is the next smallest count wherever a hidden one could be worked out from a total.") % {"k": MIN_CELL}),
        Facts([(pgettext("report", "Year"), str(year)), (_("Data version"), version)]),
    ])


def build(year: int, *, language: str) -> Report:
    """The network's annual report of `year` in `language` (ValueError for a year outside 2000 to next year)."""
    if not sel.year_valid(year):
        raise ValueError(f"no annual report for {year}: the year must be from {sel.FIRST_YEAR} to next year")
    with override(language):
        version = data_version()
        trials, provenance = _trials(year)
        sections = [_members(year), _schools(), _label(year), trials, _outputs(year), _about(year, version)]
        provenance = [Provenance(_("Network records"), _(
            "members, schools, label awards, trials and outputs as recorded on the platform; data version "
            "%(version)s") % {"version": version}, _url("reports:annual", year)), *provenance]
        return Report(kind="annual", title=_("Annual report %(year)s") % {"year": year}, language=language,
                      generated_at=generated_now(), data_version=version, sections=sections,
                      subtitle=_("The Safe Education network"), provenance=provenance,
                      slug=f"annual-report-{year}-{language}")
